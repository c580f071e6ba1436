/**
 * Drop units (a duplicate sentence, a filler phrase, one word) and the keep/drop
 * state of every piece, with an undo stack so the budget controller can step back.
 */
import type { Piece } from './types';

export type DropCategory =
  | 'whitespace'
  | 'duplicate-sentence'
  | 'filler-phrase'
  | 'low-information-word'
  | 'whole-clause'
  | 'punctuation'
  | 'pictograph'
  | 'rule-line'
  | 'empty-element'
  | 'repeated-protected'
  | 'identifier-last-resort';

/** A unit that drops several pieces, or one piece under a category of its own. */
export interface UnitObject {
  category: DropCategory;
  /** Piece indices the unit removes. */
  pieces: number[];
  /** Written in place of the first piece (a filler's short form). */
  replacement?: string;
}

/**
 * What the budget controller applies, in order. A single piece ranked by importance (a
 * word, a sign, a pictograph: nearly every unit) is just its index, its category
 * following from its kind (categoryOfPiece): lists run to hundreds of thousands of units,
 * and an object and an array for each took about 4% of a warm pass.
 */
export type DropUnit = UnitObject | number;

export const KEPT = 0;
export const DROPPED = 1;
export const REPLACED = 2;

const SCORE_FLOOR = 64;
const SCORE_CEILING = 4096;
/** 2^24 pieces (a 16M-character prompt); keys stay below 2^53. */
const INDEX_SPAN = 2 ** 24;

const CATEGORY_OF_KIND: Partial<Record<Piece['kind'], DropCategory>> = { symbol: 'pictograph', punct: 'punctuation', markup: 'rule-line' };

/** The category of a single-piece unit (a bare index). */
export function categoryOfPiece(piece: Piece): DropCategory {
  return CATEGORY_OF_KIND[piece.kind] ?? 'low-information-word';
}

/** The pieces a unit drops. */
export function unitPieces(unit: DropUnit): readonly number[] {
  return typeof unit === 'number' ? [unit] : unit.pieces;
}

/**
 * One unit (a bare index) per scored piece (word, pictograph, punctuation), least
 * important first (ties: later first); a group (a clause's key phrase, a noun phrase: see
 * PieceScores.groups) is one unit, ranked by the piece it is keyed by.
 */
export function wordUnits(pieces: readonly Piece[], scores: Float64Array, groups: ReadonlyMap<number, UnitObject> = new Map()): DropUnit[] {
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
  // A flag per piece: a map lookup per unit cost more than the rest of this loop.
  const grouped = new Uint8Array(pieces.length);
  for (const index of groups.keys()) grouped[index] = 1;
  for (let k = 0; k < sorted.length; k++) {
    const index = INDEX_SPAN - 1 - (sorted[k]! % INDEX_SPAN);
    units[k] = grouped[index] === 1 ? groups.get(index)! : index;
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
    const unit: UnitObject = { category: 'whitespace', pieces: [i] };
    if (piece.kind === 'newline' && pieces[i + 1]?.kind === 'indent') unit.pieces.push(++i);
    units.push(unit);
  }
  return units;
}

/**
 * Protected kinds whose verbatim repeat says nothing new: the same placeholder, quote,
 * link, code or constraint phrase a second time. Bare numbers and dates are not among
 * them ("3 items ... 3 days": the same digits, two facts), nor JSON/YAML keys and
 * values, which the syntax needs where they are; names with digits are (see below).
 */
const REPEATABLE_KINDS: ReadonlySet<string> = new Set(['placeholder', 'quoted', 'url', 'link', 'email', 'path', 'inline-code', 'code-fence', 'constraint']);
const HAS_LETTER = /\p{L}/u;
/** An HTML/XML tag written as a placeholder: `<name ...>`, `</name>`, `<name/>` (not a `<SLOT>` in capitals). */
const MARKUP_TAG = /^<\/?[a-z][\w.:-]*(?:\s[^<>]*)?\/?>$/;

function isMarkupTag(piece: Piece): boolean {
  return piece.protectedKind === 'placeholder' && MARKUP_TAG.test(piece.text);
}

/**
 * Later verbatim repeats of protected spans (a constraint phrase is its run of
 * consecutive constraint pieces). The first occurrence is never in a unit, so every
 * protected span still appears, byte for byte, at least once. These units come last:
 * they matter only when everything else is gone and the budget is still not met.
 */
export function repeatedProtectedUnits(pieces: readonly Piece[]): DropUnit[] {
  const seen = new Set<string>();
  const units: DropUnit[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'protected') continue;
    // A name with digits ("x86_64", "GPT-4o") names the same thing again; a bare number may
    // not, nor a command option ("--ar 16:9" ... "--ar 9:16": the value after it differs).
    // A markup tag ("</li>", "<section>") is structure each time it appears: it pairs with another.
    const repeatable =
      (REPEATABLE_KINDS.has(piece.protectedKind!) && !isMarkupTag(piece)) ||
      (piece.protectedKind === 'identifier' && HAS_LETTER.test(piece.text) && !piece.text.startsWith('-'));
    if (!repeatable) continue;
    const run = [i];
    let key = piece.text;
    if (piece.protectedKind === 'constraint') {
      while (pieces[i + 1]?.kind === 'protected' && pieces[i + 1]!.protectedKind === 'constraint' && pieces[i + 1]!.line === piece.line) {
        run.push(++i);
        key += ' ' + pieces[i]!.text;
      }
      key = key.toLowerCase();
    }
    key = `${piece.protectedKind}\u0000${key}`;
    if (seen.has(key)) units.push({ category: 'repeated-protected', pieces: run });
    else seen.add(key);
  }
  return units;
}

