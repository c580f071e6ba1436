/** Public API of the serving simulator (pure TypeScript; safe in a worker thread). */
export { simulate, simulateDetailed, buildLatencyModel, SimulationConfigError, DEFAULT_SCHEDULER, DEFAULT_MIGRATION } from './simulate';
export type { SimulationConfig, SimulationResult, DeploymentSpec, DeploymentMode, SloSpec, PriorityStats, RequestRecord } from './simulate';
export { findGoodput, searchPlacement, enumeratePlacements } from './goodput';
export type { GoodputOptions, GoodputResult, PlacementSearchOptions, PlacementSearchResult, PlacementCandidate, Placement } from './goodput';
export { runValidation, formatValidationReport, predictRow, VALIDATION_ROWS } from './validation';
export type { ValidationReport, ValidationRow, ValidationOutcome } from './validation';
export { fitCalibration } from './calibrate';
export { parseTrace, planRequests } from './workload';
export type { WorkloadSpec, ArrivalSpec, LengthSpec, TraceRow } from './workload';
export { MODELS, GPUS, PRECISIONS, getServingModel, getGpu, getPrecision, CatalogError } from './catalog';
export type { ServingModel, Gpu, Precision } from './catalog';
export type { LatencyStats } from './metrics';
export type { SchedulerOptions } from './instance';
export type { MigrationOptions, DispatchPolicy } from './cluster';
