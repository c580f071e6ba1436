import modelsFile from './data/models.json';
import gpusFile from './data/gpus.json';
import precisionsFile from './data/precisions.json';
import tokenizersFile from './data/tokenizers.json';

/** A decoder-only transformer, as its config.json describes it. */
export interface ServingModel {
  id: string;
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  /** gated: SwiGLU/GeGLU, three matrices; plain: two (OPT). */
  mlp: 'gated' | 'plain';
  vocab: number;
  tiedEmbeddings: boolean;
  paramsB: number;
  /** Id in data/tokenizers.json: how its token count relates to o200k_base's. */
  tokenizer: string;
  maxContext: number;
  visionTokensPerImage?: number;
  /** Parameters outside the decoder (vision encoder, projector): held in memory, not run per token. */
  extraParamsB?: number;
  source: string;
  notes?: string;
}

export type PeakKey = 'fp16' | 'bf16' | 'fp8' | 'int8';

export interface Gpu {
  id: string;
  name: string;
  peakTflops: Record<PeakKey, number | null>;
  hbmGBps: number;
  memoryGiB: number;
  interconnect: string;
  interconnectGBps: number;
  /**
   * The all-reduce bus bandwidth NCCL reaches across the node's GPUs (nccl-tests busbw at
   * large sizes, comparable to one link direction); absent: interconnectGBps.
   */
  allReduceBusGBps?: number;
  allReduceBusSource?: string;
  allReduceLatencyUs: number;
  /**
   * The largest share of each tensor-core peak a dense matmul reaches on this GPU (its best
   * shape, measured); no fitted or scaled matmul efficiency goes above it. Absent: no figure.
   */
  matmulCeiling?: Partial<Record<PeakKey, number>>;
  matmulCeilingSource?: string;
  /**
   * The largest share of hbmGBps a read-streaming kernel reaches on this GPU (measured); no
   * fitted or scaled weight- or KV-streaming efficiency goes above it. Absent: no figure.
   */
  hbmReadCeiling?: number;
  hbmReadCeilingSource?: string;
  /** L2 read bandwidth a microbenchmark reaches with all SMs (measured), GB/s. Absent: no figure. */
  l2ReadGBps?: number;
  l2ReadSource?: string;
  /** Streaming multiprocessors and boost clock (datasheet), for CUDA-core instruction rates. */
  smCount?: number;
  boostClockMHz?: number;
  smSource?: string;
  tdpW: number;
  idleW: number;
  pricePerHourUsd: number;
  source: string;
  priceSource: string;
  /** Figures in the row that no source gives, and why they are what they are. */
  assumptions?: string;
}

export interface Precision {
  id: string;
  name: string;
  weightBytes: number;
  /**
   * Bytes per parameter of the input embedding and the LM head, which every quantisation here
   * leaves in the model's 16-bit type (precisions.json notes give the sources).
   */
  embeddingBytes: number;
  kvBytes: number;
  computePeak: PeakKey;
  fallback: PeakKey | null;
  source: string;
}

/** A serving model's tokenizer, as a ratio to the o200k_base count the panel makes exactly. */
export interface ServingTokenizer {
  id: string;
  name: string;
  ratioToO200k: number;
  /** False where another tokenizer's ratio stands in. */
  measured: boolean;
  source: string;
}

export const SERVING_TOKENIZERS: readonly ServingTokenizer[] = tokenizersFile.tokenizers as ServingTokenizer[];

export const MODELS: readonly ServingModel[] = modelsFile.models as ServingModel[];
export const GPUS: readonly Gpu[] = gpusFile.gpus as Gpu[];
export const PRECISIONS: readonly Precision[] = precisionsFile.precisions as Precision[];

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

function lookup<T extends { id: string }>(rows: readonly T[], id: string, kind: string): T {
  const row = rows.find((r) => r.id === id.toLowerCase());
  if (!row) throw new CatalogError(`unknown ${kind} '${id}' (known: ${rows.map((r) => r.id).join(', ')})`);
  return row;
}

export const getServingModel = (id: string): ServingModel => lookup(MODELS, id, 'model');
export const getGpu = (id: string): Gpu => lookup(GPUS, id, 'GPU');
export const getPrecision = (id: string): Precision => lookup(PRECISIONS, id, 'precision');
export const getServingTokenizer = (id: string): ServingTokenizer => lookup(SERVING_TOKENIZERS, id, 'tokenizer');

/** Weights of one layer's attention and MLP matrices (biases and norms are negligible). */
export function layerParams(m: ServingModel): number {
  const q = m.hidden * m.heads * m.headDim;
  const kv = 2 * m.hidden * m.kvHeads * m.headDim;
  const o = m.heads * m.headDim * m.hidden;
  const mlp = (m.mlp === 'gated' ? 3 : 2) * m.hidden * m.ffn;
  return q + kv + o + mlp;
}

export function lmHeadParams(m: ServingModel): number {
  return m.vocab * m.hidden;
}

/** All parameters stored in GPU memory (the input embedding is a separate matrix unless tied). */
export function totalParamsFromShape(m: ServingModel): number {
  return m.layers * layerParams(m) + embeddingTableParams(m) + (m.extraParamsB ?? 0) * 1e9;
}

/** The input embedding and the LM head (one matrix when tied). */
function embeddingTableParams(m: ServingModel): number {
  return (m.tiedEmbeddings ? 1 : 2) * m.vocab * m.hidden;
}

/** Bytes of weights stored in GPU memory: the layers at the precision's width, the embedding tables at theirs. */
export function storedWeightBytes(m: ServingModel, p: Precision): number {
  return (m.layers * layerParams(m) + (m.extraParamsB ?? 0) * 1e9) * p.weightBytes + embeddingTableParams(m) * p.embeddingBytes;
}

/** Bytes of weights every iteration reads: each layer's matrices and the LM head (the embedding is only gathered from). */
export function streamedWeightBytes(m: ServingModel, p: Precision): number {
  return m.layers * layerParams(m) * p.weightBytes + lmHeadParams(m) * p.embeddingBytes;
}

/** Bytes of K and V cached per token across all layers. */
export function kvBytesPerToken(m: ServingModel, p: Precision): number {
  return 2 * m.layers * m.kvHeads * m.headDim * p.kvBytes;
}

/**
 * The tensor-core peak a precision's matmuls run at on a GPU: its own, else its fallback
 * (FP8 weights on an A100 run at the 16-bit peak). The efficiency factors are looked up at
 * the same key.
 */
export function matmulPeakKey(g: Gpu, p: Precision): PeakKey {
  return (g.peakTflops[p.computePeak] ?? null) === null && p.fallback ? p.fallback : p.computePeak;
}

/** The tensor-core peak (FLOP/s) the matmuls of this precision run at on this GPU. */
export function matmulPeakFlops(g: Gpu, p: Precision): number {
  const peak = g.peakTflops[matmulPeakKey(g, p)];
  if (peak === null || peak === undefined) {
    throw new CatalogError(`${g.name} has no ${p.computePeak} tensor cores for ${p.name}`);
  }
  return peak * 1e12;
}

/** SM clock cycles a second over the whole GPU (SMs x boost clock), for CUDA-core rates; undefined without the datasheet figures. */
export function smCyclesPerSecond(g: Gpu): number | undefined {
  return g.smCount !== undefined && g.boostClockMHz !== undefined ? g.smCount * g.boostClockMHz * 1e6 : undefined;
}

/** Attention runs in 16-bit on every engine in the calibration set (FP8 attention is not assumed). */
export function attentionPeakFlops(g: Gpu): number {
  return (g.peakTflops.fp16 ?? 0) * 1e12;
}
