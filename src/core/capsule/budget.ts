/**
 * The budget controller: applies drop units in priority order until the estimated
 * size reaches the target, then measures the real token count of the rendered text
 * and steps forward (more drops) or back (undo) until the exact count lands in
 * [90%, 103%] of the target, or no unit is left. Any backend that can rank drop
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
  /** Keep/drop mark of every piece in the returned text (see DropState.marks). */
  marks: Uint8Array;
}

const LOW_END = 0.9;
/**
 * A draft up to 3% over the target is accepted as it is (the budget allows 5%): searching
 * for one just under it costs two or three more renders and counts on most prompts.
 */
const HIGH_END = 1.03;
const SECANT_STEPS = 2;
const BISECT_STEPS = 4;
/** How far over the target the all-dropped estimate must be to skip the search. */
const INFEASIBLE_MARGIN = 1;

function summarize(state: DropState): Map<DropCategory, { count: number; estimatedTokens: number }> {
  const summary = new Map<DropCategory, { count: number; estimatedTokens: number }>();
  for (let k = 0; k < state.appliedCount; k++) {
    const category = state.appliedCategoryAt(k);
    const saved = state.appliedSavingAt(k);
    if (saved === 0 && category !== 'filler-phrase') continue;
    const row = summary.get(category) ?? { count: 0, estimatedTokens: 0 };
    row.count++;
    row.estimatedTokens += saved;
    summary.set(category, row);
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
  const goTo = (count: number): void => {
    while (next < count) applyOne();
    while (next > count) {
      estimate += state.undo();
      next--;
    }
  };
  // What the caller gets for a measured draft: the state it was measured in, copied.
  const outcome = (draft: { text: string; tokens: number }): BudgetOutcome => ({
    ...draft,
    exhausted: next >= units.length,
    dropped: summarize(state),
    marks: state.marks.slice(),
  });
  const measure = (): { text: string; tokens: number } => {
    const text = problem.render(state);
    return { text, tokens: problem.count(text) };
  };

  const scale = problem.estimatedTotal > 0 ? problem.exactTotal / problem.estimatedTotal : 1;
  // Clearly infeasible (even with every unit applied the estimate is over the target):
  // one render of the floor instead of many small steps towards it.
  // (A dry run first: applying and undoing every unit costs more, and is rarely needed.)
  let floor: { text: string; tokens: number } | undefined;
  if ((estimate - state.savingOfAll(units)) * scale > target * INFEASIBLE_MARGIN) {
    while (next < units.length) applyOne();
    floor = measure();
    if (floor.tokens > target) return outcome(floor);
    while (state.appliedCount > 0) {
      estimate += state.undo();
      next--;
    }
  }
  advanceTo(target / scale);
  // The floor was just measured: do not render the same state twice.
  let current = floor && next >= units.length ? floor : measure();
  let best = outcome(current);
  const inWindow = (tokens: number): boolean => tokens <= HIGH_END * target && tokens >= LOW_END * target;
  // In the accepted window beats out of it; then under the target beats over it; then closer.
  const isBetter = (tokens: number): boolean =>
    inWindow(tokens) !== inWindow(best.tokens)
      ? inWindow(tokens)
      : tokens <= target
        ? best.tokens > target || tokens > best.tokens
        : best.tokens > target && tokens < best.tokens;

  // Bracket the target between the most units applied with the text still over it
  // (overAt) and the fewest with it under (underAt); token count falls as units apply.
  let overAt = -1;
  let overTokens = 0;
  let underAt = units.length + 1;
  let underTokens = 0;
  const record = (): void => {
    if (current.tokens > target) {
      if (next > overAt) [overAt, overTokens] = [next, current.tokens];
    } else if (next < underAt) [underAt, underTokens] = [next, current.tokens];
    if (isBetter(current.tokens)) best = outcome(current);
  };
  const accepted = (): boolean => inWindow(current.tokens);
  const bracketed = (): boolean => overAt >= 0 && underAt <= units.length;
  record();

  // Secant steps until the target is bracketed: scale the remaining gap by the
  // measured tokens saved per estimated token saved since the last measurement (the
  // untouched original first). Drops save more than their estimate where they empty
  // a line (its marker and break go too), so the slope, not the overall ratio, says
  // how far to go.
  let previous = { estimate: problem.estimatedTotal, tokens: problem.exactTotal };
  for (let step = 0; step < SECANT_STEPS && !accepted() && !bracketed(); step++) {
    const estimateMoved = previous.estimate - estimate;
    const slope = estimateMoved !== 0 && previous.tokens !== current.tokens ? (previous.tokens - current.tokens) / estimateMoved : scale;
    const localScale = slope > 0 ? slope : scale;
    previous = { estimate, tokens: current.tokens };
    if (current.tokens > target) {
      if (next >= units.length) break;
      advanceTo(estimate - (current.tokens - target) / localScale);
    } else {
      if (state.appliedCount === 0) break;
      retreatTo(estimate + ((target - current.tokens) * 0.9) / localScale);
    }
    current = measure();
    record();
  }
  // Then regula falsi on the number of units applied: drops that take a whole line at
  // once make estimates jump, but the count still falls as units apply.
  let lastSide = 0;
  let sameSide = 0;
  for (let step = 0; step < BISECT_STEPS && !accepted() && bracketed() && underAt - overAt > 1; step++) {
    const span = underAt - overAt;
    // Interpolate; after two steps landing on the same side, halve instead (regula
    // falsi alone can creep towards the target from one side).
    const guess =
      sameSide >= 2 ? overAt + Math.floor(span / 2) : overAt + Math.round((span * (overTokens - target)) / Math.max(1, overTokens - underTokens));
    const margin = Math.max(1, Math.floor(span / 8));
    goTo(Math.min(underAt - margin, Math.max(overAt + margin, guess)));
    current = measure();
    record();
    const side = current.tokens > target ? 1 : -1;
    sameSide = side === lastSide ? sameSide + 1 : 1;
    lastSide = side;
  }
  // Still over with units left (the search was cut short): take the floor.
  if (best.tokens > HIGH_END * target && next < units.length) {
    goTo(units.length);
    current = measure();
    record();
  }
  return best;
}
