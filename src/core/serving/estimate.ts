import { throwIfAborted, type CancelSignal } from '../worker/cancellation';
import { BUNDLED_CALIBRATION, isCalibrated } from '../sim/calibration';
import { getGpu } from '../sim/catalog';
import { describeCoverage, publishedCoverage } from '../sim/coverage';
import { findGoodput, requestsForWindow } from '../sim/goodput';
import type { LatencyStats } from '../sim/metrics';
import {
  SimulationConfigError,
  simulate,
  type DeploymentMode,
  type DeploymentSpec,
  type EventBudget,
  type RunLimits,
  type SimulationConfig,
  type SimulationResult,
} from '../sim/simulate';
import crossValidationFile from '../sim/data/cross-validation.json';

/** What the Serving card lets the user choose. */
export interface ServingInputs {
  model: string;
  gpu: string;
  precision: string;
  /** The mode the chart and goodput are drawn for. */
  mode: DeploymentMode;
  /** Requests per second, Poisson arrivals. */
  rate: number;
  outputTokens: number;
  sloTtftMs: number;
  sloTpotMs: number;
  /** GPUs per deployment; every mode gets the same number, so they compare fairly. */
  gpus: number;
  /** GPUs per instance (tensor parallel, default 1); `gpus` must be a multiple of it. */
  tensorParallel?: number;
}

export interface ServingQuery extends ServingInputs {
  inputTokens: number;
  /** The capsule's tokens, when there is one: the same deployment is simulated for it. */
  capsuleTokens?: number;
  /** Requests per simulation (more: steadier tails, slower). */
  requests?: number;
  seed?: number;
}

export interface ModeSummary {
  mode: DeploymentMode;
  layout: string;
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  e2eMs: LatencyStats;
  sloAttainment: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  costPer1kRequestsUsd: number;
  energyJPerRequest: number;
  gpus: number;
  preemptions: number;
  migrations: number;
  /** Highest rate with >= 90% of requests within both SLOs, for this mode. */
  goodputRps: number | null;
  goodputPerGpu: number | null;
}

export interface CurvePoint {
  rate: number;
  ttftP90Ms: number;
  tpotP90Ms: number;
  attainment: number;
}

export interface ServingEstimate {
  inputTokens: number;
  modes: Array<ModeSummary | { mode: DeploymentMode; error: string }>;
  capsule?: ModeSummary | { mode: DeploymentMode; error: string };
  curve: CurvePoint[];
  goodput: { rps: number; perGpu: number } | { error: string };
  calibration: CalibrationSummary;
  elapsedMs: number;
  /** Simulated events, out of the estimate's bound (ESTIMATE_EVENT_BUDGET). */
  eventsUsed: number;
}

import { SERVING_MODES, servingContextProblem } from './options';

export { SERVING_MODES };

/**
 * The work one estimate may do, in simulated events (one event: an arrival, a batch step,
 * a transfer): the same allowance for each of the 12 results the card shows (3 modes, the
 * capsule, 8 chart points), however large the prompt or the rate. 3.4 to 8.6 million
 * events a second were measured on the 2-core dev machine, so the bound is 3 to 7 s.
 */
export const EVENTS_PER_SHOWN_RESULT = 2_000_000;
const SHOWN_RESULTS = 12;
export const ESTIMATE_EVENT_BUDGET = EVENTS_PER_SHOWN_RESULT * SHOWN_RESULTS;

/** Progress of an estimate: results done out of those it will show. */
export type EstimateProgress = (done: number, total: number) => void;
// The chart spans light load to past the knee: from a quarter of the chosen rate up to
// the larger of twice that rate and 1.3 x the goodput, in even steps (a linear axis).
const CURVE_POINTS = 8;

export function curveRates(rate: number, goodputRps: number | null): number[] {
  const lo = rate / 4;
  const hi = Math.max(rate * 2, (goodputRps ?? 0) * 1.3);
  return Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
}
// Requests per simulation: 400 steadies the p99 for ordinary replies. A simulation's work
// grows with the decode steps (output tokens), so long replies get fewer requests, down
// to 100 (p99 still reads off a real request), and the same work: 400 x 256 tokens.
const DEFAULT_REQUESTS = 400;
const MIN_REQUESTS = 100;
const DECODE_TOKENS_PER_SIMULATION = DEFAULT_REQUESTS * 256;

