/**
 * HiRED's visual-token budget for self-hosted LLaVA-Next models: how many visual tokens an
 * image keeps, and the published accuracy at that budget (data/hired.json). The simulator
 * computes the effect on prefill time, memory and throughput from the shorter prompt.
 */
import data from './data/hired.json';
import type { QualityEstimate } from './quality';

export const VISUAL_BUDGET_LIMITS = { min: 0.2, max: 1 } as const;

export const HIRED_CAVEAT: string = data.caveat;

/** Visual tokens an image keeps at a budget (HiRED: floor(p x tokens)). */
export function visualTokensKept(tokensPerImage: number, budget: number): number {
  return Math.floor(tokensPerImage * budget);
}

const ratio = (scores: readonly number[], full: readonly number[]) => scores.reduce((sum, s, i) => sum + s / full[i]!, 0) / scores.length;

/** Relative quality of a visual-token budget; undefined for a model HiRED did not evaluate. */
export function visualBudgetQuality(model: string, budget: number): QualityEstimate | undefined {
  const entry = data.models.find((m) => m.model === model);
  if (!entry || budget < VISUAL_BUDGET_LIMITS.min || budget > VISUAL_BUDGET_LIMITS.max) return undefined;
  const full = entry.rows.find((r) => r.budget === 1)!.scores;
  const points = entry.rows.map((r) => ({ budget: r.budget, relative: Math.min(1, ratio(r.scores, full)), label: r.label })).sort((a, b) => a.budget - b.budget);
  const exact = points.find((p) => Math.abs(p.budget - budget) < 1e-9);
  const percent = `${Math.round(budget * 100)}%`;
  if (exact) {
    return { relative: exact.relative, basis: [`visual tokens ${percent}: ${exact.relative.toFixed(3)}, the mean ${exact.label} / Full score over ${data.benchmarks.join(', ')} (${data.source})`, HIRED_CAVEAT] };
  }
  const hi = points.find((p) => p.budget > budget)!;
  const lo = [...points].reverse().find((p) => p.budget < budget)!;
  const relative = lo.relative + ((hi.relative - lo.relative) * (budget - lo.budget)) / (hi.budget - lo.budget);
  return {
    relative,
    basis: [`visual tokens ${percent}: ${relative.toFixed(3)}, interpolated between the published ${lo.label} and ${hi.label} (${data.source})`, HIRED_CAVEAT],
  };
}
