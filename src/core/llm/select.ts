/**
 * Sub-model selection for local servers: a server often holds one family in several
 * sizes (0.5B to 8B and up). A one-time calibration compresses a few sample prompts with
 * each model, recording time per 1k prompt tokens and the share of candidates that pass
 * validation; the selector then picks the smallest model whose predicted time for this
 * prompt fits the latency budget and whose candidates pass often enough, and says why.
 */
import { formatCount, formatPercent } from '../format/numbers';

export interface ModelCalibration {
  model: string;
  baseUrl: string;
  /** Wall time per 1,000 prompt tokens, median over the samples. */
  msPer1kTokens: number;
  /** Share of all candidates that passed validation. */
  passShare: number;
  samples: number;
  /** Parameter count parsed from the model's name ("qwen2.5:0.5b" -> 0.5), when it has one. */
  billions?: number;
  measuredAt: string;
  /** Why the model could not be calibrated (it is then never selected). */
  error?: string;
}

export interface Selection {
  model: string | undefined;
  /** The reason, in words: shown in the card, the tooltip and --json. */
  reason: string;
}

/** A minimum share of passing candidates below which a model is not chosen. */
export const DEFAULT_MIN_PASS_SHARE = 0.5;

export function parameterBillions(model: string): number | undefined {
  const match = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)\s*([bm])(?![a-z])/i.exec(model);
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2]!.toLowerCase() === 'm' ? n / 1000 : n;
}

/**
 * The smallest model (by parameters, else the fastest) whose predicted time for
 * `promptTokens` fits `latencyBudgetMs` and whose candidates passed at least
 * `minPassShare` of the time. When none fits, the fastest model that passes, said so.
 */
export function selectModel(calibrations: readonly ModelCalibration[], promptTokens: number, latencyBudgetMs: number, minPassShare = DEFAULT_MIN_PASS_SHARE): Selection {
  const usable = calibrations.filter((c) => !c.error && Number.isFinite(c.msPer1kTokens));
  if (usable.length === 0) return { model: undefined, reason: 'no model has been calibrated on this machine yet' };
  const predict = (c: ModelCalibration) => (c.msPer1kTokens * promptTokens) / 1000;
  const reliable = usable.filter((c) => c.passShare >= minPassShare);
  if (reliable.length === 0) {
    return { model: undefined, reason: `no model's candidates passed validation at least ${formatPercent(minPassShare)} of the time in calibration` };
  }
  const smallestFirst = (a: ModelCalibration, b: ModelCalibration) => (a.billions ?? Infinity) - (b.billions ?? Infinity) || a.msPer1kTokens - b.msPer1kTokens;
  const fitting = reliable.filter((c) => predict(c) <= latencyBudgetMs).sort(smallestFirst);
  const describe = (c: ModelCalibration) =>
    `predicted ${formatCount(predict(c))} ms for ${formatCount(promptTokens)} tokens (${formatCount(c.msPer1kTokens)} ms per 1k measured), ${formatPercent(c.passShare)} of its candidates passed`;
  if (fitting.length > 0) {
    const choice = fitting[0]!;
    return { model: choice.model, reason: `${choice.model}: the smallest model within the ${formatCount(latencyBudgetMs)} ms budget: ${describe(choice)}` };
  }
  const fastest = [...reliable].sort((a, b) => a.msPer1kTokens - b.msPer1kTokens)[0]!;
  return { model: fastest.model, reason: `${fastest.model}: no model fits the ${formatCount(latencyBudgetMs)} ms budget; the fastest reliable one: ${describe(fastest)}` };
}
