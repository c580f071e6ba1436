/**
 * Writes the kept pieces back out. Spacing follows the source: one space where the
 * source had whitespace between two kept pieces, none where a drop left a line or
 * a cell starting. Drops can leave debris, which is swept up line by line: a comma
 * or semicolon with nothing left on one side, empty brackets and emphasis marks, and
 * a Markdown line with no words left (its list marker included).
 */
import { DROPPED, REPLACED } from './units';
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
const LEADING_DEBRIS = new Set([':', '：', '.', ')', '）']);
const EMPHASIS = new Set(['*', '_', '~']);
const PRUNABLE_LINE_CONTEXTS = new Set(['body', 'heading', 'list']);

function isContent(item: Item): boolean {
  const kind = item.piece.kind;
  return kind === 'word' || kind === 'protected' || kind === 'symbol';
}

function isPunct(item: Item | undefined): item is Item {
  return !!item && item.piece.kind === 'punct';
}

export function renderPieces(pieces: readonly Piece[], marks: Uint8Array, replacements: ReadonlyMap<number, string>): string {
  const out: string[] = [];
  let line: Item[] = [];
  let lineHadDrop = false;
  let pendingSpace: string | null = null;
  let droppedSinceEmit = false;
  let contentOnLine = false;

  const emit = (text: string, piece: Piece, space: boolean): void => {
    line.push({ text, at: line.length, piece, space, afterDrop: droppedSinceEmit, dropAfter: false, removed: false });
  };

  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const mark = marks[i]!;
    if (piece.kind === 'space') {
      if (pendingSpace === null) pendingSpace = piece.text;
      continue;
    }
    if (mark === DROPPED) {
      // A space before the dropped piece still separates what comes after it.
      droppedSinceEmit = true;
      lineHadDrop = true;
      const last = line[line.length - 1];
      if (last) last.dropAfter = true;
      continue;
    }
    if (piece.kind === 'newline') {
      // Only a source newline ends a Markdown line; an escaped one in JSON does not.
      const kept = lineHadDrop ? sweepLine(line) : line;
      if (kept) for (const item of kept) if (!item.removed) out.push(item.text);
      if (kept || !PRUNABLE_LINE_CONTEXTS.has(piece.context)) out.push(piece.text);
      line = [];
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
    const glued = piece.kind === 'punct' && pieces[i - 1]?.kind !== 'space';
    if (pendingSpace !== null && (contentOnLine || !droppedSinceEmit) && !glued) emit(pendingSpace, piece, true);
    emit(text, piece, false);
    pendingSpace = null;
    droppedSinceEmit = false;
    contentOnLine = true;
  }
  const kept = lineHadDrop ? sweepLine(line) : line;
  if (kept) for (const item of kept) if (!item.removed) out.push(item.text);
  return out.join('');
}

/** Cleans one line after drops; undefined when the whole line should go. */
function sweepLine(line: Item[]): Item[] | undefined {
  const solid = line.filter((item) => !item.space);
  const remove = (item: Item): void => {
    item.removed = true;
    if (item.at > 0 && line[item.at - 1]!.space) line[item.at - 1]!.removed = true;
  };
  for (let s = 0; s < solid.length; s++) {
    const item = solid[s]!;
    if (!isPunct(item) || item.removed) continue;
    const prev = previousKept(solid, s);
    const next = solid[s + 1];
    if (LEADING_DEBRIS.has(item.text) && item.afterDrop && (!prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent')) {
      remove(item);
    } else if (SEPARATORS.has(item.text)) {
      const prevEmpty = !prev || prev.piece.kind === 'markup' || prev.piece.kind === 'indent' || OPENERS[prev.text] !== undefined || SEPARATORS.has(prev.text);
      const nextEmpty = !next || next.piece.kind === 'markup' || CLOSERS.has(next.text) || TERMINALS.has(next.text) || SEPARATORS.has(next.text);
      if ((item.afterDrop && prevEmpty) || (item.dropAfter && nextEmpty)) remove(item);
    } else if (OPENERS[item.text] !== undefined && item.dropAfter && isPunct(next) && next.text === OPENERS[item.text]) {
      remove(item);
      remove(next);
    } else if (EMPHASIS.has(item.text)) {
      // A run of emphasis marks with a drop inside and nothing left between them.
      let end = s;
      let dropInside = false;
      while (isPunct(solid[end]) && EMPHASIS.has(solid[end]!.text)) {
        if (end > s && solid[end]!.afterDrop) dropInside = true;
        end++;
      }
      if (dropInside && end - s >= 2) for (let k = s; k < end; k++) remove(solid[k]!);
      s = end - 1;
    }
  }
  const context = line.find((item) => item.piece.kind !== 'indent')?.piece.context ?? 'body';
  if (PRUNABLE_LINE_CONTEXTS.has(context) && !line.some((item) => !item.removed && isContent(item))) return undefined;
  return line;
}

function previousKept(solid: Item[], s: number): Item | undefined {
  for (let k = s - 1; k >= 0; k--) if (!solid[k]!.removed) return solid[k];
  return undefined;
}
