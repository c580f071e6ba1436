import { getGpu, getPrecision, getServingModel } from './catalog';
import { planMemory } from './memory';
import { DeploymentSpec, RunLimits, SimulationConfig, SimulationConfigError, SimulationResult, simulate } from './simulate';

export interface GoodputOptions {
  /** Share of requests that must meet both SLOs (DistServe uses 0.9). */
  attainment?: number;
  /** Bisection steps after bracketing; each halves the uncertainty. */
  refineSteps?: number;
  /** Highest rate tried, requests/s. */
  maxRate?: number;
  /**
   * Seconds of arrivals each probe simulates at least (default 20). A fixed request count
   * is not enough: 400 requests at 400 req/s all arrive within a second, fit in one batch,
   * and never build the queue that an overloaded server would, so a rate far past capacity
   * would look fine. Each probe therefore simulates max(requests, rate x window) requests.
   */
  minArrivalWindowSec?: number;
  /** Upper bound on requests per probe, to keep a search interactive (default 20,000). */
  maxRequestsPerProbe?: number;
}

export interface GoodputResult {
  /** Highest request rate found with attainment >= target; 0 when even a trickle misses. */
  goodputRps: number;
  goodputPerGpu: number;
  gpus: number;
  /** Attainment measured at goodputRps. */
  attainment: number;
  /** The simulation at goodputRps (null when goodput is 0). */
  atGoodput: SimulationResult | null;
  simulations: number;
}

/**
 * Goodput as DistServe defines it: the highest arrival rate at which at least `attainment`
 * of requests meet both the TTFT and TPOT SLOs. Found by doubling to bracket the rate, then
 * bisecting. Arrival times are drawn once for rate 1 and scaled, so every probe sees the same
 * request pattern (extended to cover at least `minArrivalWindowSec` of arrivals) and
 * attainment falls (almost) monotonically with rate.
 */
export const DEFAULT_ARRIVAL_WINDOW_SEC = 20;
export const DEFAULT_MAX_REQUESTS_PER_PROBE = 20_000;

/** Requests that cover at least `windowSec` of arrivals at `rate` (see minArrivalWindowSec). */
export function requestsForWindow(rate: number, minRequests: number, windowSec = DEFAULT_ARRIVAL_WINDOW_SEC, maxRequests = DEFAULT_MAX_REQUESTS_PER_PROBE): number {
  return Math.min(maxRequests, Math.max(minRequests, Math.ceil(rate * windowSec)));
}

export function findGoodput(config: SimulationConfig, options: GoodputOptions = {}, limits?: RunLimits): GoodputResult {
  const target = options.attainment ?? 0.9;
  const refine = options.refineSteps ?? 7;
  const maxRate = options.maxRate ?? 1e4;
  const arrival = config.workload.arrival;
  if (arrival.kind !== 'poisson' && arrival.kind !== 'gamma') {
    throw new SimulationConfigError('goodput needs an open-loop arrival process (--rate), not closed loop, offline or replayed send times');
  }
  if (!config.slo || (config.slo.ttftMs === undefined && config.slo.tpotMs === undefined)) {
    throw new SimulationConfigError('goodput needs a TTFT and/or TPOT SLO');
  }
  const window = options.minArrivalWindowSec ?? DEFAULT_ARRIVAL_WINDOW_SEC;
  const maxRequests = options.maxRequestsPerProbe ?? DEFAULT_MAX_REQUESTS_PER_PROBE;
  let simulations = 0;
  const probe = (rate: number): SimulationResult => {
    simulations++;
    const requests = requestsForWindow(rate, config.workload.requests, window, maxRequests);
    return simulate({ ...config, workload: { ...config.workload, requests, arrival: { ...arrival, rate } } }, limits);
  };
  const ok = (r: SimulationResult) => (r.sloAttainment ?? 0) >= target;

  // With fixed lengths every request is the same: one that misses the SLOs alone on the
  // deployment misses them at every rate, and the halving below would only probe ever
  // lower rates (a 20k-token prompt against a 500 ms TTFT SLO).
  const workload = config.workload;
  if (workload.input.kind === 'fixed' && workload.output.kind === 'fixed' && target > 0) {
    simulations++;
    const alone = simulate({ ...config, workload: { ...workload, requests: 1, arrival: { ...arrival, rate: 1 } } }, limits);
    if ((alone.sloAttainment ?? 0) < 1) return { goodputRps: 0, goodputPerGpu: 0, gpus: alone.gpus, attainment: 0, atGoodput: null, simulations };
  }

  let lo = 0;
  let loResult: SimulationResult | null = null;
  let hi = arrival.rate > 0 ? arrival.rate : 1;
  let result = probe(hi);
  if (ok(result)) {
    // Double until the SLOs break.
    while (hi < maxRate) {
      lo = hi;
      loResult = result;
      hi = Math.min(maxRate, hi * 2);
      result = probe(hi);
      if (!ok(result)) break;
      if (hi === maxRate) {
        lo = hi;
        loResult = result;
        break;
      }
    }
  } else {
    // Halve until they hold (or the rate is negligible).
    for (let i = 0; i < 20; i++) {
      const rate = hi / 2;
      const r = probe(rate);
      if (ok(r)) {
        lo = rate;
        loResult = r;
        break;
      }
      hi = rate;
    }
  }
  if (loResult && lo < maxRate) {
    for (let i = 0; i < refine; i++) {
      const mid = (lo + hi) / 2;
      const r = probe(mid);
      if (ok(r)) {
        lo = mid;
        loResult = r;
      } else hi = mid;
    }
  }
  const gpus = loResult?.gpus ?? result.gpus;
  return {
    goodputRps: loResult ? lo : 0,
    goodputPerGpu: loResult ? lo / gpus : 0,
    gpus,
    attainment: loResult?.sloAttainment ?? 0,
    atGoodput: loResult,
    simulations,
  };
}

