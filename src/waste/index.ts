/**
 * Urban waste: container sensors (LoRaWAN uplinks), fill forecasts and collection rounds. See README.md.
 * Other capabilities use this typed interface, never the waste_* tables.
 */
export { type Comparison, compareWithFixedRounds } from './compare.js';
export { backfillWasteReadings, planDemoRounds, seedWasteContainers, seedWasteDemo } from './demo.js';
export { WASTE_FIGURES, type WasteFigures, wasteFigure, wasteFigures } from './figures.js';
export { evaluateForecast, fitFillModel, forecastLevel } from './forecast.js';
export { type Plan, planRounds, planToCsv, planToGpx, type Vehicle } from './plan.js';
export { getPlan, listPlans, planNextDay, type StoredPlan } from './planning.js';
export { distanceMatrix, loadOsmFile, parseOsm, type RoadGraph } from './roads.js';
export { wasteRoutes } from './routes.js';
export { createWasteService, type WasteService } from './service.js';
