import calibrationFile from './data/calibration.json';
import type { Efficiency } from './latency';
import type { PeakKey } from './catalog';
import type { MeasuredAllReduceLibrary } from './allreduce';
import type { OutputReservation } from './instance';

/** How close a GPU architecture's kernels get to its peaks (fitted per architecture). */
export interface HardwareProfile {
  matmul?: number;
  /** Matmul efficiency for a specific tensor-core precision, overriding `matmul`. */
  matmulByPeak?: Partial<Record<PeakKey, number>>;
  memory?: number;
  kvMemory?: number;
  attention?: number;
  basis?: string;
}

/** How an engine forms its batches when requests arrive over time (in-flight batching). */
export interface EngineBatching {
  /** Every iteration mixes decodes with prompt chunks up to chunkTokens (Sarathi, vLLM V1, TensorRT-LLM). */
  chunkedPrefill: boolean;
  chunkTokens?: number;
  /** Sequences in one batch at most. */
  maxBatch: number;
  /**
   * 'full-sequence': a request is admitted only when the KV of its input + output fits beside
   * the running requests' (TensorRT-LLM GUARANTEED_NO_EVICT); 'prompt' (default): vLLM-style.
   */
  kvReservation?: 'prompt' | 'full-sequence';
  /** TensorRT-LLM kv_cache_free_gpu_mem_fraction (see MemorySettings.kvFreeMemoryFraction). */
  kvFreeMemoryFraction?: number;
  /** Weights and KV's share of each GPU's memory by TP degree (see MemorySettings.gpuMemoryUtilizationByTp). */
  gpuMemoryUtilizationByTp?: ReadonlyArray<{ minTp: number; fraction: number }>;
  /** Memory kept outside that share before it is measured (see MemorySettings.activationReserveGiB). */
  activationReserveGiB?: number;
  /** What the engine's runtime allocates before it sizes the KV cache (see MemorySettings.runtimeMemory). */
  runtimeMemory?: RuntimeMemory;
  /**
   * The prefill leaves the last prompt token to the next decode step, which emits the first
   * token (SchedulerOptions.lastPromptTokenInDecode).
   */
  lastPromptTokenInDecode?: boolean;
  /** SGLang's admission with a decaying share of the outputs reserved (SchedulerOptions.outputReservation). */
  outputReservation?: OutputReservation;
  /**
   * The scheduler runs one batch ahead of the GPU: a request that arrives during an iteration
   * waits for the next one too (SchedulerOptions.overlapScheduling), and the CPU's share of an
   * iteration overlaps the GPU's (EngineTraits.cpuOverlapsGpu).
   */
  overlapScheduling?: boolean;
  /** Prefill iterations fill maxBatchedTokens, cutting the last prompt (SchedulerOptions.splitPrompts). */
  splitPrompts?: boolean;
  /** Prompt tokens of one iteration at most without chunking (null: no limit). */
  maxBatchedTokens?: number | null;
  basis?: string;
}

