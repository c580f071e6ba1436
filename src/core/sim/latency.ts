import { AllReduceCurve, allReduceMicros } from './allreduce';
import {
  Gpu,
  Precision,
  ServingModel,
  attentionPeakFlops,
  kvBytesPerToken,
  layerParams,
  lmHeadParams,
  matmulPeakFlops,
  smCyclesPerSecond,
  streamedWeightBytes,
} from './catalog';

/** The work of one engine iteration (one forward pass over a batch). */
export interface IterationShape {
  /** Prompt tokens computed this iteration (whole prompts, or chunks with chunked prefill). */
  prefillTokens: number;
  /** Query-key pairs of causal attention over the prompt chunks: sum of c * (o + (c + 1) / 2). */
  prefillAttentionPairs: number;
  /** Cached tokens the prompt chunks attend to (chunk offsets o), read from the KV cache. */
  prefillCachedTokens: number;
  /** Sequences generating one token each. */
  decodeTokens: number;
  /** Sum of the context lengths of those sequences: the KV cache read by decode attention. */
  decodeContextTokens: number;
  /** Sequences whose last position goes through the LM head this iteration. */
  logitTokens: number;
  /** Sequences in the batch (per-sequence scheduling and sampling overhead). */
  sequences: number;
}

/**
 * Fractions of peak each kind of kernel reaches, and the engine's fixed costs. Fitted per GPU
 * on published measurements (data/calibration.json says which).
 */
export interface Efficiency {
  /** Dense matmuls (QKV, output, MLP, LM head) when compute-bound, as a fraction of the tensor peak. */
  matmul: number;
  /** Weight streaming when memory-bound, as a fraction of HBM bandwidth. */
  memory: number;
  /** Paged-KV reads by decode attention, as a fraction of HBM bandwidth. */
  kvMemory: number;
  /** Prefill attention (FlashAttention-style), as a fraction of the 16-bit tensor peak. */
  attention: number;
  /** Per-iteration cost that does not scale with the batch or depth (scheduler, sampling launch). */
  stepOverheadMs: number;
  /** Per-iteration cost of each layer (kernel launches and small kernels: norms, rotary, residual). */
  layerOverheadUs: number;
  /** Latency of one tensor-parallel all-reduce call, on top of its bandwidth term. */
  allReduceUs: number;
  /**
   * Latency of one all-reduce through the engine's own kernels, where its traits send small
   * messages there (EngineTraits.customAllReduceMaxBytes). Unset: allReduceUs.
   */
  customAllReduceUs?: number;
  /** Per-sequence cost each iteration (batch bookkeeping, sampling). */
  perSequenceUs: number;
  /**
   * Per-layer cost of an iteration the engine runs outside a CUDA graph, in place of
   * layerOverheadUs (EngineTraits.cudaGraphMaxBatch says which). Unset: layerOverheadUs.
   */
  eagerLayerOverheadUs?: number;
  /**
   * How a matmul's compute time c and weight-streaming time w combine: (c^p + w^p)^(1/p).
   * Unset: max(c, w), as if loads and tensor-core work always overlapped perfectly.
   */
  matmulOverlapExponent?: number;
}

export interface IterationBreakdown {
  seconds: number;
  matmulSeconds: number;
  attentionSeconds: number;
  communicationSeconds: number;
  overheadSeconds: number;
  /** Useful FLOPs of the iteration summed over the tensor-parallel group (for utilisation). */
  flops: number;
  /** Share of the iteration each GPU's tensor cores are busy (FLOPs over peak x time), for power. */
  computeUtilization: number;
  /** Share of the iteration each GPU's memory streams (bytes over HBM bandwidth x time), for power. */
  memoryUtilization: number;
  computeBound: boolean;
}