export function defaultRequests(outputTokens: number): number {
  return Math.min(DEFAULT_REQUESTS, Math.max(MIN_REQUESTS, Math.round(DECODE_TOKENS_PER_SIMULATION / Math.max(1, outputTokens))));
}

export interface CalibrationSummary {
  /** Cross-validated: each published row predicted by a fit that never saw its engine build (its source's rows of the same engine, model, GPU, precision and TP). */
  medianAbsErrorPct: number;
  maxAbsErrorPct: number;
  rows: number;
  /** The calibration rows against the fit that saw them (in-sample, for comparison only). */
  inSampleMedianAbsErrorPct: number;
  /** False for GPUs whose efficiencies are defaults, not fits (no published rows). */
  gpuCalibrated: boolean;
  /** Published rows of the card's engine (the default) on this GPU; 0: none, and the label says so. */
  engineGpuRows: number;
  /** The line the card shows next to its numbers. */
  label: string;
}

/**
 * The simulator's cross-validated error on the published measurements
 * (data/cross-validation.json, from `capsule sim-validate --cv`): the figure to quote. The
 * in-sample error of the calibration rows is kept beside it, labelled.
 */
export function calibrationSummary(gpuId: string): CalibrationSummary {
  const cv = crossValidationFile.overall;
  const gpuCalibrated = isCalibrated(gpuId);
  let gpuName = gpuId;
  try {
    gpuName = getGpu(gpuId).name;
  } catch {
    // an unknown GPU is reported by the simulation itself
  }
  // The card simulates the default engine: say how many published rows back it on this GPU.
  const engine = BUNDLED_CALIBRATION.defaultEngine;
  const label =
    `cross-validated median error ${cv.medianAbsErrorPct.toFixed(1)}% (max ${cv.maxAbsErrorPct.toFixed(0)}%) on ${cv.rows} published measurements, each predicted by a fit that never saw its setup` +
    (gpuCalibrated ? `; ${describeCoverage(engine, gpuId, gpuName)}` : `; ${gpuName} is not calibrated (default efficiencies)`);
  return {
    medianAbsErrorPct: cv.medianAbsErrorPct,
    maxAbsErrorPct: cv.maxAbsErrorPct,
    rows: cv.rows,
    inSampleMedianAbsErrorPct: crossValidationFile.inSampleCalibration.medianAbsErrorPct,
    gpuCalibrated,
    engineGpuRows: publishedCoverage(engine, gpuId)?.rows ?? 0,
    label,
  };
}

/**
 * The same GPU budget laid out for each mode, in instances of `tensorParallel` GPUs:
 * disaggregated splits the instances half prefill (the odd one too), the rest decode (the
 * Budget planner lays its candidates out the same way, so "Simulate this" reproduces them).
 */
export function deploymentFor(mode: DeploymentMode, gpus: number, tensorParallel = 1): { spec: DeploymentSpec; layout: string } {
  if (gpus % tensorParallel !== 0) throw new SimulationConfigError(`${gpus} GPUs do not split into instances of TP ${tensorParallel}`);
  const instances = gpus / tensorParallel;
  const tp = tensorParallel > 1 ? ` of TP ${tensorParallel}` : '';
  if (mode === 'disaggregated') {
    const prefill = Math.max(1, Math.ceil(instances / 2));
    const decode = Math.max(1, instances - prefill);
    return { spec: { mode, tensorParallel, prefillInstances: prefill, decodeInstances: decode }, layout: `${prefill} prefill + ${decode} decode${tp}` };
  }
  return { spec: { mode, instances, tensorParallel }, layout: `${instances} × instance${tp}${mode === 'llumnix' ? ', migration' : ''}` };
}

function configFor(q: ServingQuery, mode: DeploymentMode, inputTokens: number, rate: number): SimulationConfig {
  return {
    model: q.model,
    gpu: q.gpu,
    precision: q.precision,
    deployment: deploymentFor(mode, q.gpus, q.tensorParallel).spec,
    workload: {
      // The same arrival window as the goodput search, so the table, the chart and
      // goodput agree about overload.
      requests: requestsForWindow(rate, q.requests ?? defaultRequests(q.outputTokens)),
      arrival: { kind: 'poisson', rate },
      input: { kind: 'fixed', tokens: Math.max(1, inputTokens) },
      output: { kind: 'fixed', tokens: Math.max(1, q.outputTokens) },
      seed: q.seed ?? 1,
    },
    slo: { ttftMs: q.sloTtftMs, tpotMs: q.sloTpotMs },
  };
}

