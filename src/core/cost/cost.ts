import type { ModelEntry } from '../catalog/types';

/** How a prompt is used: how often, with how much output, and how much of it is cached. */
export interface UsageProfile {
  /** Calls per day, for the daily figure. */
  callsPerDay: number;
  /** Expected output tokens per call. */
  outputTokens: number;
  /** Share of input tokens served from the provider's prompt cache (0..1). */
  cachedInputShare?: number;
}

export interface CostEstimate {
  inputCostUsd: number;
  outputCostUsd: number;
  perCallUsd: number;
  perDayUsd: number;
  /** Input plus expected output does not fit the context window. */
  overflowsContext: boolean;
  /** Expected output exceeds the model's maximum output. */
  overflowsOutput: boolean;
  /** Fraction of the context window the call uses (input + output). */
  contextShare: number;
}

const PER_MILLION = 1_000_000;

export function estimateCost(model: ModelEntry, inputTokens: number, usage: UsageProfile): CostEstimate {
  const cachedShare = model.cachedInputPerMTok === null ? 0 : clamp01(usage.cachedInputShare ?? 0);
  const cachedTokens = inputTokens * cachedShare;
  const freshTokens = inputTokens - cachedTokens;
  const inputCostUsd =
    (freshTokens * model.inputPerMTok + cachedTokens * (model.cachedInputPerMTok ?? model.inputPerMTok)) / PER_MILLION;
  const outputCostUsd = (usage.outputTokens * model.outputPerMTok) / PER_MILLION;
  const perCallUsd = inputCostUsd + outputCostUsd;
  return {
    inputCostUsd,
    outputCostUsd,
    perCallUsd,
    perDayUsd: perCallUsd * usage.callsPerDay,
    overflowsContext: inputTokens + usage.outputTokens > model.contextWindow,
    overflowsOutput: usage.outputTokens > model.maxOutputTokens,
    contextShare: (inputTokens + usage.outputTokens) / model.contextWindow,
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
