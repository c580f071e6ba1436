/** The capsule's report: sizes, budget verdict, what was protected and what was dropped. */
import { formatCount } from '../format/numbers';
import { KEPT, type DropCategory } from './units';
import type { CapsuleReport, Piece } from './types';

/** The budget is met when the capsule is at most 5% over the target. */
export const BUDGET_TOLERANCE = 1.05;

export interface ReportInput {
  originalTokens: number;
  capsuleTokens: number;
  target: number;
  rateRequested: number;
  started: number;
  note?: string;
  pieces?: readonly Piece[];
  costs?: Float64Array;
  /** Keep/drop marks of the pieces in the capsule: only kept protected content is listed. */
  marks?: Uint8Array;
  /** exact / estimated tokens of the original, to scale estimated savings */
  scale?: number;
  dropped?: Map<DropCategory, { count: number; estimatedTokens: number }>;
  exhausted?: boolean;
}

export function withinBudget(capsuleTokens: number, target: number): boolean {
  return capsuleTokens <= target * BUDGET_TOLERANCE;
}

export function buildReport(input: ReportInput): CapsuleReport {
  const { originalTokens, capsuleTokens, target } = input;
  const within = withinBudget(capsuleTokens, target);
  const report: CapsuleReport = {
    originalTokens,
    capsuleTokens,
    rateRequested: input.rateRequested,
    rateReached: originalTokens > 0 ? capsuleTokens / originalTokens : 1,
    targetTokens: target,
    withinBudget: within,
    protected: input.pieces && input.costs ? protectedSummary(input.pieces, input.costs, input.marks) : [],
    dropped: [...(input.dropped ?? new Map())].map(([category, row]) => ({
      category,
      count: row.count,
      tokens: Math.round(row.estimatedTokens * (input.scale ?? 1)),
    })),
    elapsedMs: performance.now() - input.started,
  };
  if (!within) {
    report.budgetNote =
      input.note ??
      (input.exhausted
        ? `protected content and structure alone take ${formatCount(capsuleTokens)} tokens, more than the target of ${formatCount(target)}; everything else was dropped`
        : `stopped at ${formatCount(capsuleTokens)} tokens, above the target of ${formatCount(target)}`);
  }
  return report;
}

function protectedSummary(pieces: readonly Piece[], costs: Float64Array, marks: Uint8Array | undefined): CapsuleReport['protected'] {
  const rows = new Map<string, { count: number; tokens: number }>();
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'protected' && piece.kind !== 'markup') continue;
    // A verbatim repeat dropped (its first occurrence is kept), or a rule line.
    if (marks !== undefined && marks[i] !== KEPT) continue;
    const kind = piece.kind === 'protected' ? piece.protectedKind! : 'structure';
    let row = rows.get(kind);
    if (row === undefined) {
      row = { count: 0, tokens: 0 };
      rows.set(kind, row);
    }
    row.count++;
    row.tokens += costs[i]!;
  }
  return [...rows].map(([kind, row]) => ({ kind, count: row.count, tokens: Math.round(row.tokens) })).sort((a, b) => b.tokens - a.tokens);
}
