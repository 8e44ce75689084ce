/**
 * The Innovation and Smart Port City Observatory: programme model, indicators, collection campaigns, results
 * and exports (README.md). Other capabilities use only what is exported here.
 */
export { createMailer, type Mailer, type MailSettings } from './campaigns.js';
export type { FigurePeriod, FigureProvider } from './figures.js';
export {
  createProjectFromSelection,
  type OrganisationProject,
  type ProjectFromSelection,
  type ProjectLink,
  type ProjectSourceRef,
  projectsOfOrganisation,
} from './link.js';
export { type ObservatoryPluginOptions, type ObservatorySettings, observatoryRoutes } from './routes.js';
export { type ObservatorySeed, seedObservatoryDemo, seedObservatoryStaff } from './seed.js';
