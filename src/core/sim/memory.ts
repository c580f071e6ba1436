import { Gpu, Precision, ServingModel, kvBytesPerToken, storedWeightBytes } from './catalog';
import { MEMORY_SETTINGS, MemorySettings } from './calibration';

const GIB = 1024 ** 3;

/** The limits an engine was built for (TensorRT-LLM max_batch_size, max_num_tokens, max_seq_len). */
export interface EngineBuild {
  maxBatch: number;
  maxNumTokens: number;
  /** Longest sequence, prompt and reply (trtllm-bench builds for the dataset's longest). Unset: no per-token buffers. */
  maxSeqLen?: number;
}

export interface MemoryPlan {
  /** Weight bytes on each GPU of the tensor-parallel group. */
  weightBytesPerGpu: number;
  /** What each GPU keeps besides weights and KV: the runtime's buffers, or the activation reserve. */
  reserveBytesPerGpu: number;
  /** KV-cache tokens the whole group can hold. */
  kvCapacityTokens: number;
  kvBytesPerToken: number;
}

/**
 * KV-cache capacity from the memory left after weights, as vLLM sizes it: a fraction of each
 * GPU's memory, minus the weight shard and an activation reserve, divided by KV bytes per token.
 * Capacity is rounded down to whole blocks.
 */
export function planMemory(
  model: ServingModel,
  gpu: Gpu,
  precision: Precision,
  tensorParallel: number,
  settings: MemorySettings = MEMORY_SETTINGS,
  build?: EngineBuild,
): MemoryPlan {
  const weightBytesPerGpu = storedWeightBytes(model, precision) / tensorParallel;
  // vLLM: a share of the whole memory, weights included. TensorRT-LLM: a share of what the
  // weights and the runtime's buffers leave free (kv_cache_free_gpu_mem_fraction). Where the
  // runtime's buffers are known but not how the engine shares out the rest (runtimeMemory
  // without kvFreeMemoryFraction), vLLM's share, with those buffers as the reserve.
  const reserveBytesPerGpu =
    settings.kvFreeMemoryFraction !== undefined || settings.runtimeMemory !== undefined ? runtimeReserveBytes(model, settings, build) : settings.activationReserveGiB * GIB;
  const freePerGpu =
    settings.kvFreeMemoryFraction !== undefined
      ? (gpu.memoryGiB * GIB - reserveBytesPerGpu - weightBytesPerGpu) * settings.kvFreeMemoryFraction
      : gpu.memoryGiB * GIB * memoryUtilizationAt(settings, tensorParallel) - reserveBytesPerGpu - weightBytesPerGpu;
  const perToken = kvBytesPerToken(model, precision);
  const rawTokens = freePerGpu > 0 ? Math.floor((freePerGpu * tensorParallel) / perToken) : 0;
  const kvCapacityTokens = Math.floor(rawTokens / settings.blockTokens) * settings.blockTokens;
  return { weightBytesPerGpu, reserveBytesPerGpu, kvCapacityTokens, kvBytesPerToken: perToken };
}

/**
 * Memory each GPU's runtime holds besides the weights: the engine's runtime buffers where the
 * settings describe them and the build is known (each rank keeps whole-vocabulary logits and
 * its own sampling buffers), else the flat activation reserve.
 */
function runtimeReserveBytes(model: ServingModel, settings: MemorySettings, build: EngineBuild | undefined): number {
  const runtime = settings.runtimeMemory;
  if (runtime === undefined || build === undefined) return settings.activationReserveGiB * GIB;
  return (
    runtime.fixedGiB * GIB +
    runtime.bytesPerBatchVocabEntry * build.maxBatch * model.vocab +
    (runtime.bytesPerBatchSlot ?? 0) * build.maxBatch +
    (runtime.bytesPerBatchSequenceToken ?? 0) * build.maxBatch * (build.maxSeqLen ?? 0) +
    runtime.bytesPerTokenHiddenElement * build.maxNumTokens * model.hidden
  );
}

/** The share of each GPU's memory for weights and KV at this TP degree (MemorySettings.gpuMemoryUtilizationByTp). */
export function memoryUtilizationAt(settings: MemorySettings, tensorParallel: number): number {
  let fraction = settings.gpuMemoryUtilization;
  let from = 0;
  for (const step of settings.gpuMemoryUtilizationByTp ?? []) {
    if (step.minTp <= tensorParallel && step.minTp >= from) {
      fraction = step.fraction;
      from = step.minTp;
    }
  }
  return fraction;
}