/** Behaviour of a particular serving engine that changes the roofline. */
export interface EngineTraits {
  /**
   * Decode attention reads each KV head once per query head instead of once per group
   * (engines without grouped-query decode kernels, e.g. TensorRT-LLM before its XQA kernels).
   */
  kvReadsPerQueryHead?: boolean;
  /**
   * Decode attention widens every KV element it reads to FP32 on CUDA cores, from an FP8 cache
   * through FP16 pairs first (1.5 conversions per element; 1 from a 16-bit cache), also where
   * it reads each KV head once (a multi-head model). Unset: only the grouped-query fallback
   * above pays conversions, one per element it reads.
   */
  kvWidenedToFp32?: boolean;
  /**
   * All-reduces of at most this many bytes go through the engine's own kernels (TensorRT-LLM's
   * one-shot and two-shot custom all-reduce, which a build enables by default from 0.9: its
   * AUTO strategy takes them while the message fits the IPC workspace, 16 MB at TP2 and 8 MB
   * above) and cost Efficiency.customAllReduceUs each; larger ones go through NCCL
   * (allReduceUs). Both move the same bytes over the links. Unset: every all-reduce is NCCL's.
   */
  customAllReduceMaxBytes?: number;
  /**
   * The measured time of the engine's all-reduce on this GPU at this TP degree, by message size
   * (data/allreduce.json, through allreduce.ts). Where set, each all-reduce costs its measured
   * time plus Efficiency.allReduceUs, the engine's own cost per call beside the collective
   * (the fused residual add and norm, the launch); the bus-bandwidth model is not used.
   */
  allReduceCurve?: AllReduceCurve;
  /**
   * Decode-only iterations of at most this many sequences replay a captured CUDA graph; the
   * others (prefills, larger decodes) launch kernel by kernel and pay
   * Efficiency.eagerLayerOverheadUs per layer (SGLang: cuda_graph_max_bs). Unset: every
   * iteration pays layerOverheadUs.
   */
  cudaGraphMaxBatch?: number;
  /** The measured all-reduce of the iterations outside a CUDA graph (see cudaGraphMaxBatch). Unset: allReduceCurve. */
  eagerAllReduceCurve?: AllReduceCurve;
  /**
   * The engine's CPU work for an iteration (scheduling and bookkeeping: stepOverheadMs and
   * perSequenceUs) runs while the GPU computes its kernels and per-layer costs (SGLang 0.4's
   * overlap scheduler runs one batch ahead), so an iteration takes the longer of the two
   * instead of their sum. Unset: the costs add up.
   */
  cpuOverlapsGpu?: boolean;
  /**
   * Decode attention multiplies each KV element with every query head of its group on CUDA
   * cores, at this many products a second on the GPU (EngineProfile.cudaCoreDecode): with g
   * query heads per KV head on a GPU, each element read costs g products, a roof beside the
   * HBM read. Unset: decode attention is bound by memory alone (tensor-core or grouped kernels).
   */
  cudaCoreDecodeProductsPerSecond?: number;
}

export interface LatencyModel {
  readonly model: ServingModel;
  readonly gpu: Gpu;
  readonly precision: Precision;
  readonly tensorParallel: number;
  readonly efficiency: Efficiency;
  /** Peak FLOP/s of the whole tensor-parallel group for this precision (utilisation denominator). */
  readonly groupPeakFlops: number;
  iterationSeconds(shape: IterationShape): number;
  breakdown(shape: IterationShape): IterationBreakdown;
}

/** Bytes per activation element exchanged by the tensor-parallel all-reduce (16-bit on all engines). */
export const ACTIVATION_BYTES = 2;
/** CUDA-core type conversions per clock per SM ("all other type conversions", compute capability 8.0 and 9.0). */
const CONVERSIONS_PER_CLOCK_PER_SM = 16;

/**
 * Roofline latency of one iteration on a tensor-parallel group of `tp` GPUs:
 *
 *   t = overhead + layers * layer overhead
 *       + roof(matmul FLOPs / (peak * e_mm), weight bytes / (BW * e_mem))
 *         (the p-norm of the two where the calibration sets an overlap exponent, else their max)
 *       + prefill attention FLOPs / (peak16 * e_attn) + KV bytes read / (BW * e_kv)
 *         (where decode reads each KV head once per query head: the longest of the first read
 *         from HBM, all reads from L2, and one FP32 conversion per element read on CUDA cores)
 *       + 2 * layers * (all-reduce latency + 2 (tp-1)/tp * tokens * hidden * 2 B / bus BW)
 *         (where the engine's all-reduce was measured on this GPU at this TP degree: its measured
 *         time for the message, interpolated, plus the engine's own per-call cost)
 *
 * Matmuls are compute- or memory-bound as a whole (the roofline, smoothed at its ridge); attention and the
 * all-reduces are separate kernels, so they add. Every term is divided over the `tp` GPUs.
 * The bus bandwidth is what NCCL reaches between the node's GPUs (gpus.json allReduceBusGBps:
 * 240 GB/s on A100's 300 GB/s links, 470 GB/s on H100's 450 GB/s with in-switch reduction).
 */
