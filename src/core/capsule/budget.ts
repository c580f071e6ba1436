/**
 * The budget controller: applies drop units in priority order until the estimated
 * size reaches the target, then measures the real token count of the rendered text
 * and steps forward (more drops) or back (undo) until the exact count lands in
 * [95%, 100%] of the target, or no unit is left. Any backend that can rank drop
 * units can reuse it.
 */
import { checkAborted } from './abort';
import { DropState, type DropCategory, type DropUnit } from './units';
import type { AbortFlag } from './types';

export interface BudgetProblem {
  readonly units: readonly DropUnit[];
  /** Estimated tokens of the whole document (sum of piece costs). */
  readonly estimatedTotal: number;
  /** Exact tokens of the whole document. */
  readonly exactTotal: number;
  readonly target: number;
  readonly state: DropState;
  render(state: DropState): string;
  count(text: string): number;
  readonly signal?: AbortFlag | undefined;
}

export interface BudgetOutcome {
  text: string;
  tokens: number;
  /** Every unit was applied and the text is still over the target. */
  exhausted: boolean;
  dropped: Map<DropCategory, { count: number; estimatedTokens: number }>;
}

const LOW_END = 0.95;
const MAX_STEPS = 16;

function summarize(state: DropState): Map<DropCategory, { count: number; estimatedTokens: number }> {
  const summary = new Map<DropCategory, { count: number; estimatedTokens: number }>();
  for (const { unit, saved } of state.appliedUnits()) {
    if (saved === 0 && unit.category !== 'filler-phrase') continue;
    const row = summary.get(unit.category) ?? { count: 0, estimatedTokens: 0 };
    row.count++;
    row.estimatedTokens += saved;
    summary.set(unit.category, row);
  }
  return summary;
}

export function fitToBudget(problem: BudgetProblem): BudgetOutcome {
  const { units, target, state } = problem;
  let estimate = problem.estimatedTotal;
  let next = 0;

  const applyOne = (): void => {
    if ((next & 1023) === 0) checkAborted(problem.signal);
    estimate -= state.apply(units[next++]!);
  };
  const advanceTo = (goal: number): void => {
    if (next < units.length) applyOne();
    while (next < units.length && estimate > goal) applyOne();
  };
  const retreatTo = (goal: number): void => {
    if (state.appliedCount > 0) {
      estimate += state.undo();
      next--;
    }
    while (state.appliedCount > 0 && estimate + state.lastSaving() <= goal) {
      estimate += state.undo();
      next--;
    }
  };
  const measure = (): { text: string; tokens: number } => {
    const text = problem.render(state);
    return { text, tokens: problem.count(text) };
  };

  const scale = problem.estimatedTotal > 0 ? problem.exactTotal / problem.estimatedTotal : 1;
  advanceTo(target / scale);
  let current = measure();
  let best = { ...current, exhausted: next >= units.length, dropped: summarize(state) };
  const isBetter = (tokens: number): boolean =>
    tokens <= target ? best.tokens > target || tokens > best.tokens : best.tokens > target && tokens < best.tokens;

  for (let step = 0; step < MAX_STEPS; step++) {
    if (current.tokens <= target && current.tokens >= LOW_END * target) break;
    const localScale = estimate > 0 ? current.tokens / estimate : scale;
    if (current.tokens > target) {
      if (next >= units.length) break;
      // Later steps overshoot on purpose: better under the target than over it.
      const push = step < 3 ? 1 : step < 8 ? 1.5 : 3;
      advanceTo(estimate - ((current.tokens - target) * push) / localScale);
    } else {
      if (state.appliedCount === 0) break;
      retreatTo(estimate + ((target - current.tokens) * 0.9) / localScale);
    }
    current = measure();
    if (isBetter(current.tokens)) best = { ...current, exhausted: next >= units.length, dropped: summarize(state) };
  }
  return best;
}
