import { measuredAllReduceCurve } from './allreduce';
import { BUNDLED_CALIBRATION, CalibrationTable, EngineProfile, MEMORY_SETTINGS, MemorySettings, PowerModel, activeShare, efficiencyFor } from './calibration';

/** Board power whenever an instance computes: the model before utilisation-aware power (no table). */
const FULL_POWER: PowerModel = { base: 1, compute: 0, memory: 0 };
import { Gpu, Precision, ServingModel, getGpu, getPrecision, getServingModel, kvBytesPerToken, matmulPeakKey, smCyclesPerSecond } from './catalog';
import { Cluster, DispatchPolicy, MigrationOptions, RunLimits } from './cluster';
import { Instance, InstanceRole, SchedulerOptions } from './instance';
import { EngineTraits, LatencyModel, createLatencyModel, queryHeadsPerKvHeadPerGpu } from './latency';
import { planMemory } from './memory';
import { LatencyStats, summarize, summarizeWeighted } from './metrics';
import { SimRequest } from './request';
import { WorkloadSpec, planRequests } from './workload';

export type DeploymentMode = 'colocated' | 'disaggregated' | 'llumnix';

export interface DeploymentSpec {
  mode: DeploymentMode;
  /** colocated / llumnix: replicas behind the dispatcher (default 1). */
  instances?: number;
  /** colocated / llumnix: GPUs per replica (default 1). */
  tensorParallel?: number;
  /** disaggregated: prefill and decode replicas and their tensor-parallel degrees (default 1 each). */
  prefillInstances?: number;
  decodeInstances?: number;
  prefillTensorParallel?: number;
  decodeTensorParallel?: number;
  /**
   * colocated / llumnix: how arrivals are spread. Defaults: round-robin (the Llumnix paper's
   * baseline) for colocated, freeness for llumnix; llumnix with round-robin isolates migration.
   */
  dispatch?: DispatchPolicy;
  /** llumnix: migration knobs; `enabled: false` keeps freeness dispatch without migration. */
  migration?: Partial<MigrationOptions>;
}

export interface SloSpec {
  ttftMs?: number;
  tpotMs?: number;
}

export interface SimulationConfig {
  model: string;
  gpu: string;
  /** Default fp16. */
  precision?: string;
  /** KV-cache precision when it differs from the precision's own (fp8 KV: half the bytes of fp16). */
  kvPrecision?: string;
  deployment: DeploymentSpec;
  scheduler?: Partial<SchedulerOptions>;
  workload: WorkloadSpec;
  slo?: SloSpec;
  /** Efficiency profiles to use instead of data/calibration.json (the calibration fit varies them). */
  calibration?: CalibrationTable;
  /** Engine profile in data/calibration.json (default: its defaultEngine, today's engines). */
  engineProfile?: string;
  /**
   * Quirks of a specific engine version or build (validation rows use them), over what the
   * engine profile says (each trait set here replaces the profile's).
   */
  engine?: EngineTraits;
  /** How the KV cache is sized, over data/calibration.json's memory settings and the engine's. */
  memory?: Partial<MemorySettings>;
  /**
   * Report inter-token latency (SimulationResult.itlMs). It keeps one sample per decode
   * iteration and sorts them, which doubles the cost of a long run of small batches, so the
   * cards and the planner, which do not show it, leave it off.
   */
  interTokenLatency?: boolean;
}

export interface PriorityStats {
  requests: number;
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  e2eMs: LatencyStats;
}

