/**
 * Writes the kept pieces back out. Spacing follows the source: one space where the
 * source had whitespace between two kept pieces, none where a drop left a line or
 * a cell starting. Drops can leave debris, which is swept up line by line: a comma
 * or semicolon with nothing left on one side, empty brackets, quotes and emphasis
 * marks, and a Markdown line with no words left (its list marker included). Blank lines
 * that only separated pruned lines go with them.
 */
import { isAsciiWordChar } from './lexer';
import { isTableSeparator, OPERATOR_SIGNS } from './structure';
import { DROPPED, KEPT, REPLACED } from './units';
import type { Piece } from './types';

interface Item {
  text: string;
  /** Position in the line, for removing the space before an item. */
  at: number;
  piece: Piece;
  space: boolean;
  /** A drop happened between the previous item and this one. */
  afterDrop: boolean;
  /** A drop happened between this item and the next one (or the line end). */
  dropAfter: boolean;
  removed: boolean;
}

const SEPARATORS = new Set([',', ';', '，', '、', '；']);
const OPENERS: ReadonlyMap<string, string> = new Map([['(', ')'], ['[', ']'], ['{', '}'], ['“', '”'], ['«', '»'], ['（', '）'], ['「', '」']]);

/**
 * The closing bracket for an opening one, else undefined. Only one-character texts are
 * looked up: most items are words, and hashing each one cost a fifth of rendering.
 */
function closerOf(text: string): string | undefined {
  return text.length === 1 ? OPENERS.get(text) : undefined;
}
const CLOSERS = new Set([')', ']', '}', '”', '»', '）', '」']);
const TERMINALS = new Set(['.', '!', '?', ':', '。', '！', '？', '：']);
/** Signs written between two words without spaces, joining them. */
const JOINERS = new Set(['–', '—', '/', '+']);
/** Left with nothing before them on the line (or in their bracket), these go too. */
const LEADING_DEBRIS = new Set([':', '：', '.', '。', '；']);
const BRACKET_DEPTH: Readonly<Record<string, number>> = { '(': 1, ')': -1, '[': 1, ']': -1, '{': 1, '}': -1 };
const EMPHASIS = new Set(['*', '_', '~']);
/** A run of operator signs holding one of these (and two signs or more) is an arrow. */
const ARROW_HEADS = new Set(['>', '<']);
const PRUNABLE_LINE_CONTEXTS = new Set(['body', 'heading', 'list']);
/** A list item's marker (after any indentation or quote marks). */
const LIST_MARKER = /^[ \t>]*(?:[-*+•]|\d{1,9}[.)])[ \t]/;

function isContent(item: Item): boolean {
  const kind = item.piece.kind;
  return kind === 'word' || kind === 'protected' || kind === 'symbol';
}

function isAsciiWordEnd(text: string): boolean {
  return text.length > 0 && isAsciiWordChar(text.charCodeAt(text.length - 1));
}

function isAsciiWordStart(text: string): boolean {
  return text.length > 0 && isAsciiWordChar(text.charCodeAt(0));
}

function isPunct(item: Item | undefined): item is Item {
  return !!item && item.piece.kind === 'punct';
}

// Items are pooled: renders run several times per capsule over every touched line,
// and fresh objects for each would keep the garbage collector busy. (Rendering is
// synchronous and not re-entrant, so one pool per thread is safe.)
const pool: Item[] = [];
const solidPool: Item[] = [];

