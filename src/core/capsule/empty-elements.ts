/**
 * Units that remove what word drops leave empty in JSON and YAML: string elements of
 * a JSON array ("", "", "") and YAML list items ("- "). Keys always stay, and every
 * unit keeps the document valid whatever else is dropped, so the budget controller can
 * apply them in any state. They come after every other unit: by then an element holding
 * no protected content those left (`droppable` marks the protected pieces earlier
 * units drop) has nothing left to say.
 */
import { unitPieces, type DropUnit, type UnitObject } from './units';
import type { Piece } from './types';

/** Marks (1) every piece that one of `units` drops. */
export function coveredPieces(pieceCount: number, units: readonly DropUnit[]): Uint8Array {
  const covered = new Uint8Array(pieceCount);
  for (const unit of units) for (const p of unitPieces(unit)) covered[p] = 1;
  return covered;
}

/** One unit per JSON array with string elements free of protected content. */
export function jsonEmptyElementUnits(pieces: readonly Piece[], droppable: Uint8Array): DropUnit[] {
  const units: DropUnit[] = [];
  // Open containers: the array's elements so far ('o' for an object).
  const stack: Array<ArrayScan | 'o'> = [];
  let element: ElementScan | undefined;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.context !== 'json-value') continue;
    const top = stack[stack.length - 1];
    if (element !== undefined) {
      // Inside a string value: its words, until the closing quote.
      if (piece.kind === 'markup' && piece.text === '"') {
        element.end = i;
        if (top !== undefined && top !== 'o') top.elements.push(element);
        element = undefined;
      } else if (piece.kind === 'protected' && droppable[i] === 0) {
        element.protected = true;
      }
      continue;
    }
    if (piece.kind !== 'markup') {
      // A key, or layout between tokens.
      if (piece.kind === 'protected' && top !== undefined && top !== 'o') top.plain = false;
      continue;
    }
    if (piece.text === '"') {
      element = { start: i, end: i, protected: false };
      continue;
    }
    for (let k = 0; k < piece.text.length; k++) {
      const c = piece.text[k]!;
      const current = stack[stack.length - 1];
      if (c === '[') {
        if (current !== undefined && current !== 'o') current.plain = false;
        stack.push({ elements: [], commas: [], plain: true });
      } else if (c === '{') {
        if (current !== undefined && current !== 'o') current.plain = false;
        stack.push('o');
      } else if (c === ']') {
        stack.pop();
        if (current !== undefined && current !== 'o' && current.plain) {
          const unit = arrayUnit(current);
          if (unit) units.push(unit);
        }
      } else if (c === '}') {
        stack.pop();
      } else if (c === ',') {
        // Only a comma standing alone can be dropped without its neighbours.
        if (current !== undefined && current !== 'o') {
          if (piece.text === ',') current.commas.push(i);
          else current.plain = false;
        }
      } else if (current !== undefined && current !== 'o' && c !== ':') {
        // A number, true, false or null among the elements.
        current.plain = false;
      }
    }
  }
  return units;
}

interface ElementScan {
  start: number;
  end: number;
  protected: boolean;
}

interface ArrayScan {
  elements: ElementScan[];
  /** Indices of the commas between elements, in order (one fewer than elements). */
  commas: number[];
  /** Only string elements and lone commas: safe to take apart. */
  plain: boolean;
}

/** Drops the elements free of protected content, and the commas the kept ones no longer need. */
function arrayUnit(array: ArrayScan): UnitObject | undefined {
  const { elements, commas } = array;
  if (elements.length === 0 || commas.length !== elements.length - 1) return undefined;
  const pieces: number[] = [];
  let keptBefore = false;
  for (let e = 0; e < elements.length; e++) {
    const element = elements[e]!;
    if (element.protected) {
      // The comma before a kept element stays when a kept element precedes it.
      if (e > 0 && !keptBefore) pieces.push(commas[e - 1]!);
      keptBefore = true;
      continue;
    }
    for (let p = element.start; p <= element.end; p++) pieces.push(p);
    if (e > 0) pieces.push(commas[e - 1]!);
  }
  if (pieces.length === 0) return undefined;
  pieces.sort((a, b) => a - b);
  return { category: 'empty-element', pieces };
}

/**
 * One unit per YAML list item line with neither a key nor protected content, and no
 * nested lines under it: dropping the line leaves the list (or an empty value) valid.
 */
export function yamlEmptyItemUnits(pieces: readonly Piece[], droppable: Uint8Array): DropUnit[] {
  const units: DropUnit[] = [];
  const lines = yamlLines(pieces, droppable);
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    if (!line.item || line.protected) continue;
    let n = l + 1;
    while (n < lines.length && lines[n]!.blank) n++;
    // A deeper line below belongs to this item.
    if (n < lines.length && lines[n]!.indent > line.indent) continue;
    const linePieces: number[] = [];
    for (let p = line.start; p <= line.end; p++) linePieces.push(p);
    units.push({ category: 'empty-element', pieces: linePieces });
  }
  return units;
}

interface YamlLine {
  start: number;
  /** The line's newline piece (or its last piece). */
  end: number;
  indent: number;
  /** Starts with "- " and has no key. */
  item: boolean;
  protected: boolean;
  blank: boolean;
}

function yamlLines(pieces: readonly Piece[], droppable: Uint8Array): YamlLine[] {
  const lines: YamlLine[] = [];
  let current: YamlLine | undefined;
  let seenMarkup = false;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (current === undefined) {
      current = { start: i, end: i, indent: 0, item: false, protected: false, blank: true };
      seenMarkup = false;
    }
    current.end = i;
    if (piece.kind === 'indent' && !seenMarkup && current.blank) {
      current.indent = piece.text.length;
    } else if (piece.kind === 'markup' && !seenMarkup && current.blank) {
      seenMarkup = true;
      current.blank = false;
      current.item = /^(?:-[ \t]+)+$/.test(piece.text) || piece.text === '-';
    } else if (piece.kind === 'protected') {
      if (droppable[i] === 0) current.protected = true;
      current.blank = false;
    } else if (piece.kind !== 'newline' && piece.kind !== 'indent' && piece.kind !== 'space') {
      current.blank = false;
    }
    if (piece.kind === 'newline' || i === pieces.length - 1) {
      lines.push(current);
      current = undefined;
    }
  }
  return lines;
}