export interface SimulationResult {
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  /**
   * Inter-token latency: the gap between consecutive tokens of a sequence, over every token
   * after the first (a streaming client's ITL; prefill iterations that interrupt the decodes
   * lengthen the gap they fall in). Only where the config asks (interTokenLatency).
   */
  itlMs?: LatencyStats;
  e2eMs: LatencyStats;
  throughput: { requestsPerSec: number; outputTokensPerSec: number };
  /** Share of requests meeting every given SLO; null when no SLO was given. */
  sloAttainment: number | null;
  gpus: number;
  costPer1kRequestsUsd: number;
  /** Board energy: idle power all run long, plus what each iteration draws above idle (data/calibration.json power). */
  energyJPerRequest: number;
  /**
   * busyFraction: share of GPU time in an iteration; mfu: model FLOPs utilisation;
   * memoryBandwidth: share of GPU time the HBM streams (bytes over bandwidth).
   */
  gpuUtilization: { busyFraction: number; mfu: number; memoryBandwidth: number };
  /** Average board power per GPU over the run, idle time included (energy / GPUs / makespan). */
  averagePowerWPerGpu: number;
  preemptions: number;
  migrations: number;
  completedRequests: number;
  outputTokens: number;
  makespanSec: number;
  events: number;
  iterations: number;
  kvCapacityTokensPerInstance: number[];
  highPriority?: PriorityStats;
  normalPriority?: PriorityStats;
  config: {
    mode: DeploymentMode;
    model: string;
    gpu: string;
    precision: string;
    kvPrecision?: string;
    instances: number;
    tensorParallel: number;
    prefillInstances?: number;
    decodeInstances?: number;
    prefillTensorParallel?: number;
    decodeTensorParallel?: number;
  };
}

/** Precisions a KV cache is stored in by the engines (TensorRT-LLM, vLLM: fp8 or 16-bit). */
const KV_PRECISIONS: ReadonlySet<string> = new Set(['fp16', 'bf16', 'fp8']);

export class SimulationConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationConfigError';
  }
}

/** The scheduler options a named engine profile's batching implies (none for the default engine). */
function engineScheduler(config: SimulationConfig): Partial<SchedulerOptions> {
  if (config.engineProfile === undefined) return {};
  const batching = (config.calibration ?? BUNDLED_CALIBRATION).engines[config.engineProfile]?.batching;
  if (!batching) return {};
  return {
    chunkedPrefill: batching.chunkedPrefill,
    maxBatch: batching.maxBatch,
    ...(batching.kvReservation !== undefined ? { reserveFullSequence: batching.kvReservation === 'full-sequence' } : {}),
    ...(batching.lastPromptTokenInDecode !== undefined ? { lastPromptTokenInDecode: batching.lastPromptTokenInDecode } : {}),
    ...(batching.outputReservation !== undefined ? { outputReservation: batching.outputReservation } : {}),
    ...(batching.overlapScheduling === true ? { overlapScheduling: true } : {}),
    ...(batching.splitPrompts === true ? { splitPrompts: true } : {}),
    ...(batching.chunkTokens !== undefined ? { chunkTokens: batching.chunkTokens } : {}),
    ...(batching.maxBatchedTokens !== undefined ? { maxBatchedTokens: batching.maxBatchedTokens ?? Number.POSITIVE_INFINITY } : {}),
  };
}

/**
 * KV sizing: calibration.json's memory settings, the engine's own, then the caller's. A share
 * of memory the caller sets (a launch's --mem-fraction-static) replaces the engine's default
 * share by TP degree, which would otherwise take precedence over it (memoryUtilizationAt).
 */
export function memorySettingsFor(config: Pick<SimulationConfig, 'engineProfile' | 'calibration' | 'memory'>): MemorySettings {
  const batching = config.engineProfile !== undefined ? (config.calibration ?? BUNDLED_CALIBRATION).engines[config.engineProfile]?.batching : undefined;
  const callerSetsShare = config.memory?.gpuMemoryUtilization !== undefined;
  return {
    ...MEMORY_SETTINGS,
    ...(batching?.kvFreeMemoryFraction !== undefined ? { kvFreeMemoryFraction: batching.kvFreeMemoryFraction } : {}),
    ...(batching?.runtimeMemory !== undefined ? { runtimeMemory: batching.runtimeMemory } : {}),
    ...(batching?.gpuMemoryUtilizationByTp !== undefined && !callerSetsShare ? { gpuMemoryUtilizationByTp: batching.gpuMemoryUtilizationByTp } : {}),
    ...(batching?.activationReserveGiB !== undefined ? { activationReserveGiB: batching.activationReserveGiB } : {}),
    ...config.memory,
  };
}

