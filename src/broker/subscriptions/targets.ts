import { type LookupAddress, type LookupOptions, lookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isSpecialAddress, OutboundRefused } from '../../http/outbound.js';

/**
 * SSRF guard for notification endpoints (http, https, mqtt, mqtts). Loopback, private, link-local and
 * other special addresses are refused unless the host or the address is allowed by ESCALE_NOTIFY_ALLOW or
 * ESCALE_OUTBOUND_ALLOW. The check runs when a subscription is created or updated, and again on every
 * connection a delivery opens: the addresses a name resolves to can change after the subscription.
 */

/** ESCALE_NOTIFY_ALLOW and ESCALE_OUTBOUND_ALLOW: hosts or IP addresses, comma-separated. */
export function notifyAllowlist(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set(
    `${env.ESCALE_NOTIFY_ALLOW ?? ''},${env.ESCALE_OUTBOUND_ALLOW ?? ''}`
      .split(',')
      .map((s) =>
        s
          .trim()
          .toLowerCase()
          .replace(/^\[|\]$/g, ''),
      )
      .filter(Boolean),
  );
}

export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function checkAddresses(host: string, addresses: string[], allow: Set<string>): void {
  if (allow.has(host)) return;
  for (const ip of addresses) {
    if (allow.has(ip.toLowerCase())) continue;
    if (isSpecialAddress(ip)) {
      throw new OutboundRefused(
        `${host} ${host === ip ? 'is' : `resolves to ${ip}, which is`} a private, loopback or reserved address ` +
          '(allow it with ESCALE_NOTIFY_ALLOW)',
      );
    }
  }
}

function lookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

/**
 * Resolves a host and checks every address it resolves to; returns them. With `tolerateUnresolved`, a name
 * that does not resolve passes (it is checked again at delivery, when it may resolve).
 */
export async function resolveAllowed(
  hostname: string,
  allow: Set<string>,
  opts: { tolerateUnresolved?: boolean } = {},
): Promise<LookupAddress[]> {
  const host = bareHost(hostname);
  const family = isIP(host);
  if (family) {
    checkAddresses(host, [host], allow);
    return [{ address: host, family }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await lookupAll(host);
  } catch (err) {
    if (opts.tolerateUnresolved) return [];
    throw new OutboundRefused(`${host} cannot be resolved: ${(err as Error).message}`);
  }
  checkAddresses(
    host,
    addresses.map((a) => a.address),
    allow,
  );
  return addresses;
}

/** Checks an endpoint URI when a subscription is created or updated (400 on refusal, by the caller). */
export async function checkEndpointUri(uri: string, allow: Set<string>): Promise<void> {
  const url = new URL(uri);
  await resolveAllowed(url.hostname, allow, { tolerateUnresolved: true });
}

/**
 * A `lookup` for http.request: resolves as dns.lookup does and refuses non-public addresses, so that the
 * address checked is the address connected to (no window for DNS rebinding between check and connect).
 */
export function guardedLookup(allow: Set<string>): LookupFunction {
  return (hostname: string, options: LookupOptions, callback): void => {
    resolveAllowed(hostname, allow).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family ? addresses.filter((a) => a.family === family) : addresses;
        const list = wanted.length ? wanted : addresses;
        if (options.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      },
      (err: Error) => callback(Object.assign(err, { code: 'EREFUSED' }) as NodeJS.ErrnoException, ''),
    );
  };
}