const SLASH_JOINED = /^[\p{L}\p{M}]+(?:\/[\p{L}\p{M}]+)+$/u;

/**
 * Slash-joined words ("Education/Promotion/Inspirational", "yes/no"), kept whole as
 * names but prose more than a name: they go whole, later ones first, only after every
 * other unit (repeats of protected spans included), when the budget cannot be met
 * otherwise. Names with digits ("2.5D", "RCS-001") never go.
 */
export function lastResortUnits(pieces: readonly Piece[]): DropUnit[] {
  const units: DropUnit[] = [];
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i]!;
    if (piece.kind === 'protected' && piece.protectedKind === 'identifier' && SLASH_JOINED.test(piece.text)) {
      units.push({ category: 'identifier-last-resort', pieces: [i] });
    }
  }
  return units;
}

export class DropState {
  readonly marks: Uint8Array;
  readonly replacements = new Map<number, string>();
  // Units applied so far, in order, as flat stacks (no object per step): the unit, what
  // it saved, and where its changed pieces start in `changed`. Typed and grown by
  // doubling: a budget search applies and undoes units by the hundred thousand.
  private appliedUnit: DropUnit[] = [];
  private appliedSaved = new Float64Array(64);
  private appliedStart = new Int32Array(64);
  private applied = 0;
  /** Pieces changed by the applied units; a piece is in it at most once (KEPT -> not). */
  private readonly changed: Int32Array;
  private changedLength = 0;

  constructor(
    private readonly pieces: readonly Piece[],
    private readonly costs: Float64Array,
    private readonly replacementCost: (text: string) => number,
  ) {
    this.marks = new Uint8Array(pieces.length);
    this.changed = new Int32Array(pieces.length);
  }

  get appliedCount(): number {
    return this.applied;
  }

  /** The category of the k-th unit applied (0 = first). */
  appliedCategoryAt(k: number): DropCategory {
    const unit = this.appliedUnit[k]!;
    return typeof unit === 'number' ? categoryOfPiece(this.pieces[unit]!) : unit.category;
  }

  /** What the k-th unit applied saved. */
  appliedSavingAt(k: number): number {
    return this.appliedSaved[k]!;
  }

  /**
   * The estimated tokens that applying all of `units` in order (from the current state)
   * would save, step for step as apply() counts them, without changing the state.
   */
  savingOfAll(units: readonly DropUnit[]): number {
    const marks = this.marks.slice();
    let total = 0;
    for (const unit of units) {
      if (typeof unit === 'number') {
        if (marks[unit] === KEPT) {
          marks[unit] = DROPPED;
          total += this.costs[unit]!;
        }
        continue;
      }
      let saved = 0;
      const first = unit.pieces[0]!;
      let firstChanged = false;
      for (let p = 0; p < unit.pieces.length; p++) {
        const index = unit.pieces[p]!;
        if (marks[index] !== KEPT) continue;
        marks[index] = DROPPED;
        if (p === 0) firstChanged = true;
        saved += this.costs[index]!;
      }
      if (unit.replacement && firstChanged) {
        marks[first] = REPLACED;
        saved -= this.replacementCost(unit.replacement);
      }
      total += saved;
    }
    return total;
  }

  /** Drops the unit's pieces still kept; returns the estimated tokens saved. */
  apply(unit: DropUnit): number {
    const start = this.changedLength;
    let saved = 0;
    if (typeof unit === 'number') {
      if (this.marks[unit] === KEPT) {
        this.marks[unit] = DROPPED;
        this.changed[this.changedLength++] = unit;
        saved = this.costs[unit]!;
      }
    } else {
      const pieces = unit.pieces;
      for (let p = 0; p < pieces.length; p++) {
        const index = pieces[p]!;
        if (this.marks[index] !== KEPT) continue;
        this.marks[index] = DROPPED;
        this.changed[this.changedLength++] = index;
        saved += this.costs[index]!;
      }
      const first = pieces[0]!;
      if (unit.replacement && this.changedLength > start && this.changed[start] === first) {
        this.marks[first] = REPLACED;
        this.replacements.set(first, unit.replacement);
        saved -= this.replacementCost(unit.replacement);
      }
    }
    const k = this.applied++;
    if (k === this.appliedSaved.length) {
      const saves = new Float64Array(k * 2);
      saves.set(this.appliedSaved);
      this.appliedSaved = saves;
      const starts = new Int32Array(k * 2);
      starts.set(this.appliedStart);
      this.appliedStart = starts;
    }
    this.appliedUnit[k] = unit;
    this.appliedSaved[k] = saved;
    this.appliedStart[k] = start;
    return saved;
  }

  /** Restores the last applied unit; returns the estimated tokens it had saved. */
  undo(): number {
    if (this.applied === 0) return 0;
    const k = --this.applied;
    const start = this.appliedStart[k]!;
    for (let c = start; c < this.changedLength; c++) {
      const index = this.changed[c]!;
      this.marks[index] = KEPT;
      if (this.replacements.size > 0) this.replacements.delete(index);
    }
    this.changedLength = start;
    return this.appliedSaved[k]!;
  }

  lastSaving(): number {
    return this.applied > 0 ? this.appliedSaved[this.applied - 1]! : 0;
  }
}