export function renderPieces(pieces: readonly Piece[], marks: Uint8Array, replacements: ReadonlyMap<number, string>): string {
  const out: string[] = [];
  let lineLength = 0;
  let lineHadDrop = false;
  let pendingSpace: string | null = null;
  let droppedSinceEmit = false;
  let contentOnLine = false;
  // Blank lines: a line was pruned since the last line with text, and how many blank
  // lines were written since then (a pruned paragraph must not leave two in a row).
  let prunedSinceText = false;
  let blankRun = 0;
  let textWritten = false;
  let lineStart = true;
  // The marker of a list item whose first line was pruned: the item's next line, if it
  // keeps something, takes it in place of its indentation, so what is left stays in its
  // own item instead of running on into the previous one.
  let orphanMarker: string | null = null;
  // Inside a table's body (after its separator row): a row whose cells all went empty goes.
  let tableBody = false;
  let previousKind: Piece['kind'] | undefined;

  const emit = (text: string, piece: Piece, space: boolean): void => {
    const item = pool[lineLength];
    if (item === undefined) {
      pool.push({ text, at: lineLength, piece, space, afterDrop: droppedSinceEmit, dropAfter: false, removed: false });
    } else {
      item.text = text;
      item.at = lineLength;
      item.piece = piece;
      item.space = space;
      item.afterDrop = droppedSinceEmit;
      item.dropAfter = false;
      item.removed = false;
    }
    lineLength++;
  };
  const flushLine = (): boolean => {
    const keep = !lineHadDrop || sweepLine(pool, lineLength, tableBody);
    if (keep) {
      if (orphanMarker !== null) adoptMarker(pool, lineLength, orphanMarker);
      orphanMarker = null;
      for (let k = 0; k < lineLength; k++) if (!pool[k]!.removed) out.push(pool[k]!.text);
    } else {
      const marker = listMarkerOf(pool, lineLength);
      if (marker !== null || startsWithMarkup(pool, lineLength)) orphanMarker = marker;
    }
    lineLength = 0;
    return keep;
  };
  /** Writes a source line break, unless it would leave a second blank line (or a first one at the top) where pruned lines were. */
  const endLine = (piece: Piece): void => {
    const blank = lineIsBlank(out);
    if (isSourceLineEnd(piece)) trimTrailingInlineSpace(out);
    if (blank && prunedSinceText && (blankRun > 0 || !textWritten)) return;
    out.push(piece.text);
    if (blank) {
      blankRun++;
      orphanMarker = null;
    } else {
      blankRun = 0;
      prunedSinceText = false;
      textWritten = true;
    }
  };

  // Lines without any drop are copied as they are (the common case at high rates).
  const lineCount = pieces.length > 0 ? pieces[pieces.length - 1]!.line + 1 : 0;
  const touched = new Uint8Array(lineCount);
  for (let i = 0; i < pieces.length; i++) {
    if (marks[i] === KEPT) continue;
    const piece = pieces[i]!;
    touched[piece.line] = 1;
    // A dropped line break joins the next line to this one: it is touched too.
    if (piece.kind === 'newline' && piece.line + 1 < lineCount) touched[piece.line + 1] = 1;
  }

  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    tableBody = isTableBody(piece, tableBody, previousKind);
    previousKind = piece.kind;
    if (touched[piece.line] === 0) {
      const atLineStart = lineStart;
      lineStart = piece.kind === 'newline';
      if (piece.kind === 'newline') {
        // Trailing whitespace carries nothing (an LLM reads no Markdown hard breaks).
        if (isSourceLineEnd(piece)) endLine(piece);
        else out.push(piece.text);
        continue;
      }
      if (atLineStart && orphanMarker !== null) {
        const marker = orphanMarker;
        orphanMarker = null;
        if (piece.kind === 'indent' && piece.lead === '') {
          out.push(marker);
          continue;
        }
      }
      if (piece.lead !== '') out.push(piece.lead);
      out.push(piece.text);
      continue;
    }
    lineStart = piece.kind === 'newline';
    const mark = marks[i]!;
    // The whitespace before a piece separates whatever comes before and after it, even
    // when the piece itself is dropped.
    if (piece.lead !== '' && pendingSpace === null) pendingSpace = piece.lead;
    if (piece.kind === 'space') {
      if (pendingSpace === null) pendingSpace = piece.text;
      continue;
    }
    if (mark === DROPPED) {
      // A space before the dropped piece still separates what comes after it.
      droppedSinceEmit = true;
      lineHadDrop = true;
      if (lineLength > 0) pool[lineLength - 1]!.dropAfter = true;
      continue;
    }
    if (piece.kind === 'newline') {
      // Only a source newline ends a Markdown line; an escaped one in JSON does not.
      // A line left with nothing (a Markdown line without words, a YAML block line or a
      // JSON string line emptied by drops) goes with its line break.
      if (flushLine()) {
        if (isSourceLineEnd(piece)) endLine(piece);
        else out.push(piece.text);
      } else {
        prunedSinceText = true;
      }
      lineHadDrop = false;
      pendingSpace = null;
      droppedSinceEmit = false;
      contentOnLine = false;
      continue;
    }
    const text = mark === REPLACED ? replacements.get(i)! : piece.text;
    if (piece.kind === 'indent' || piece.kind === 'markup') {
      if (pendingSpace !== null && !droppedSinceEmit) emit(pendingSpace, piece, true);
      emit(text, piece, false);
      pendingSpace = null;
      droppedSinceEmit = false;
      if (piece.kind === 'markup') contentOnLine = false;
      continue;
    }
    // Punctuation glued to what preceded it in the source stays glued ("word2," -> "word1,").
    const glued = piece.kind === 'punct' && piece.lead === '';
    // Nor does a drop right after an opening bracket leave a space inside it: "( x".
    const afterOpener = droppedSinceEmit && lineLength > 0 && closerOf(pool[lineLength - 1]!.text) !== undefined;
    if (pendingSpace !== null && (contentOnLine || !droppedSinceEmit) && !glued && !afterOpener) emit(pendingSpace, piece, true);
    else if (pendingSpace === null && droppedSinceEmit && lineLength > 0 && isAsciiWordEnd(pool[lineLength - 1]!.text) && isAsciiWordStart(text)) {
      // Latin words that a dropped unspaced word (CJK) kept apart stay apart: "Truncation和Neutralization" -> "Truncation Neutralization".
      emit(' ', piece, true);
    }
    emit(text, piece, false);
    pendingSpace = null;
    droppedSinceEmit = false;
    contentOnLine = true;
  }
  if (!flushLine()) prunedSinceText = true;
  // Line breaks left at the end by pruned lines go: blank lines, and the break before
  // them when the source did not end with one.
  if (prunedSinceText) {
    const sourceEndsLine = pieces.length > 0 && isSourceLineEnd(pieces[pieces.length - 1]!);
    while (out.length > 0 && isLineBreak(out[out.length - 1]!) && (blankRun > 0 || !sourceEndsLine)) {
      out.pop();
      if (blankRun > 0) blankRun--;
    }
  }
  return out.join('');
}

