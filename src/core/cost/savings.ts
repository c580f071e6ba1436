import type { ModelEntry } from '../catalog/types';
import { formatCount, formatPercent, formatUsd } from '../format/numbers';
import type { TokenizerId } from '../tokens/tokenizer';
import { estimateCost } from './cost';

export interface Savings {
  model: ModelEntry;
  originalTokens: number;
  capsuleTokens: number;
  originalCostUsd: number;
  capsuleCostUsd: number;
}

/**
 * Token and input-cost savings of a capsule for a model. Counts made with the model's
 * tokenizer are used as they are; for a model whose count is an estimate, they are
 * scaled by its ratio, as everywhere else its count is shown.
 */
export function capsuleSavings(
  counts: { originalTokens: number; capsuleTokens: number; tokenizer: TokenizerId },
  model: ModelEntry,
): Savings {
  const scale = model.tokenizerExact || model.tokenizer !== counts.tokenizer ? 1 : (model.estimateRatio ?? 1);
  const originalTokens = Math.round(counts.originalTokens * scale);
  const capsuleTokens = Math.round(counts.capsuleTokens * scale);
  const usage = { callsPerDay: 1, outputTokens: 0 };
  return {
    model,
    originalTokens,
    capsuleTokens,
    originalCostUsd: estimateCost(model, originalTokens, usage).inputCostUsd,
    capsuleCostUsd: estimateCost(model, capsuleTokens, usage).inputCostUsd,
  };
}

export function describeSavings(s: Savings): string {
  const cut = s.originalTokens > 0 ? 1 - s.capsuleTokens / s.originalTokens : 0;
  return `${formatCount(s.originalTokens)} → ${formatCount(s.capsuleTokens)} tokens (−${formatPercent(cut)}), saves ${formatUsd(s.originalCostUsd - s.capsuleCostUsd)} per call on ${s.model.name}`;
}