/** Fixed costs of a serving engine's iteration loop (fitted per engine generation) and its batching. */
export interface EngineProfile {
  stepOverheadMs?: number;
  layerOverheadUs?: number;
  allReduceUs?: number;
  /**
   * Latency of one all-reduce through the engine's custom kernels, for the rows whose builds
   * send small messages there (EngineTraits.customAllReduceMaxBytes). Fitted where a calibration
   * row's main iterations take those kernels (calibrate.ts exercisesCustomAllReduce), else
   * borrowed from the engines on custom kernels (borrowCustomAllReduceLatency); unset:
   * allReduceUs.
   */
  customAllReduceUs?: number;
  perSequenceUs?: number;
  /**
   * Largest decode batch the engine replays from a captured CUDA graph (SGLang's
   * cuda_graph_max_bs). Where set, every other iteration (prefills, and decodes of more
   * sequences) launches its kernels one by one from Python and pays eagerLayerOverheadUs per
   * layer instead of layerOverheadUs. Unset: every iteration pays layerOverheadUs.
   */
  cudaGraphMaxBatch?: number;
  /** Per-layer cost of an iteration outside a CUDA graph (fitted; see cudaGraphMaxBatch). */
  eagerLayerOverheadUs?: number;
  /**
   * Fixed costs the fit leaves at these values (the profile's basis says why), where the
   * profile's rows cannot tell them from another knob.
   */
  heldFixedCosts?: Partial<Record<EngineKnob, number>>;
  batching?: EngineBatching;
  /**
   * 'own-rows': the fixed costs are fitted on this engine's own calibration rows after the
   * hardware profiles, which those rows do not move (calibrate.ts, stage 2). Unset: fitted
   * together with the hardware profiles (stage 1).
   */
  fixedCostsFit?: 'own-rows';
  /**
   * How this engine's kernels compare with the hardware profile's (fitted in stage 2, for
   * own-rows engines only): each factor multiplies the profile's efficiency of that kind,
   * and the product is capped at 1 (no kernel beats the peak). An engine's whole-system
   * rows say how fast its own kernels stream weights or KV and how fast its GEMMs run, which
   * the kernel-level rows of other engines cannot.
   */
  scale?: Partial<Record<KernelKind, number>>;
  /**
   * The same, for the kernel kinds in `fitKnobsByArchitecture`, by hardware profile (GPU
   * architecture); those kinds take no `scale`. GEMM speed-ups differ by architecture: against
   * the profiles (fitted on 2023 kernels), TensorRT-LLM 0.12's GEMMs fit 1.135 on Hopper and
   * 1.053 on Ampere, and 0.10's 1.398 on Hopper while its Ampere GEMMs sit at the A100's
   * measured ceiling (docs/research/sim-fidelity.md, round 5). On an architecture the engine
   * has no calibration rows on, those kinds keep the profile's kernels (no scale).
   */
  scaleByArchitecture?: Record<string, Partial<Record<KernelKind, number>>>;
  /**
   * Query heads per KV head that the engine's grouped-query decode kernel serves (TensorRT-LLM
   * 0.10's XQA: 1 and 8). Decode attention of a model with another ratio falls back to a
   * kernel that reads each KV head once per query head. Unset: every ratio is grouped.
   */
  groupedDecodeRatios?: number[];
  /**
   * Decode attention on CUDA cores: for the query-head groups listed (query heads per KV head
   * on one GPU) the engine's decode kernel multiplies every KV element it reads with each of
   * the group's query heads on CUDA cores instead of tensor cores, and sustains
   * `productsPerSmClock` such products per SM per clock on a GPU architecture (hardware
   * profile name), measured. A large group makes the kernel bound by that rate rather than by
   * HBM (SGLang 0.4 with FlashInfer 0.1.6: groups 1, 2, 4 and 8). Unset, or another group, or
   * an architecture without a measurement: decode attention is bound by HBM alone.
   */
  cudaCoreDecode?: {
    queryHeadsPerKvHead: number[];
    productsPerSmClock: Record<string, number>;
    basis: string;
  };
  /**
   * The engine decodes multi-head models (one query head per KV head) with a kernel that widens
   * every KV element to FP32 on CUDA cores, through FP16 pairs from an FP8 cache: a conversion
   * roof besides the HBM read (TensorRT-LLM 0.12's masked multi-head attention; see
   * docs/research/sim-fidelity.md, round 8). Unset: multi-head decode is bound by HBM alone.
   */
  mhaDecodeWidensToFp32?: boolean;
  /**
   * The library the engine's tensor-parallel all-reduce goes through (AllReduceLibrary). A fit
   * whose rows hold no multi-GPU row of an NCCL engine cannot tell its all-reduce latency; it
   * takes the median of the NCCL engines fitted on multi-GPU rows (calibrate.ts
   * borrowAllReduceLatency). Engines on custom kernels lend their latency to builds that take
   * such kernels (borrowCustomAllReduceLatency) and keep the default when they have no
   * multi-GPU row. Unset: the default.
   */
  allReduceLibrary?: {
    name: AllReduceLibrary;
    /**
     * The measured curve of this library (data/allreduce.json): on a GPU and TP degree it
     * covers, each all-reduce costs its measured time plus allReduceUs (EngineTraits.allReduceCurve).
     */
    measured?: MeasuredAllReduceLibrary;
    /**
     * The curve of the same kernels launched outside a CUDA graph, for the iterations the
     * engine runs eagerly (EngineProfile.cudaGraphMaxBatch). Unset: `measured` for all.
     */
    measuredEager?: MeasuredAllReduceLibrary;
    basis: string;
  };
  /** The kernel kinds whose `scale` stage 2 fits besides the fixed costs (own-rows engines). */
  fitKnobs?: KernelKind[];
  /** The kernel kinds stage 2 fits per architecture its rows run on (`scaleByArchitecture`). */
  fitKnobsByArchitecture?: KernelKind[];
  basis?: string;
}

/**
 * 'nccl': ncclAllReduce for every all-reduce. 'custom': the engine's own one-shot/two-shot
 * kernels for messages within their workspace, NCCL above (vLLM's and TensorRT-LLM's custom
 * all-reduce).
 */
