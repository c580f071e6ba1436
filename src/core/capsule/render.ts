/**
 * Writes the kept pieces back out. Spacing follows the source: one space where the
 * source had whitespace between two kept pieces, none where a drop left a line or
 * a cell starting. Drops can leave debris, which is swept up line by line: a comma
 * or semicolon with nothing left on one side, empty brackets and emphasis marks, and
 * a Markdown line with no words left (its list marker included).
 */
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
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '“': '”', '«': '»', '（': '）', '「': '」' };
const CLOSERS = new Set([')', ']', '}', '”', '»', '）', '」']);
const TERMINALS = new Set(['.', '!', '?', ':', '。', '！', '？', '：']);
/** Left with nothing before them on the line, these go too. */
const LEADING_DEBRIS = new Set([':', '：', '.']);
const BRACKET_DEPTH: Readonly<Record<string, number>> = { '(': 1, ')': -1, '[': 1, ']': -1, '{': 1, '}': -1 };
const EMPHASIS = new Set(['*', '_', '~']);
const PRUNABLE_LINE_CONTEXTS = new Set(['body', 'heading', 'list']);

function isContent(item: Item): boolean {
  const kind = item.piece.kind;
  return kind === 'word' || kind === 'protected' || kind === 'symbol';
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
    const keep = !lineHadDrop || sweepLine(pool, lineLength);
    if (keep) for (let k = 0; k < lineLength; k++) if (!pool[k]!.removed) out.push(pool[k]!.text);
    lineLength = 0;
    return keep;
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
    if (touched[piece.line] === 0) {
      // Trailing whitespace carries nothing (an LLM reads no Markdown hard breaks).
      if (isSourceLineEnd(piece)) trimTrailingInlineSpace(out);
      else if (piece.lead !== '') out.push(piece.lead);
      out.push(piece.text);
      continue;
    }
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
      if (flushLine() || !PRUNABLE_LINE_CONTEXTS.has(piece.context)) {
        if (isSourceLineEnd(piece)) trimTrailingInlineSpace(out);
        out.push(piece.text);
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
    const afterOpener = droppedSinceEmit && lineLength > 0 && OPENERS[pool[lineLength - 1]!.text] !== undefined;
    if (pendingSpace !== null && (contentOnLine || !droppedSinceEmit) && !glued && !afterOpener) emit(pendingSpace, piece, true);
    emit(text, piece, false);
    pendingSpace = null;
    droppedSinceEmit = false;
    contentOnLine = true;
  }
  flushLine();
  return out.join('');
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

/** Cleans one line (the first `length` items) after drops; false when the whole line should go. */
function sweepLine(line: Item[], length: number): boolean {
  const solid = solidPool;
  solid.length = 0;
  for (let k = 0; k < length; k++) if (!line[k]!.space) solid.push(line[k]!);
  for (let s = 0; s < solid.length; s++) {
    const item = solid[s]!;
    if (!isPunct(item) || item.removed) continue;
    const prev = previousKept(solid, s);
    const next = solid[s + 1];
    if (LEADING_DEBRIS.has(item.text) && item.afterDrop && (!prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent')) {
      remove(line, item);
    } else if (SEPARATORS.has(item.text)) {
      const prevEmpty = !prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent' || OPENERS[prev.text] !== undefined || SEPARATORS.has(prev.text);
      const nextEmpty = !next || next.piece.kind === 'markup' || CLOSERS.has(next.text) || TERMINALS.has(next.text) || SEPARATORS.has(next.text);
      if ((item.afterDrop && prevEmpty) || (item.dropAfter && nextEmpty)) remove(line, item);
    } else if (OPENERS[item.text] !== undefined && item.dropAfter && isPunct(next) && next.text === OPENERS[item.text]) {
      remove(line, item);
      remove(line, next);
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
  let context = 'body';
  let hasContent = false;
  let depth = 0;
  for (let k = 0; k < length; k++) {
    const item = line[k]!;
    if (context === 'body' && item.piece.kind !== 'indent') context = item.piece.context;
    if (item.removed) continue;
    if (isContent(item)) hasContent = true;
    else if (item.piece.kind === 'punct') depth += BRACKET_DEPTH[item.text] ?? 0;
  }
  // A line with no words left goes, unless a bracket on it pairs with another line.
  return !(PRUNABLE_LINE_CONTEXTS.has(context) && !hasContent && depth === 0);
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
