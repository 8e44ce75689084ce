/**
 * The catalog of Escale (DCAT-AP): datasets, distributions and data services owned by organisations, with ODRL
 * usage policies. Other capabilities use only what is exported here.
 */
export {
  AGREEMENT_STATES,
  type Agreement,
  type AgreementState,
  activeAgreements,
  agreementJwks,
} from './agreements.js';
export { type CatalogSeed, LE_HAVRE_DATASETS, seedCatalogDemo } from './demo.js';
export {
  type Allowance,
  type CatalogEnforcement,
  createCatalogEnforcement,
  type EnforcementOptions,
} from './enforcement.js';
export type { AccessType, DataService, Dataset, Distribution, Plan } from './model.js';
export * as odrl from './odrl/index.js';
export {
  CATALOG_LIMITS,
  type CatalogPluginOptions,
  catalogRoutes,
  checkPolicy,
  visibleTo,
} from './routes.js';
export { type Statement, type StatementLine, statement, type UsageEvent } from './usage.js';