function isLineBreak(text: string): boolean {
  return text === '\n' || text === '\r\n' || text === '\r';
}

/** True when nothing but inline whitespace was written since the last line break (or the start). */
function lineIsBlank(out: readonly string[]): boolean {
  for (let k = out.length - 1; k >= 0; k--) {
    const text = out[k]!;
    if (isLineBreak(text)) return true;
    if (!isInlineSpace(text) && text !== '') return false;
  }
  return true;
}

/** The indentation and list marker a line starts with, or null when it has none. */
function listMarkerOf(line: Item[], length: number): string | null {
  let prefix = '';
  for (let k = 0; k < length; k++) {
    const item = line[k]!;
    if (item.piece.kind === 'indent' || item.space) prefix += item.text;
    else if (item.piece.kind === 'markup' && LIST_MARKER.test(prefix + item.text)) return prefix + item.text;
    else return null;
  }
  return null;
}

function startsWithMarkup(line: Item[], length: number): boolean {
  for (let k = 0; k < length; k++) {
    const kind = line[k]!.piece.kind;
    if (kind !== 'indent' && !line[k]!.space) return kind === 'markup';
  }
  return false;
}

/** A continuation line (indentation, then content) takes the pruned item's marker in place of its indentation. */
function adoptMarker(line: Item[], length: number, marker: string): void {
  const first = line[0];
  if (length < 2 || first === undefined || first.piece.kind !== 'indent' || first.removed) return;
  for (let k = 1; k < length; k++) {
    const item = line[k]!;
    if (item.piece.kind === 'markup') return;
    if (!item.removed && isContent(item)) {
      first.text = marker;
      return;
    }
  }
}