export type AllReduceLibrary = 'nccl' | 'custom';

/** The kernel efficiencies an engine profile may scale. */
export type KernelKind = 'matmul' | 'memory' | 'kvMemory' | 'attention';

/** The fixed costs of an engine profile. */
export type EngineKnob = 'stepOverheadMs' | 'layerOverheadUs' | 'allReduceUs' | 'perSequenceUs';

export interface MemorySettings {
  gpuMemoryUtilization: number;
  /**
   * The share by TP degree where the engine picks it so (SGLang's mem_fraction_static: 0.88 on
   * one GPU down to 0.81 from eight): the step with the largest minTp at most the instance's
   * TP degree replaces gpuMemoryUtilization.
   */
  gpuMemoryUtilizationByTp?: ReadonlyArray<{ minTp: number; fraction: number }>;
  activationReserveGiB: number;
  blockTokens: number;
  /**
   * When set, the KV cache takes this share of the memory the weights and activation reserve
   * leave free (TensorRT-LLM's kv_cache_free_gpu_mem_fraction) instead of gpuMemoryUtilization
   * of the whole memory minus the weights (vLLM's gpu_memory_utilization).
   */
  kvFreeMemoryFraction?: number;
  /**
   * When set, the memory the engine's runtime takes besides the weights replaces
   * activationReserveGiB, from the build's max batch and token budget: with
   * kvFreeMemoryFraction, the KV cache takes that share of what is left; without it,
   * gpuMemoryUtilization of the whole memory minus the weights and these buffers.
   */
  runtimeMemory?: RuntimeMemory;
}

/**
 * GPU memory a TensorRT-LLM runtime allocates per GPU before it sizes the KV cache from what is
 * left: its logits, penalty and sampling (decoder) buffers for max_batch_size x vocabulary
 * entries and per batch slot, output ids, log probabilities and cache indirection for
 * max_batch_size x max_seq_len entries, the engine's execution context (activations) for
 * max_num_tokens, and a fixed part (CUDA context, workspaces). Terms read in the runtime's code,
 * checked against its memory log lines (calibration.json says which).
 */
export interface RuntimeMemory {
  fixedGiB: number;
  /** Bytes per max_batch_size x vocabulary entry (runtime and decoder buffers). */
  bytesPerBatchVocabEntry: number;
  /** Bytes per max_batch_size slot (fixed-size sampling workspaces). */
  bytesPerBatchSlot?: number;
  /** Bytes per max_batch_size x max_seq_len entry (output ids, log probabilities, cache indirection). */
  bytesPerBatchSequenceToken?: number;
  /** Execution-context bytes per max_num_tokens x hidden element. */
  bytesPerTokenHiddenElement: number;
  basis?: string;
}

/**
 * Board power while an instance computes, above idle, as a share of (TDP - idle):
 * base + compute x tensor-core utilisation + memory x HBM utilisation, per iteration
 * (capped at 1). Memory-bound decode at a small batch draws far less than a
 * compute-bound prefill, which draws about the board power (base + compute = 1).
 */
export interface PowerModel {
  base: number;
  compute: number;
  memory: number;
  basis?: string;
}

/** Everything the latency model's efficiency factors come from; the fit produces a new one. */
export interface CalibrationTable {
  power?: PowerModel;
  /** How the roofline combines a matmul's compute and memory times (unset: their max). */
  roofline?: { matmulOverlapExponent: number; basis?: string };
  profiles: Record<string, HardwareProfile>;
  gpuProfiles: Record<string, string>;
  engines: Record<string, EngineProfile>;
  /** Engine assumed when the caller names none: today's mainstream engines. */
  defaultEngine: string;
}

interface CalibrationFile extends CalibrationTable {
  memory: MemorySettings;
  defaults: Efficiency & { basis: string };
}

const file = calibrationFile as unknown as CalibrationFile;

export const MEMORY_SETTINGS: MemorySettings = file.memory;
export const DEFAULT_EFFICIENCY: Efficiency = {
  matmul: file.defaults.matmul,
  memory: file.defaults.memory,
  kvMemory: file.defaults.kvMemory,
  attention: file.defaults.attention,
  stepOverheadMs: file.defaults.stepOverheadMs,
  layerOverheadUs: file.defaults.layerOverheadUs,
  allReduceUs: file.defaults.allReduceUs,
  perSequenceUs: file.defaults.perSequenceUs,
};

export const BUNDLED_CALIBRATION: CalibrationTable = {
  ...(file.power ? { power: file.power } : {}),
  ...(file.roofline ? { roofline: file.roofline } : {}),
  profiles: file.profiles,
  gpuProfiles: file.gpuProfiles,
  engines: file.engines,
  defaultEngine: file.defaultEngine,
};

