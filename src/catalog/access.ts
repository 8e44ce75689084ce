import type { FastifyRequest } from 'fastify';
import { hasScope, type Principal } from '../governance/index.js';
import { badRequest } from '../http/problem.js';
import type { AccessType } from './model.js';
import { describeIssues, type Policy, parsePolicy } from './odrl/index.js';

const ALL: AccessType[] = ['open', 'account', 'restricted'];

/**
 * The access types whose metadata a caller may read: open datasets are public; the others are listed to anyone
 * signed in (their data stays behind an agreement); an API key needs a catalog scope for them.
 */
export function visibleTo(p: Principal): AccessType[] {
  if (p.kind === 'user') return ALL;
  if (p.kind === 'apiKey' && (hasScope(p, 'catalog:read') || hasScope(p, 'catalog:write'))) return ALL;
  return ['open'];
}

/** Validates an ODRL policy for saving; 400 naming every problem (an unknown left operand above all). */
export function checkPolicy(policy: unknown): Policy {
  const r = parsePolicy(policy);
  if (!r.ok) throw badRequest(`invalid ODRL policy: ${describeIssues(r.issues)}`, { issues: r.issues });
  return r.policy;
}

/** Records a catalog event (policy or agreement change) in the platform's hash-chained audit log. */
export async function auditCatalog(
  req: FastifyRequest,
  event: string,
  orgId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  const p = req.principal;
  const actor = p.kind === 'user' ? `user:${p.userId}` : p.kind === 'apiKey' ? `apikey:${p.keyId}` : null;
  await req.server.governance.audit({ event, outcome: 'success', actor, orgId, ip: req.ip, detail });
}