export const DEFAULT_SCHEDULER: SchedulerOptions = {
  maxBatch: 256, // vLLM max_num_seqs
  maxBatchedTokens: 8192,
  chunkedPrefill: false,
  chunkTokens: 512, // Sarathi-Serve's chunk size in Vidur's configs
  watermark: 0.01, // vLLM
};

/**
 * Assumed Llumnix knobs (the paper gives the mechanism, not these numbers): look every 50 ms;
 * migrate out below 16 free blocks per running request (256 tokens of growth left), into
 * instances above 32; at most 3 pre-copy stages, final stage at <= 4 blocks (from the paper).
 * Each high-priority request is charged a virtual 5% of its instance's KV capacity: normal
 * requests are then dispatched and migrated away from that instance, high-priority ones
 * gather on it, and its smaller batches decode faster. The value trades the high-priority
 * speed-up against the normal requests' slowdown, because the headroom is capacity the
 * normal requests lose (README: measured 1.2-1.3x faster high-priority E2E for 4-10% slower
 * normal requests at 5 req/s on 4 x A100 with a 13B model; 10% gives 1.4-1.9x for 9-36%).
 */
export const DEFAULT_MIGRATION: MigrationOptions = {
  enabled: true,
  intervalMs: 50,
  outThreshold: 16,
  inThreshold: 32,
  highPriorityHeadroom: 0.05,
  maxPrecopyStages: 3,
  finalStageBlocks: 4,
  stageLatencyMs: 1,
};

/** Fixed cost of one KV transfer or migration copy (NCCL/handshake); an assumption. */
const LINK_LATENCY_SECONDS = 0.2e-3;

interface Resolved {
  model: ServingModel;
  gpu: Gpu;
  precision: Precision;
}

function resolve(config: SimulationConfig): Resolved {
  try {
    const precision = getPrecision(config.precision ?? 'fp16');
    // The KV cache may be stored in another precision than the weights (fp8 KV with 16-bit weights).
    const kv = config.kvPrecision !== undefined ? getPrecision(config.kvPrecision) : undefined;
    if (kv && !KV_PRECISIONS.has(kv.id)) throw new Error(`KV-cache precision must be one of ${[...KV_PRECISIONS].join(', ')}, got '${kv.id}'`);
    return {
      model: getServingModel(config.model),
      gpu: getGpu(config.gpu),
      precision: kv ? { ...precision, kvBytes: kv.kvBytes, name: `${precision.name}, ${kv.id} KV cache` } : precision,
    };
  } catch (err) {
    throw new SimulationConfigError((err as Error).message);
  }
}

export function buildLatencyModel(config: SimulationConfig, tensorParallel: number): LatencyModel {
  const { model, gpu, precision } = resolve(config);
  checkTensorParallel(model, tensorParallel);
  const peak = matmulPeakKey(gpu, precision);
  try {
    const efficiency = efficiencyFor(gpu.id, peak, config.engineProfile, config.calibration, {
      allReduceUs: gpu.allReduceLatencyUs,
      matmulCeiling: gpu.matmulCeiling?.[peak],
      attentionCeiling: gpu.matmulCeiling?.fp16,
      hbmReadCeiling: gpu.hbmReadCeiling,
    });
    return createLatencyModel(model, gpu, precision, tensorParallel, efficiency, { ...engineTraitsFor(config, model, gpu, tensorParallel), ...config.engine });
  } catch (err) {
    throw new SimulationConfigError((err as Error).message);
  }
}

