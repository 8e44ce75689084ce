/**
 * The NGSI-LD temporal API (GS CIM 009 v1.8): history of attribute instances, recorded by a change
 * listener of the broker, and its routes under /ngsi-ld/v1/temporal. See README.md.
 */
export { temporalHistory } from './history.js';
export { parseRetentionSpec, replaceRetentionRules } from './retention.js';
export { type TemporalPluginOptions, temporalRoutes } from './routes.js';
export {
  applyTemporalRetention,
  listRetentionRules,
  type RetentionRule,
  removeRetentionRule,
  setRetentionRule,
} from './service.js';
