import type { ModelEntry } from '../catalog/types';
import { estimateCost, type UsageProfile } from '../cost/cost';
import type { ModelRow } from '../protocol/panel';
import type { TokenizerId } from '../tokens/tokenizer';
import { modelCounts } from './countModels';

/** One table row per model: tokens, cost per call and per day, overflow flags, provenance. */
export function buildModelRows(
  models: readonly ModelEntry[],
  counts: ReadonlyMap<TokenizerId, number>,
  usage: UsageProfile,
): ModelRow[] {
  const perModel = modelCounts(models, counts);
  return models.map((m, i) => {
    const count = perModel[i]!;
    const cost = estimateCost(m, count.tokens, usage);
    const row: ModelRow = {
      id: m.id,
      name: m.name,
      provider: m.provider,
      tokens: count.tokens,
      exact: count.exact,
      tokenizer: m.tokenizer,
      inputPerMTok: m.inputPerMTok,
      cachedInputPerMTok: m.cachedInputPerMTok,
      outputPerMTok: m.outputPerMTok,
      inputCostUsd: cost.inputCostUsd,
      perCallUsd: cost.perCallUsd,
      perDayUsd: cost.perDayUsd,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      overflowsContext: cost.overflowsContext,
      overflowsOutput: cost.overflowsOutput,
      contextShare: cost.contextShare,
      source: m.source,
      asOf: m.asOf,
      origin: m.origin ?? 'bundled',
    };
    if (!count.exact && m.estimateBasis) row.estimateBasis = m.estimateBasis;
    return row;
  });
}
