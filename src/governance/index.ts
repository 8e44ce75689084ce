/**
 * Identity and access control of Escale: the typed interface other capabilities use.
 * Never read the governance tables: use `request.principal` and these guards.
 */
export { type AuditEvent, type VerifyResult, verifyAudit } from './audit.js';
export {
  type AnonymousPrincipal,
  type ApiKeyPrincipal,
  hasScope,
  isPlatformAdmin,
  type Membership,
  ORG_KINDS,
  type OrgKind,
  type Principal,
  ROLES,
  type Role,
  roleAtLeast,
  roleIn,
  SCOPES,
  type Scope,
  type UserPrincipal,
} from './model.js';
export {
  type AccessSettings,
  assertAuthenticated,
  assertOrgRole,
  type InstallOptions,
  installGovernance,
  type OrgRoleOptions,
  orgIdFrom,
  requireAuth,
  requireOrgRole,
  requirePlatformAdmin,
  requireScope,
  writeScopeFor,
} from './plugin.js';
export { governanceRoutes } from './routes.js';
export { createGovernance, type Governance, type GovernanceSettings } from './service.js';