export interface PlacementSearchOptions extends GoodputOptions {
  /** Tensor-parallel degrees to try for each phase. */
  tensorParallelChoices?: readonly number[];
  /** Largest number of prefill (and of decode) instances to try. */
  maxInstancesPerPhase?: number;
  /** Skip placements needing more GPUs than this. */
  maxGpus?: number;
}

export interface Placement {
  prefillInstances: number;
  decodeInstances: number;
  prefillTensorParallel: number;
  decodeTensorParallel: number;
  gpus: number;
}

export interface PlacementCandidate extends Placement {
  goodputRps: number;
  goodputPerGpu: number;
}

export interface PlacementSearchResult {
  best: PlacementCandidate | null;
  /** Every placement evaluated, best first. */
  candidates: PlacementCandidate[];
  simulations: number;
}

/** Placements (P, D, TP_P, TP_D) whose instances fit the model in memory, smallest first. */
export function enumeratePlacements(config: SimulationConfig, options: PlacementSearchOptions = {}): Placement[] {
  const tps = options.tensorParallelChoices ?? [1, 2, 4, 8];
  const maxInstances = options.maxInstancesPerPhase ?? 2;
  const maxGpus = options.maxGpus ?? 8;
  const model = getServingModel(config.model);
  const gpu = getGpu(config.gpu);
  const precision = getPrecision(config.precision ?? 'fp16');
  const usable = tps.filter((tp) => model.heads % tp === 0 && planMemory(model, gpu, precision, tp).kvCapacityTokens > 0);
  const out: Placement[] = [];
  for (const prefillTensorParallel of usable) {
    for (const decodeTensorParallel of usable) {
      for (let prefillInstances = 1; prefillInstances <= maxInstances; prefillInstances++) {
        for (let decodeInstances = 1; decodeInstances <= maxInstances; decodeInstances++) {
          const gpus = prefillInstances * prefillTensorParallel + decodeInstances * decodeTensorParallel;
          if (gpus <= maxGpus) out.push({ prefillInstances, decodeInstances, prefillTensorParallel, decodeTensorParallel, gpus });
        }
      }
    }
  }
  return out.sort((a, b) => a.gpus - b.gpus);
}

/**
 * DistServe's placement search for disaggregated serving: try prefill/decode instance counts
 * and tensor-parallel degrees, simulate each end to end, keep the highest goodput per GPU.
 */
export function searchPlacement(config: SimulationConfig, options: PlacementSearchOptions = {}): PlacementSearchResult {
  const candidates: PlacementCandidate[] = [];
  let simulations = 0;
  for (const p of enumeratePlacements(config, options)) {
    const deployment: DeploymentSpec = { ...config.deployment, mode: 'disaggregated', ...p };
    let g: GoodputResult;
    try {
      g = findGoodput({ ...config, deployment }, options);
    } catch (err) {
      if (err instanceof SimulationConfigError) continue; // e.g. a request does not fit this placement
      throw err;
    }
    simulations += g.simulations;
    candidates.push({ ...p, goodputRps: g.goodputRps, goodputPerGpu: g.goodputPerGpu });
  }
  candidates.sort((a, b) => b.goodputPerGpu - a.goodputPerGpu || a.gpus - b.gpus);
  return { best: candidates[0] ?? null, candidates, simulations };
}