/** What the engine profile says about the engine's kernels for this model, GPU and TP degree. */
function engineTraitsFor(config: Pick<SimulationConfig, 'engineProfile' | 'calibration'>, model: ServingModel, gpu: Gpu, tensorParallel: number): EngineTraits {
  const table = config.calibration ?? BUNDLED_CALIBRATION;
  const engine = table.engines[config.engineProfile ?? table.defaultEngine];
  const ratio = model.heads / model.kvHeads;
  const traits: EngineTraits = {};
  const ratios = engine?.groupedDecodeRatios;
  if (ratios !== undefined && !ratios.includes(ratio)) traits.kvReadsPerQueryHead = true;
  if (engine?.mhaDecodeWidensToFp32 === true && ratio === 1) traits.kvWidenedToFp32 = true;
  const cudaCoreRate = cudaCoreDecodeRate(engine?.cudaCoreDecode, table.gpuProfiles[gpu.id], gpu, queryHeadsPerKvHeadPerGpu(model, tensorParallel));
  if (cudaCoreRate !== undefined) traits.cudaCoreDecodeProductsPerSecond = cudaCoreRate;
  const curve = measuredAllReduceCurve(engine?.allReduceLibrary?.measured, gpu.id, tensorParallel);
  if (curve) traits.allReduceCurve = curve;
  if (engine?.cudaGraphMaxBatch !== undefined) traits.cudaGraphMaxBatch = engine.cudaGraphMaxBatch;
  const eagerCurve = measuredAllReduceCurve(engine?.allReduceLibrary?.measuredEager, gpu.id, tensorParallel);
  if (eagerCurve) traits.eagerAllReduceCurve = eagerCurve;
  if (engine?.batching?.overlapScheduling === true) traits.cpuOverlapsGpu = true;
  return traits;
}

/**
 * Query-head x KV-element products a second of the engine's CUDA-core decode kernel on this
 * GPU, where it runs that kernel for this group and the GPU's architecture has a measurement.
 */
function cudaCoreDecodeRate(spec: EngineProfile['cudaCoreDecode'], architecture: string | undefined, gpu: Gpu, group: number): number | undefined {
  if (spec === undefined || !spec.queryHeadsPerKvHead.includes(group)) return undefined;
  const perSmClock = architecture !== undefined ? spec.productsPerSmClock[architecture] : undefined;
  const cycles = smCyclesPerSecond(gpu);
  return perSmClock !== undefined && cycles !== undefined ? cycles * perSmClock : undefined;
}

function checkTensorParallel(model: ServingModel, tp: number): void {
  if (!Number.isInteger(tp) || tp < 1 || model.heads % tp !== 0) {
    throw new SimulationConfigError(`tensor-parallel degree ${tp} must divide ${model.name}'s ${model.heads} attention heads`);
  }
}

interface InstancePlan {
  role: InstanceRole;
  tensorParallel: number;
}

function instancePlans(d: DeploymentSpec): InstancePlan[] {
  const plans: InstancePlan[] = [];
  if (d.mode === 'disaggregated') {
    for (let i = 0; i < (d.prefillInstances ?? 1); i++) plans.push({ role: 'prefill', tensorParallel: d.prefillTensorParallel ?? d.tensorParallel ?? 1 });
    for (let i = 0; i < (d.decodeInstances ?? 1); i++) plans.push({ role: 'decode', tensorParallel: d.decodeTensorParallel ?? d.tensorParallel ?? 1 });
  } else {
    for (let i = 0; i < (d.instances ?? 1); i++) plans.push({ role: 'mixed', tensorParallel: d.tensorParallel ?? 1 });
  }
  if (plans.length === 0) throw new SimulationConfigError('the deployment has no instances');
  return plans;
}

export { SimulationWorkLimitError, type EventBudget, type RunLimits } from './cluster';

/**
 * Run one simulation. Deterministic: the same config (seed included) gives the same result.
 * `limits` bounds the work (a cancel flag, a most number of events); it never changes a result.
 */
