export { type CompileContext, createParams, type ExpandTerm, type SqlParams } from './params.js';
export {
  compileQ,
  parseQ,
  type QCompileContext,
  type QExpr,
  type QMeta,
  type QOperator,
  type QPath,
  type QTerm,
  type QValue,
  qAttributes,
} from './q.js';
export { compileScopeQ, parseScopeQ, type ScopeExpr } from './scope.js';
export { compileTypeSelector, parseTypeSelector, type TypeExpr } from './types.js';