export function engineNames(table: CalibrationTable = BUNDLED_CALIBRATION): string[] {
  return Object.keys(table.engines);
}

/** What the GPU itself says about the efficiency factors (gpus.json). */
export interface GpuLimits {
  /** The GPU's assumed all-reduce latency, used when the engine profile fits none. */
  allReduceUs?: number;
  /** The largest matmul efficiency measured on the GPU at this peak (matmulCeiling). */
  matmulCeiling?: number;
  /** The same at the 16-bit peak, which prefill attention (tensor-core matmuls) runs at. */
  attentionCeiling?: number;
  /** The largest share of HBM bandwidth a read-streaming kernel reaches on the GPU (hbmReadCeiling). */
  hbmReadCeiling?: number;
}

/**
 * Efficiency factors for a GPU, matmul precision and engine. An uncalibrated GPU takes the
 * defaults; a GPU's own all-reduce latency assumption (gpus.json) applies when the engine
 * profile has none. An engine's kernel scales multiply the hardware profile's factors, and
 * the result stays at or below 1 and, for matmuls and prefill attention (FlashAttention is
 * tensor-core matmuls), the GPU's measured matmul ceiling: a profile fitted on one GPU of an
 * architecture, or scaled by an engine, cannot make them run faster than that GPU's best
 * measured GEMM. Weight and KV streaming stay at or below the GPU's measured HBM read
 * ceiling for the same reason.
 */
export function efficiencyFor(
  gpuId: string,
  peak: PeakKey,
  engine: string | undefined,
  table: CalibrationTable = BUNDLED_CALIBRATION,
  gpuLimits: GpuLimits = {},
): Efficiency {
  const name = table.gpuProfiles[gpuId];
  const hw: HardwareProfile = (name !== undefined ? table.profiles[name] : undefined) ?? {};
  const engineName = engine ?? table.defaultEngine;
  const en = table.engines[engineName];
  if (!en) throw new Error(`unknown engine profile '${engineName}' (known: ${engineNames(table).join(', ')})`);
  const d = DEFAULT_EFFICIENCY;
  const byArchitecture = name !== undefined ? en.scaleByArchitecture?.[name] : undefined;
  // Scaled by the engine, capped at the GPU's measured ceiling for the kind (1 without one).
  const scaled = (kind: KernelKind, value: number, ceiling = 1) => Math.min(ceiling, value * (byArchitecture?.[kind] ?? en.scale?.[kind] ?? 1));
  return {
    matmul: scaled('matmul', hw.matmulByPeak?.[peak] ?? hw.matmul ?? d.matmul, gpuLimits.matmulCeiling),
    memory: scaled('memory', hw.memory ?? d.memory, gpuLimits.hbmReadCeiling),
    kvMemory: scaled('kvMemory', hw.kvMemory ?? d.kvMemory, gpuLimits.hbmReadCeiling),
    attention: scaled('attention', hw.attention ?? d.attention, gpuLimits.attentionCeiling),
    stepOverheadMs: en.stepOverheadMs ?? d.stepOverheadMs,
    layerOverheadUs: en.layerOverheadUs ?? d.layerOverheadUs,
    allReduceUs: en.allReduceUs ?? gpuLimits.allReduceUs ?? d.allReduceUs,
    ...(en.customAllReduceUs !== undefined ? { customAllReduceUs: en.customAllReduceUs } : {}),
    perSequenceUs: en.perSequenceUs ?? d.perSequenceUs,
    ...(en.eagerLayerOverheadUs !== undefined ? { eagerLayerOverheadUs: en.eagerLayerOverheadUs } : {}),
    ...(table.roofline !== undefined ? { matmulOverlapExponent: table.roofline.matmulOverlapExponent } : {}),
  };
}

/** Share of (TDP - idle) drawn above idle over an instance's busy time, from its utilisation sums. */
export function activeShare(power: PowerModel, busySeconds: number, computeBusySeconds: number, memoryBusySeconds: number): number {
  if (busySeconds <= 0) return 0;
  return Math.min(1, power.base + (power.compute * computeBusySeconds + power.memory * memoryBusySeconds) / busySeconds);
}

/** Whether the GPU's efficiency factors come from a fit (true) or from the stated defaults. */
export function isCalibrated(gpuId: string, table: CalibrationTable = BUNDLED_CALIBRATION): boolean {
  const name = table.gpuProfiles[gpuId];
  return name !== undefined && table.profiles[name] !== undefined;
}