export function simulate(config: SimulationConfig, limits?: RunLimits): SimulationResult {
  const run = execute(config, limits);
  return collect(config, run.cluster, run.requests, run.capacities, run.resolved);
}

/** What happened to one request (for tests and trace views). */
export interface RequestRecord {
  id: number;
  arrival: number;
  firstTokenAt: number;
  finishAt: number;
  input: number;
  output: number;
  /** Tokens its instance had counted for it when it finished (-1: unfinished): the output, or a bug. */
  generated: number;
  preemptions: number;
  migrations: number;
  highPriority: boolean;
}

/** A simulation plus every request's record and the order requests finished in. */
export function simulateDetailed(config: SimulationConfig): { result: SimulationResult; requests: RequestRecord[]; finishOrder: number[] } {
  const run = execute(config);
  const result = collect(config, run.cluster, run.requests, run.capacities, run.resolved);
  const requests = run.requests.map((r) => ({
    id: r.id,
    arrival: r.arrival,
    firstTokenAt: r.firstTokenAt,
    finishAt: r.finishAt,
    input: r.input,
    output: r.output,
    generated: r.generatedAtFinish,
    preemptions: r.preemptions,
    migrations: r.migrations,
    highPriority: r.highPriority,
  }));
  return { result, requests, finishOrder: run.cluster.finished.map((r) => r.id) };
}

interface Execution {
  cluster: Cluster;
  requests: SimRequest[];
  capacities: number[];
  resolved: Resolved;
}

function execute(config: SimulationConfig, limits?: RunLimits): Execution {
  const { model, gpu, precision } = resolve(config);
  const d = config.deployment;
  // A named engine schedules as it does (its batching in data/calibration.json); flags override.
  const scheduler: SchedulerOptions = { ...DEFAULT_SCHEDULER, ...engineScheduler(config), ...config.scheduler };
  const memorySettings = memorySettingsFor(config);
  if (config.workload.requests < 1) throw new SimulationConfigError('need at least one request');
  const plans = planRequests(config.workload);
  let longestPrompt = 0;
  let longestRequest = 0;
  for (const p of plans) {
    if (p.input < 1 || p.output < 1) throw new SimulationConfigError('input and output lengths must be at least 1 token');
    longestPrompt = Math.max(longestPrompt, p.input);
    longestRequest = Math.max(longestRequest, p.input + p.output);
  }
  // The engine was built for these limits (before the widening below, which only lets a long
  // prompt run); its runtime sizes its buffers from them.
  // trtllm-bench builds for the dataset's longest request (max_seq_len = longest input + output).
  const engineBuild = Number.isFinite(scheduler.maxBatchedTokens)
    ? { maxBatch: scheduler.maxBatch, maxNumTokens: scheduler.maxBatchedTokens, maxSeqLen: longestRequest }
    : undefined;
  // A prompt longer than the token budget still runs (alone), as vLLM requires budget >= max length;
  // an engine that cuts prompts to the budget (splitPrompts) keeps it.
  if (!scheduler.splitPrompts) scheduler.maxBatchedTokens = Math.max(scheduler.maxBatchedTokens, longestPrompt);

  const requests = plans.map((p, i) => new SimRequest(i, p.arrival, p.input, p.output, p.highPriority, -1));
  const migration = d.mode === 'llumnix' ? { ...DEFAULT_MIGRATION, ...d.migration } : null;
  const dispatch: DispatchPolicy =
    d.mode === 'disaggregated' ? 'least-loaded' : (d.dispatch ?? (d.mode === 'llumnix' ? 'freeness' : 'round-robin'));
  const closed = config.workload.arrival.kind === 'closed' ? config.workload.arrival : null;
  const cluster = new Cluster(
    requests,
    {
      dispatch,
      blockTokens: MEMORY_SETTINGS.blockTokens,
      linkBytesPerSecond: gpu.interconnectGBps * 1e9,
      linkLatencySeconds: LINK_LATENCY_SECONDS,
      kvBytesPerToken: kvBytesPerToken(model, precision),
      migration,
      thinkSeconds: (closed?.thinkTimeMs ?? 0) / 1000,
    },
    closed ? closed.concurrency : 0,
  );

  const latencyByTp = new Map<number, LatencyModel>();
  const capacities: number[] = [];
  for (const [index, plan] of instancePlans(d).entries()) {
    let latency = latencyByTp.get(plan.tensorParallel);
    if (!latency) {
      latency = buildLatencyModel(config, plan.tensorParallel);
      latencyByTp.set(plan.tensorParallel, latency);
    }
    const memory = planMemory(model, gpu, precision, plan.tensorParallel, memorySettings, engineBuild);
    if (memory.kvCapacityTokens < longestRequest) {
      const hint = memory.kvCapacityTokens === 0 ? '; try a higher tensor-parallel degree or a smaller precision' : '';
      throw new SimulationConfigError(
        `${model.name} in ${precision.name} on ${plan.tensorParallel} x ${gpu.name} leaves room for ${memory.kvCapacityTokens} KV tokens; ` +
          `a request needs ${longestRequest} (weights take ${(memory.weightBytesPerGpu / 1024 ** 3).toFixed(1)} GiB per GPU, ` +
          `the engine's runtime ${(memory.reserveBytesPerGpu / 1024 ** 3).toFixed(1)} GiB)${hint}`,
      );
    }
    capacities.push(memory.kvCapacityTokens);
    cluster.addInstance(new Instance(index, plan.role, latency, memory.kvCapacityTokens, scheduler, cluster, config.interTokenLatency === true));
  }
  if (d.mode === 'disaggregated' && cluster.decodePool.length === 0) throw new SimulationConfigError('disaggregated mode needs at least one decode instance');

  cluster.run(limits);
  return { cluster, requests, capacities, resolved: { model, gpu, precision } };
}