function summarizeMode(mode: DeploymentMode, layout: string, r: SimulationResult, goodput: { goodputRps: number; goodputPerGpu: number } | null): ModeSummary {
  return {
    mode,
    layout,
    ttftMs: r.ttftMs,
    tpotMs: r.tpotMs,
    e2eMs: r.e2eMs,
    sloAttainment: r.sloAttainment ?? 1,
    requestsPerSec: r.throughput.requestsPerSec,
    outputTokensPerSec: r.throughput.outputTokensPerSec,
    costPer1kRequestsUsd: r.costPer1kRequestsUsd,
    energyJPerRequest: r.energyJPerRequest,
    gpus: r.gpus,
    preemptions: r.preemptions,
    migrations: r.migrations,
    goodputRps: goodput?.goodputRps ?? null,
    goodputPerGpu: goodput?.goodputPerGpu ?? null,
  };
}

function runMode(q: ServingQuery, mode: DeploymentMode, inputTokens: number, limits: RunLimits): ModeSummary | { mode: DeploymentMode; error: string } {
  try {
    const config = configFor(q, mode, inputTokens, q.rate);
    const result = simulate(config, limits);
    const goodput = findGoodput(config, { attainment: 0.9, refineSteps: 5 }, limits);
    return summarizeMode(mode, deploymentFor(mode, q.gpus, q.tensorParallel).layout, result, goodput);
  } catch (error) {
    // A mode that cannot run this deployment is one column's message; running out of work
    // or being cancelled ends the whole estimate.
    if (!(error instanceof SimulationConfigError)) throw error;
    return { mode, error: error.message };
  }
}


/**
 * Everything the Serving card shows for one set of inputs: the three modes side by side
 * at the chosen rate, the capsule's run, p90 TTFT/TPOT against rate, and goodput.
 * About 45 short simulations (goodput is a search). The simulations poll `signal` as they
 * run, share one event budget (ESTIMATE_EVENT_BUDGET, or `budgetEvents`), and report
 * `progress` after each result. A request longer than the model's context is refused.
 */
export function estimateServing(q: ServingQuery, signal?: CancelSignal, progress?: EstimateProgress, budgetEvents = ESTIMATE_EVENT_BUDGET): ServingEstimate {
  const started = performance.now();
  const tooLong = servingContextProblem(q.model, Math.max(q.inputTokens, q.capsuleTokens ?? 0), q.outputTokens);
  if (tooLong) throw new SimulationConfigError(tooLong);
  const budget: EventBudget = { total: budgetEvents, remaining: budgetEvents };
  const limits: RunLimits = signal ? { signal, budget } : { budget };
  const total = SERVING_MODES.length + (q.capsuleTokens !== undefined ? 1 : 0) + CURVE_POINTS;
  let done = 0;
  const step = () => progress?.(++done, total);
  const modes = SERVING_MODES.map((mode) => {
    throwIfAborted(signal);
    const result = runMode(q, mode, q.inputTokens, limits);
    step();
    return result;
  });
  throwIfAborted(signal);
  const capsule = q.capsuleTokens !== undefined ? runMode(q, q.mode, q.capsuleTokens, limits) : undefined;
  if (capsule) step();
  const selected = modes.find((m) => m.mode === q.mode)!;
  const curve: CurvePoint[] = [];
  if (!('error' in selected)) {
    for (const rate of curveRates(q.rate, selected.goodputRps)) {
      throwIfAborted(signal);
      const r = simulate(configFor(q, q.mode, q.inputTokens, rate), limits);
      curve.push({ rate, ttftP90Ms: r.ttftMs.p90, tpotP90Ms: r.tpotMs.p90, attainment: r.sloAttainment ?? 1 });
      step();
    }
  }
  throwIfAborted(signal);
  const goodput: ServingEstimate['goodput'] =
    'error' in selected ? { error: selected.error } : { rps: selected.goodputRps ?? 0, perGpu: selected.goodputPerGpu ?? 0 };
  const estimate: ServingEstimate = {
    inputTokens: q.inputTokens,
    eventsUsed: budget.total - budget.remaining,
    modes,
    curve,
    goodput,
    calibration: calibrationSummary(q.gpu),
    elapsedMs: performance.now() - started,
  };
  if (capsule) estimate.capsule = capsule;
  return estimate;
}