/** A line break of the source text (not an escaped one inside a JSON string). */
function isSourceLineEnd(piece: Piece): boolean {
  return piece.kind === 'newline' && piece.text.charCodeAt(0) !== 92;
}

/**
 * Drops the whitespace-only parts at the end of what is written so far: a line's
 * trailing spaces, or the indentation of a blank line. A piece's own text is never
 * cut (a code fence's closing line keeps its bytes).
 */
function trimTrailingInlineSpace(out: string[]): void {
  while (out.length > 0 && isInlineSpace(out[out.length - 1]!)) out.pop();
}

function isInlineSpace(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9) return false;
  }
  return text.length > 0;
}

/** Whether the rows from `piece` on are a table's body, given what came before. */
function isTableBody(piece: Piece, wasBody: boolean, previousKind: Piece['kind'] | undefined): boolean {
  // The separator row ("|---|:--:|") opens the table's body.
  if (isTableSeparator(piece)) return true;
  // A blank line or any line outside the table ends it.
  if (piece.kind === 'newline') return wasBody && previousKind !== 'newline';
  if (piece.kind === 'space' || piece.kind === 'indent') return wasBody;
  return wasBody && piece.context === 'table';
}

/** Cleans one line (the first `length` items) after drops; false when the whole line should go. */
function sweepLine(line: Item[], length: number, tableBody: boolean): boolean {
  const solid = solidPool;
  solid.length = 0;
  for (let k = 0; k < length; k++) if (!line[k]!.space) solid.push(line[k]!);
  for (let s = 0; s < solid.length; s++) {
    const item = solid[s]!;
    if (!isPunct(item) || item.removed) continue;
    const prev = previousKept(solid, s);
    const next = solid[s + 1];
    const afterOpener = prev !== undefined && closerOf(prev.text) !== undefined;
    if (TERMINALS.has(item.text) && item.afterDrop && prev !== undefined && isPunct(prev) && TERMINALS.has(prev.text)) {
      // The end of a sentence whose words all went, right after another end: "耐心。。".
      remove(line, item);
    } else if (LEADING_DEBRIS.has(item.text) && item.afterDrop && (!prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent' || afterOpener)) {
      remove(line, item);
      // Nor a space inside the bracket: "(e.g., 5-year-old" -> "(5-year-old", not "( 5-year-old".
      const following = line[item.at + 1];
      if (afterOpener && following !== undefined && following.space) following.removed = true;
    } else if (SEPARATORS.has(item.text)) {
      const prevEmpty = !prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent' || afterOpener || SEPARATORS.has(prev.text);
      const nextEmpty = !next || next.piece.kind === 'markup' || CLOSERS.has(next.text) || TERMINALS.has(next.text) || SEPARATORS.has(next.text);
      if ((item.afterDrop && prevEmpty) || (item.dropAfter && nextEmpty)) remove(line, item);
    } else if (JOINERS.has(item.text) && (item.afterDrop || item.dropAfter)) {
      // A sign that joined two words ("orange–red", "read/write") and lost one of them
      // joins nothing ("reason–", "–red"): it goes. Where that would glue the words on
      // either side together ("asked–red", "read/execute" from "read/write/execute"), it
      // becomes a space; a space before it stays when a word follows ("pale green").
      const before = line[item.at - 1];
      const after = line[item.at + 1];
      const wordBefore = prev !== undefined && isContent(prev) && before !== undefined && !before.space && !before.removed;
      const wordAfter = after !== undefined && !after.space && !after.removed && isContent(after);
      if (wordBefore && wordAfter) {
        item.text = ' ';
        item.space = true;
      } else if (prev === undefined) {
        // Nothing kept before it on the line: it goes with the space after it.
        remove(line, item);
        if (after?.space) after.removed = true;
      } else if (before?.space && !before.removed && wordAfter) item.removed = true;
      else remove(line, item);
    } else if (item.dropAfter && isPunct(next) && closerOf(item.text) !== undefined && next.text === closerOf(item.text)) {
      remove(line, item);
      remove(line, next);
    } else if (OPERATOR_SIGNS.has(item.text)) {
      // An arrow ("->", "=>", "<--") whose right side was dropped points at nothing. (A
      // lone "<" or ">" may be part of code or a comparison, and stays.)
      let end = s + 1;
      while (end < solid.length && isPunct(solid[end]) && OPERATOR_SIGNS.has(solid[end]!.text) && solid[end]!.at === solid[end - 1]!.at + 1) end++;
      let heads = 0;
      for (let k = s; k < end; k++) if (ARROW_HEADS.has(solid[k]!.text)) heads++;
      const arrow = heads > 0 && end - s >= 2;
      const after = solid[end];
      if (arrow && solid[end - 1]!.dropAfter && (after === undefined || after.piece.kind === 'markup')) {
        for (let k = s; k < end; k++) remove(line, solid[k]!);
      }
      if (arrow) s = end - 1;
    } else if (EMPHASIS.has(item.text)) {
      // A run of emphasis marks with a drop inside and nothing left between them.
      let end = s;
      let dropInside = false;
      while (isPunct(solid[end]) && EMPHASIS.has(solid[end]!.text)) {
        if (end > s && solid[end]!.afterDrop) dropInside = true;
        end++;
      }
      if (dropInside && end - s >= 2) for (let k = s; k < end; k++) remove(line, solid[k]!);
      s = end - 1;
    }
  }
  removeEmptyQuotes(line, solid);
  let context = 'body';
  let hasContent = false;
  let depth = 0;
  for (let k = 0; k < length; k++) {
    const item = line[k]!;
    if (context === 'body' && item.piece.kind !== 'indent') context = item.piece.context;
    if (item.removed) continue;
    if (isContent(item)) hasContent = true;
    else if (item.piece.kind === 'punct' && item.text.length === 1) depth += BRACKET_DEPTH[item.text] ?? 0;
  }
  // A line with no words left goes, unless a bracket on it pairs with another line; so
  // does a table body row left with empty cells (the header and separator stay).
  if (context === 'table') return hasContent || !tableBody;
  return !(PRUNABLE_LINE_CONTEXTS.has(context) && !hasContent && depth === 0);
}

/**
 * Straight double quotes left with nothing between them ("" after a drop). They pair
 * up in order along the line; a line with an odd number of them is left alone.
 */
function removeEmptyQuotes(line: Item[], solid: Item[]): void {
  let count = 0;
  for (const item of solid) if (isPunct(item) && item.text === '"') count++;
  if (count < 2 || count % 2 !== 0) return;
  let opener: Item | undefined;
  let betweenKept = false;
  for (const item of solid) {
    if (isPunct(item) && item.text === '"') {
      if (opener === undefined) {
        opener = item;
        betweenKept = false;
      } else {
        if (!betweenKept && opener.dropAfter && !opener.removed) {
          remove(line, opener);
          remove(line, item);
        }
        opener = undefined;
      }
    } else if (opener !== undefined && !item.removed) {
      betweenKept = true;
    }
  }
}

/** Removes an item and the space before it. */
function remove(line: Item[], item: Item): void {
  item.removed = true;
  if (item.at > 0 && line[item.at - 1]!.space) line[item.at - 1]!.removed = true;
}

function previousKept(solid: Item[], s: number): Item | undefined {
  for (let k = s - 1; k >= 0; k--) if (!solid[k]!.removed) return solid[k];
  return undefined;
}
