/**
 * Drop units (a duplicate sentence, a filler phrase, one word) and the keep/drop
 * state of every piece, with an undo stack so the budget controller can step back.
 */
import type { Piece } from './types';

export type DropCategory = 'whitespace' | 'duplicate-sentence' | 'filler-phrase' | 'low-information-word' | 'punctuation' | 'pictograph' | 'rule-line';

export interface DropUnit {
  category: DropCategory;
  /** Piece indices the unit removes. */
  pieces: number[];
  /** Written in place of the first piece (a filler's short form). */
  replacement?: string;
}

export const KEPT = 0;
export const DROPPED = 1;
export const REPLACED = 2;

const SCORE_FLOOR = 64;
const SCORE_CEILING = 4096;
/** 2^24 pieces (a 16M-character prompt); keys stay below 2^53. */
const INDEX_SPAN = 2 ** 24;

const CATEGORY_OF_KIND: Partial<Record<Piece['kind'], DropCategory>> = { symbol: 'pictograph', punct: 'punctuation', markup: 'rule-line' };

/** One unit per scored piece (word, pictograph, punctuation), least important first (ties: later first). */
export function wordUnits(pieces: readonly Piece[], scores: Float64Array): DropUnit[] {
  // Sort numeric keys (score in 1/1024 bits, then later index first) without a
  // comparator: a typed-array sort is many times faster on long prompts.
  let scored = 0;
  for (let i = 0; i < pieces.length; i++) if (!Number.isNaN(scores[i]!)) scored++;
  const sorted = new Float64Array(scored);
  let k = 0;
  for (let i = 0; i < pieces.length; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score)) continue;
    const quantized = Math.round((Math.min(Math.max(score, -SCORE_FLOOR), SCORE_CEILING) + SCORE_FLOOR) * 1024);
    sorted[k++] = quantized * INDEX_SPAN + (INDEX_SPAN - 1 - i);
  }
  sorted.sort();
  const units: DropUnit[] = new Array(sorted.length);
  for (let k = 0; k < sorted.length; k++) {
    const i = INDEX_SPAN - 1 - (sorted[k]! % INDEX_SPAN);
    units[k] = { category: CATEGORY_OF_KIND[pieces[i]!.kind] ?? 'low-information-word', pieces: [i] };
  }
  return units;
}

/** JSON layout whitespace (outside strings): removing it keeps the same JSON value. */
export function jsonWhitespaceUnits(pieces: readonly Piece[]): DropUnit[] {
  const units: DropUnit[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const isLayout = piece.kind === 'indent' || (piece.kind === 'newline' && !piece.text.startsWith('\\'));
    if (!isLayout) continue;
    const unit: DropUnit = { category: 'whitespace', pieces: [i] };
    if (piece.kind === 'newline' && pieces[i + 1]?.kind === 'indent') unit.pieces.push(++i);
    units.push(unit);
  }
  return units;
}

export class DropState {
  readonly marks: Uint8Array;
  readonly replacements = new Map<number, string>();
  // Units applied so far, in order, as flat stacks (no object per step): the unit, what
  // it saved, and where its changed pieces start in `changed`.
  private readonly appliedUnit: DropUnit[] = [];
  private readonly appliedSaved: number[] = [];
  private readonly appliedStart: number[] = [];
  private readonly changed: number[] = [];

  constructor(
    pieceCount: number,
    private readonly costs: Float64Array,
    private readonly replacementCost: (text: string) => number,
  ) {
    this.marks = new Uint8Array(pieceCount);
  }

  get appliedCount(): number {
    return this.appliedUnit.length;
  }

  appliedUnits(): Array<{ unit: DropUnit; saved: number }> {
    return this.appliedUnit.map((unit, k) => ({ unit, saved: this.appliedSaved[k]! }));
  }

  /** Drops the unit's pieces still kept; returns the estimated tokens saved. */
  apply(unit: DropUnit): number {
    const start = this.changed.length;
    let saved = 0;
    for (const index of unit.pieces) {
      if (this.marks[index] !== KEPT) continue;
      this.marks[index] = DROPPED;
      this.changed.push(index);
      saved += this.costs[index]!;
    }
    const first = unit.pieces[0]!;
    if (unit.replacement && this.changed.length > start && this.changed[start] === first) {
      this.marks[first] = REPLACED;
      this.replacements.set(first, unit.replacement);
      saved -= this.replacementCost(unit.replacement);
    }
    this.appliedUnit.push(unit);
    this.appliedSaved.push(saved);
    this.appliedStart.push(start);
    return saved;
  }

  /** Restores the last applied unit; returns the estimated tokens it had saved. */
  undo(): number {
    if (this.appliedUnit.length === 0) return 0;
    this.appliedUnit.pop();
    const start = this.appliedStart.pop()!;
    for (let k = start; k < this.changed.length; k++) {
      const index = this.changed[k]!;
      this.marks[index] = KEPT;
      if (this.replacements.size > 0) this.replacements.delete(index);
    }
    this.changed.length = start;
    return this.appliedSaved.pop()!;
  }

  lastSaving(): number {
    return this.appliedSaved[this.appliedSaved.length - 1] ?? 0;
  }
}
