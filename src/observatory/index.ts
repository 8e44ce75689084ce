/**
 * The Innovation and Smart Port City Observatory: programme model, indicators, collection campaigns, results
 * and exports (README.md). Other capabilities use only what is exported here.
 */
export { type ObservatoryPluginOptions, type ObservatorySettings, observatoryRoutes } from './routes.js';
export { type ObservatorySeed, seedObservatoryDemo, seedObservatoryStaff } from './seed.js';
