/**
 * The innovation hub: communities of practice, events with registration and iCalendar, calls for projects with
 * jury review (README.md). Other capabilities use only what is exported here.
 */
export {
  CALL_KINDS,
  type CallKind,
  PHASES,
  type Phase,
  type SelectedApplication,
} from './calls.js';
export { type InnovationPluginOptions, innovationRoutes } from './routes.js';
export { type Criterion, type RankedApplication, rank, weightedTotal, zScores } from './scoring.js';
export { type InnovationSeed, seedInnovationDemo } from './seed.js';
export { type InnovationFigures, innovationFigures } from './service.js';
