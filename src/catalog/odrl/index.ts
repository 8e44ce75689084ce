/** ODRL 2.2 policies: parsing with validation, and evaluation. Pure functions, no I/O. */
export { actionCovers, evaluate, pointInArea } from './evaluate.js';
export * from './model.js';
export {
  describeIssues,
  localName,
  type ParseResult,
  POLICY_LIMITS,
  parseDateTime,
  parseDuration,
  parsePolicy,
} from './parse.js';