export function createLatencyModel(
  model: ServingModel,
  gpu: Gpu,
  precision: Precision,
  tensorParallel: number,
  efficiency: Efficiency,
  traits: EngineTraits = {},
): LatencyModel {
  const tp = tensorParallel;
  const layerMatmulFlopsPerToken = (2 * model.layers * layerParams(model)) / tp;
  const lmHeadFlopsPerToken = (2 * lmHeadParams(model)) / tp;
  const weightBytesPerGpu = streamedWeightBytes(model, precision) / tp;
  const kvBytesPerTokenPerGpu = kvBytesPerToken(model, precision) / tp;
  const attentionFlopsPerPair = (4 * model.layers * model.heads * model.headDim) / tp;
  const matmulPeak = matmulPeakFlops(gpu, precision);
  const attentionPeak = attentionPeakFlops(gpu);
  const bandwidth = gpu.hbmGBps * 1e9;
  const allReduces = 2 * model.layers;
  const ringFactor = tp > 1 ? (2 * (tp - 1)) / tp : 0;
  const busBytesPerSecond = (gpu.allReduceBusGBps ?? gpu.interconnectGBps) * 1e9;
  const allReduceLatency = tp > 1 ? efficiency.allReduceUs * 1e-6 : 0;
  const customAllReduceMaxBytes = traits.customAllReduceMaxBytes ?? 0;
  const customAllReduceLatency = tp > 1 ? (efficiency.customAllReduceUs ?? efficiency.allReduceUs) * 1e-6 : 0;
  const weightSeconds = weightBytesPerGpu / (bandwidth * efficiency.memory);
  const overhead = efficiency.stepOverheadMs * 1e-3 + efficiency.layerOverheadUs * 1e-6 * model.layers;
  const eagerOverhead = efficiency.stepOverheadMs * 1e-3 + (efficiency.eagerLayerOverheadUs ?? efficiency.layerOverheadUs) * 1e-6 * model.layers;
  const graphMaxBatch = traits.cudaGraphMaxBatch;
  const perSequence = efficiency.perSequenceUs * 1e-6;
  const { hbmReadsPerDecodeKvByte, secondsPerDecodeKvByte } = decodeKvCost(model, gpu, precision, tp, efficiency, traits);

  function allReduceSeconds(messageBytes: number, graphed: boolean): number {
    const curve = graphed ? traits.allReduceCurve : (traits.eagerAllReduceCurve ?? traits.allReduceCurve);
    if (curve) return allReduceMicros(curve, messageBytes) * 1e-6 + allReduceLatency;
    const callLatency = messageBytes <= customAllReduceMaxBytes ? customAllReduceLatency : allReduceLatency;
    return callLatency + (ringFactor * messageBytes) / busBytesPerSecond;
  }

  /**
   * What the iteration takes beyond its kernels when the CPU works beside the GPU: the GPU runs
   * the kernels and the per-layer costs (outside a graph the eager one: the unfused small
   * kernels run longer, measured: charging it to the CPU left prefills too fast); the CPU
   * schedules and keeps the books of each sequence.
   */
  function overlappedOverhead(graphed: boolean, sequences: number, kernelSeconds: number): number {
    const stepSeconds = efficiency.stepOverheadMs * 1e-3;
    const gpuSeconds = kernelSeconds + (graphed ? overhead : eagerOverhead) - stepSeconds;
    return Math.max(gpuSeconds, stepSeconds + perSequence * sequences) - kernelSeconds;
  }

  function breakdown(s: IterationShape): IterationBreakdown {
    const tokens = s.prefillTokens + s.decodeTokens;
    const matmulFlops = layerMatmulFlopsPerToken * tokens + lmHeadFlopsPerToken * s.logitTokens;
    const computeSeconds = matmulFlops / (matmulPeak * efficiency.matmul);
    const matmulSeconds = combineRoofs(computeSeconds, weightSeconds, efficiency.matmulOverlapExponent);
    const prefillAttentionFlops = attentionFlopsPerPair * s.prefillAttentionPairs;
    const prefillKvBytes = kvBytesPerTokenPerGpu * s.prefillCachedTokens;
    const decodeKvBytes = kvBytesPerTokenPerGpu * s.decodeContextTokens;
    // Prompt chunks read their cached KV in the context kernel, at HBM speed.
    const kvReadBytes = decodeKvBytes * hbmReadsPerDecodeKvByte + prefillKvBytes;
    const attentionSeconds =
      prefillAttentionFlops / (attentionPeak * efficiency.attention) +
      prefillKvBytes / (bandwidth * efficiency.kvMemory) +
      decodeKvBytes * secondsPerDecodeKvByte;
    // Each all-reduce sums every rank's partial activations of the iteration's tokens.
    const messageBytes = tokens * model.hidden * ACTIVATION_BYTES;
    const graphed = graphMaxBatch === undefined || (s.prefillTokens === 0 && s.sequences <= graphMaxBatch);
    const communicationSeconds = tp > 1 ? allReduces * allReduceSeconds(messageBytes, graphed) : 0;
    const overheadSeconds = traits.cpuOverlapsGpu
      ? overlappedOverhead(graphed, s.sequences, matmulSeconds + attentionSeconds + communicationSeconds)
      : (graphed ? overhead : eagerOverhead) + perSequence * s.sequences;
    const decodeAttentionFlops = attentionFlopsPerPair * s.decodeContextTokens;
    // Summed in this order, as before the overlap existed, so other engines' figures stay bit for bit.
    const seconds = overheadSeconds + matmulSeconds + attentionSeconds + communicationSeconds;
    return {
      seconds,
      matmulSeconds,
      attentionSeconds,
      communicationSeconds,
      overheadSeconds,
      flops: (matmulFlops + prefillAttentionFlops + decodeAttentionFlops) * tp,
      computeUtilization: Math.min(1, (matmulFlops + prefillAttentionFlops) / (matmulPeak * seconds)),
      memoryUtilization: Math.min(1, (weightBytesPerGpu + kvReadBytes) / (bandwidth * seconds)),
      computeBound: computeSeconds >= weightSeconds,
    };
  }

  return {
    model,
    gpu,
    precision,
    tensorParallel: tp,
    efficiency,
    groupPeakFlops: matmulPeak * tp,
    iterationSeconds: (s) => breakdown(s).seconds,
    breakdown,
  };
}

