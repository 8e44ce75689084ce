import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * SSRF guard for every outgoing call Escale makes on a user's behalf (remote @contexts, notification
 * endpoints, harvesters): loopback, private, link-local and other special addresses are refused unless
 * the host is in the allowlist (ESCALE_OUTBOUND_ALLOW, comma-separated hosts or IPs).
 */
export function outboundAllowlist(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set(
    (env.ESCALE_OUTBOUND_ALLOW ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function isSpecialAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const v6 = ip.toLowerCase();
  if (v6 === '::' || v6 === '::1') return true;
  if (v6.startsWith('::ffff:')) return isSpecialAddress(v6.slice(7));
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(v6);
}

export class OutboundRefused extends Error {}

/** Throws OutboundRefused unless the URL is http(s) and resolves only to public addresses (or is allowed). */
export async function assertOutboundAllowed(url: URL, allow: Set<string>): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefused(`scheme ${url.protocol} is not allowed for outgoing calls`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (allow.has(host)) return;
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  for (const ip of addresses) {
    if (allow.has(ip)) continue;
    if (isSpecialAddress(ip)) throw new OutboundRefused(`${host} resolves to a non-public address`);
  }
}

/** GET with a timeout and a size cap; never follows redirects to an unchecked host. */
export async function fetchCapped(
  url: string,
  opts: { timeoutMs: number; maxBytes: number; allow: Set<string>; accept?: string },
): Promise<string> {
  let current = new URL(url);
  for (let hop = 0; hop < 4; hop++) {
    await assertOutboundAllowed(current, opts.allow);
    const res = await fetch(current, {
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      headers: { accept: opts.accept ?? 'application/ld+json, application/json;q=0.9' },
    });
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      current = new URL(res.headers.get('location')!, current);
      await res.body?.cancel();
      continue;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${current.host}`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > opts.maxBytes) throw new Error(`larger than ${opts.maxBytes} bytes`);
    const reader = res.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > opts.maxBytes) {
        await reader.cancel();
        throw new Error(`larger than ${opts.maxBytes} bytes`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new Error('too many redirects');
}
