import type { ModelEntry } from '../catalog/types';
import { getTokenizer, type TokenizerId } from '../tokens/tokenizer';

export interface ModelTokenCount {
  modelId: string;
  tokens: number;
  tokenizer: TokenizerId;
  /** false: the model's own tokenizer is not available; `tokens` is an estimate. */
  exact: boolean;
}

/** Exact counts per tokenizer for one text: each tokenizer runs once, however many models. */
export function countByTokenizer(text: string, tokenizers: Iterable<TokenizerId>): Map<TokenizerId, number> {
  const counts = new Map<TokenizerId, number>();
  for (const id of tokenizers) {
    if (!counts.has(id)) counts.set(id, getTokenizer(id).count(text));
  }
  return counts;
}

/** Turns per-tokenizer counts into per-model counts (estimates scaled by their ratio). */
export function modelCounts(models: readonly ModelEntry[], counts: ReadonlyMap<TokenizerId, number>): ModelTokenCount[] {
  return models.map((m) => {
    const base = counts.get(m.tokenizer);
    if (base === undefined) throw new Error(`no ${m.tokenizer} count for ${m.id}`);
    return {
      modelId: m.id,
      tokenizer: m.tokenizer,
      exact: m.tokenizerExact,
      tokens: m.tokenizerExact ? base : Math.round(base * (m.estimateRatio ?? 1)),
    };
  });
}

export function countForModels(text: string, models: readonly ModelEntry[]): ModelTokenCount[] {
  return modelCounts(models, countByTokenizer(text, models.map((m) => m.tokenizer)));
}