/**
 * What decode attention costs per byte of KV cache it attends to (each term is linear in it,
 * so the roofline's max is taken once per model). Grouped kernels read the cache once, from
 * HBM. Without grouped-query decode kernels (masked multi-head attention: one thread block
 * per query head) the blocks of a KV head's query heads run together and read the same K/V:
 * the first read comes from HBM, the repeats hit L2 where the GPU's L2 bandwidth is measured
 * (at HBM speed where it is not), and each block widens every element it reads to FP32 on
 * CUDA cores (MMHA_USE_FP32_ACUM_FOR_FMA / _OUT). That kernel takes the longest of the three
 * (hierarchical roofline). The same kernel serving a multi-head model reads each KV head once,
 * from HBM; where the engine profile says so (`kvWidenedToFp32`), its widening counts from
 * the cache's precision (an FP8 cache converts through FP16 pairs) and may outlast the read.
 * A grouped kernel on CUDA cores (cudaCoreDecodeProductsPerSecond) reads each KV head once
 * but multiplies every element with each query head of the group on the GPU: g products per
 * element, which at g = 8 take longer than the read on Hopper.
 */
function decodeKvCost(
  model: ServingModel,
  gpu: Gpu,
  precision: Precision,
  tp: number,
  efficiency: Efficiency,
  traits: EngineTraits,
): { hbmReadsPerDecodeKvByte: number; secondsPerDecodeKvByte: number } {
  const readsPerByte = traits.kvReadsPerQueryHead ? model.heads / model.kvHeads : 1;
  const hbmSecondsPerByte = 1 / (gpu.hbmGBps * 1e9 * efficiency.kvMemory);
  if (readsPerByte === 1 && !traits.kvWidenedToFp32) {
    const rate = traits.cudaCoreDecodeProductsPerSecond;
    const productSecondsPerByte = rate !== undefined ? queryHeadsPerKvHeadPerGpu(model, tp) / precision.kvBytes / rate : 0;
    return { hbmReadsPerDecodeKvByte: 1, secondsPerDecodeKvByte: Math.max(hbmSecondsPerByte, productSecondsPerByte) };
  }
  const l2 = gpu.l2ReadGBps !== undefined ? gpu.l2ReadGBps * 1e9 : undefined;
  const cycles = smCyclesPerSecond(gpu);
  const conversionsPerSecond = cycles !== undefined ? cycles * CONVERSIONS_PER_CLOCK_PER_SM : undefined;
  const conversionsPerElement = traits.kvWidenedToFp32 ? fp32WideningConversions(precision) : 1;
  const hbmReadsPerDecodeKvByte = l2 !== undefined ? 1 : readsPerByte;
  const secondsPerDecodeKvByte = Math.max(
    hbmReadsPerDecodeKvByte * hbmSecondsPerByte,
    l2 !== undefined && readsPerByte > 1 ? readsPerByte / l2 : 0,
    conversionsPerSecond !== undefined ? (readsPerByte * conversionsPerElement) / precision.kvBytes / conversionsPerSecond : 0,
  );
  return { hbmReadsPerDecodeKvByte, secondsPerDecodeKvByte };
}