function collect(
  config: SimulationConfig,
  cluster: Cluster,
  requests: readonly SimRequest[],
  capacities: number[],
  r: Resolved,
): SimulationResult {
  const ttft: number[] = [];
  const tpot: number[] = [];
  const e2e: number[] = [];
  const high = { ttft: [] as number[], tpot: [] as number[], e2e: [] as number[] };
  const normal = { ttft: [] as number[], tpot: [] as number[], e2e: [] as number[] };
  let met = 0;
  let outputTokens = 0;
  let makespan = 0;
  const slo = config.slo;
  const hasSlo = slo !== undefined && (slo.ttftMs !== undefined || slo.tpotMs !== undefined);
  for (const q of requests) {
    const t = (q.firstTokenAt - q.arrival) * 1000;
    const e = (q.finishAt - q.arrival) * 1000;
    const p = q.output > 1 ? ((q.finishAt - q.firstTokenAt) * 1000) / (q.output - 1) : Number.NaN;
    ttft.push(t);
    e2e.push(e);
    if (q.output > 1) tpot.push(p);
    outputTokens += q.output;
    makespan = Math.max(makespan, q.finishAt);
    const bucket = q.highPriority ? high : normal;
    bucket.ttft.push(t);
    bucket.e2e.push(e);
    if (q.output > 1) bucket.tpot.push(p);
    if (hasSlo) {
      const ok = (slo.ttftMs === undefined || t <= slo.ttftMs) && (slo.tpotMs === undefined || q.output <= 1 || p <= slo.tpotMs);
      if (ok) met++;
    }
  }
  let gpus = 0;
  let busyGpuSeconds = 0;
  let memoryBusyGpuSeconds = 0;
  let flops = 0;
  let peakFlopsPerSecond = 0;
  let energy = 0;
  const power = (config.calibration ?? BUNDLED_CALIBRATION).power ?? FULL_POWER;
  let preemptions = 0;
  let iterations = 0;
  const gapsMs: number[] = [];
  const gapWeights: number[] = [];
  for (const i of cluster.instances) {
    for (const g of i.tokenGapsSeconds) gapsMs.push(g * 1000);
    for (const w of i.tokenGapWeights) gapWeights.push(w);
    gpus += i.gpus;
    busyGpuSeconds += i.busySeconds * i.gpus;
    memoryBusyGpuSeconds += i.memoryBusySeconds * i.gpus;
    flops += i.flops;
    peakFlopsPerSecond += i.latency.groupPeakFlops;
    // Idle power all run long; above it, what each iteration's utilisation draws (PowerModel).
    const busy = Math.min(i.busySeconds, makespan);
    const share = activeShare(power, i.busySeconds, i.computeBusySeconds, i.memoryBusySeconds);
    energy += i.gpus * (r.gpu.idleW * makespan + (r.gpu.tdpW - r.gpu.idleW) * share * busy);
    preemptions += i.preemptions;
    iterations += i.iterations;
  }
  const n = requests.length;
  const d = config.deployment;
  const result: SimulationResult = {
    ttftMs: summarize(ttft),
    tpotMs: summarize(tpot),
    ...(config.interTokenLatency === true ? { itlMs: summarizeWeighted(gapsMs, gapWeights) } : {}),
    e2eMs: summarize(e2e),
    throughput: {
      requestsPerSec: makespan > 0 ? n / makespan : Number.NaN,
      outputTokensPerSec: makespan > 0 ? outputTokens / makespan : Number.NaN,
    },
    sloAttainment: hasSlo ? met / n : null,
    gpus,
    costPer1kRequestsUsd: ((gpus * r.gpu.pricePerHourUsd * makespan) / 3600 / n) * 1000,
    energyJPerRequest: energy / n,
    gpuUtilization: {
      busyFraction: makespan > 0 ? busyGpuSeconds / (gpus * makespan) : 0,
      mfu: makespan > 0 ? flops / (peakFlopsPerSecond * makespan) : 0,
      memoryBandwidth: makespan > 0 ? memoryBusyGpuSeconds / (gpus * makespan) : 0,
    },
    averagePowerWPerGpu: makespan > 0 && gpus > 0 ? energy / gpus / makespan : r.gpu.idleW,
    preemptions,
    migrations: cluster.migrations,
    completedRequests: cluster.finished.length,
    outputTokens,
    makespanSec: makespan,
    events: cluster.events,
    iterations,
    kvCapacityTokensPerInstance: capacities,
    config: {
      mode: d.mode,
      model: r.model.id,
      gpu: r.gpu.id,
      precision: r.precision.id,
      ...(config.kvPrecision !== undefined ? { kvPrecision: config.kvPrecision } : {}),
      instances: d.mode === 'disaggregated' ? (d.prefillInstances ?? 1) + (d.decodeInstances ?? 1) : (d.instances ?? 1),
      tensorParallel: d.tensorParallel ?? 1,
      ...(d.mode === 'disaggregated'
        ? {
            prefillInstances: d.prefillInstances ?? 1,
            decodeInstances: d.decodeInstances ?? 1,
            prefillTensorParallel: d.prefillTensorParallel ?? d.tensorParallel ?? 1,
            decodeTensorParallel: d.decodeTensorParallel ?? d.tensorParallel ?? 1,
          }
        : {}),
    },
  };
  if (high.e2e.length > 0) {
    result.highPriority = priorityStats(high);
    result.normalPriority = priorityStats(normal);
  }
  return result;
}

function priorityStats(samples: { ttft: number[]; tpot: number[]; e2e: number[] }): PriorityStats {
  return { requests: samples.e2e.length, ttftMs: summarize(samples.ttft), tpotMs: summarize(samples.tpot), e2eMs: summarize(samples.e2e) };
}
