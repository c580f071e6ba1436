/**
 * Is compressing worth it? The compression calls cost tokens on the compressor model;
 * each later call of the capsule saves input tokens on the target model. Break-even is
 * the number of calls after which the savings have paid for the compression.
 */
import { estimateCost } from '../cost/cost';
import type { ModelEntry } from '../catalog/types';
import { capsuleSavings } from '../cost/savings';
import type { TokenizerId } from '../tokens/tokenizer';
import type { LlmUsage } from './capsulator';

export interface CompressionEconomics {
  /** USD the compression calls cost; null when the compressor model has no catalog price (local servers). */
  compressionCostUsd: number | null;
  /** The catalog row the compression was priced with. */
  pricedAs?: string;
  savingPerCallUsd: number;
  /** Calls of the capsule after which it has paid for itself; null when it never does (or is free). */
  breakEvenCalls: number | null;
  /** Net saving after `calls` calls (the compression paid once). */
  netAfter(calls: number): number | null;
}

export function compressionEconomics(
  usage: LlmUsage,
  compressor: ModelEntry | undefined,
  target: ModelEntry,
  counts: { originalTokens: number; capsuleTokens: number; tokenizer: TokenizerId },
): CompressionEconomics {
  const savings = capsuleSavings(counts, target);
  const savingPerCallUsd = savings.originalCostUsd - savings.capsuleCostUsd;
  const compressionCostUsd = compressor ? usageCostUsd(usage, compressor) : null;
  const breakEvenCalls =
    compressionCostUsd === null || compressionCostUsd === 0 ? (compressionCostUsd === 0 ? 0 : null) : savingPerCallUsd > 0 ? Math.ceil(compressionCostUsd / savingPerCallUsd) : null;
  return {
    compressionCostUsd,
    ...(compressor ? { pricedAs: compressor.id } : {}),
    savingPerCallUsd,
    breakEvenCalls,
    netAfter: (calls) => (compressionCostUsd === null ? null : calls * savingPerCallUsd - compressionCostUsd),
  };
}

/** What the calls behind `usage` cost at the model's catalog prices (the catalog's own arithmetic). */
export function usageCostUsd(usage: Pick<LlmUsage, 'promptTokens' | 'completionTokens'>, model: ModelEntry): number {
  return estimateCost(model, usage.promptTokens, { callsPerDay: 1, outputTokens: usage.completionTokens }).perCallUsd;
}
