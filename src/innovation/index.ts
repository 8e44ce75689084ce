/**
 * The innovation hub: communities of practice, events with registration and iCalendar, calls for projects with
 * jury review (README.md). Other capabilities use only what is exported here.
 */
export {
  CALL_KINDS,
  type CallKind,
  type CallObservatory,
  type Decision,
  PHASES,
  type Phase,
  type SelectedApplication,
  type SelectionHook,
} from './calls.js';
export type { ApplicantMessage, Notifier, NotifyOutcome } from './notifications.js';
export { type InnovationPluginOptions, innovationRoutes } from './routes.js';
export { type Criterion, type RankedApplication, rank, weightedTotal, zScores } from './scoring.js';
export { type InnovationSeed, seedInnovationDemo } from './seed.js';
export {
  INNOVATION_FIGURES,
  type InnovationFigures,
  innovationFigure,
  innovationFigures,
} from './service.js';