/**
 * Query heads per KV head on one GPU of a tensor-parallel group: KV heads split over the GPUs
 * until each holds one, then each GPU keeps a copy of its one (vLLM's and SGLang's
 * get_num_kv_heads), so past that point the group shrinks with the query heads.
 */
export function queryHeadsPerKvHeadPerGpu(model: ServingModel, tp: number): number {
  return model.heads / tp / Math.max(1, model.kvHeads / tp);
}

/**
 * A kernel's time from its compute and memory roofs. Near the ridge point (c = w) a GEMM
 * reaches neither roof: the p-norm goes from one roof to the other smoothly, 2^(1/p) x either
 * at the ridge (p = 2: 1.41x), and tends to the plain roofline's max as p grows.
 */
export function combineRoofs(computeSeconds: number, memorySeconds: number, exponent: number | undefined): number {
  if (exponent === undefined) return Math.max(computeSeconds, memorySeconds);
  const longer = Math.max(computeSeconds, memorySeconds);
  if (longer === 0) return 0;
  // Scaled by the longer term so that large exponents do not overflow.
  return longer * ((computeSeconds / longer) ** exponent + (memorySeconds / longer) ** exponent) ** (1 / exponent);
}

/**
 * CUDA-core conversions to widen one KV element to FP32: one from a 16-bit cache; from an FP8
 * cache a paired FP8 -> FP16x2 conversion (half an instruction per element) and then the FP32 one.
 */
function fp32WideningConversions(precision: Precision): number {
  return precision.kvBytes === 1 ? 1.5 : 1;
}

/** Shape of a prefill-only iteration over whole prompts of the given lengths. */
export function prefillShape(promptLengths: readonly number[]): IterationShape {
  let tokens = 0;
  let pairs = 0;
  for (const c of promptLengths) {
    tokens += c;
    pairs += (c * (c + 1)) / 2;
  }
  return {
    prefillTokens: tokens,
    prefillAttentionPairs: pairs,
    prefillCachedTokens: 0,
    decodeTokens: 0,
    decodeContextTokens: 0,
    logitTokens: promptLengths.length,
    sequences: promptLengths.length,
  };
}

/** Shape of a decode-only iteration of `batch` sequences holding `contextTokens` in total. */
export function decodeShape(batch: number, contextTokens: number): IterationShape {
  return {
    prefillTokens: 0,
    prefillAttentionPairs: 0,
    prefillCachedTokens: 0,
    decodeTokens: batch,
    decodeContextTokens: contextTokens,
    logitTokens: batch,
    sequences: batch,
  };
}

