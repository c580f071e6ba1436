/**
 * What an LLM must not change: the built-in structure pass finds the protected spans
 * (placeholders, URLs, inline code, numbers with units, constraint phrases, code fences).
 * Long spans are swapped for short markers before the call, so the model can neither
 * corrupt them nor spend tokens copying them, and are restored byte for byte after it.
 * Short spans are listed in the instruction as items that must appear verbatim.
 */
import { parseStructure } from '../capsule/structure';
import type { DocumentFormat, Piece } from '../capsule/types';

/** A span longer than this (or any code fence) travels as a marker. */
export const MARKER_MIN_CHARS = 80;

export interface MarkedBlock {
  /** "⟦BLOCK 1⟧": what the model sees and must copy once. */
  marker: string;
  /** The original text, restored in place of the marker. */
  text: string;
  kind: string;
}

export interface MustKeepItem {
  text: string;
  kind: string;
}

export interface PreparedPrompt {
  format: DocumentFormat;
  /** The prompt as the model sees it: long spans replaced by markers. */
  masked: string;
  blocks: MarkedBlock[];
  /** Each distinct short protected item, once, in order of first appearance. */
  mustKeep: MustKeepItem[];
}

export const markerFor = (index: number): string => `⟦BLOCK ${index}⟧`;

/**
 * Consecutive protected pieces of one kind form one span ("Never promise refunds",
 * "at most 120 words"): the words a constraint governs go with it.
 */
function protectedRuns(pieces: readonly Piece[]): Array<{ first: number; last: number; kind: string }> {
  const runs: Array<{ first: number; last: number; kind: string }> = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'protected') continue;
    const kind = piece.protectedKind ?? 'protected';
    const previous = runs.at(-1);
    if (previous && previous.last === i - 1 && previous.kind === kind && kind !== 'code-fence') previous.last = i;
    else runs.push({ first: i, last: i, kind });
  }
  return runs;
}

/** From the first to the last piece of the run that holds a digit. */
function numberCore(pieces: readonly Piece[], first: number, last: number): string {
  const hasDigit = (i: number) => /\d/.test(pieces[i]!.text);
  let a = first;
  let b = last;
  while (a < b && !hasDigit(a)) a++;
  while (b > a && !hasDigit(b)) b--;
  let core = pieces[a]!.text;
  for (let i = a + 1; i <= b; i++) core += pieces[i]!.lead + pieces[i]!.text;
  return core;
}

export function preparePrompt(text: string): PreparedPrompt {
  const document = parseStructure(text);
  const pieces = document.pieces;
  const runs = protectedRuns(pieces);
  const blocks: MarkedBlock[] = [];
  const mustKeep: MustKeepItem[] = [];
  const seen = new Set<string>();
  let masked = '';
  let next = 0;
  for (const run of runs) {
    for (; next < run.first; next++) masked += pieces[next]!.lead + pieces[next]!.text;
    let span = pieces[run.first]!.text;
    for (let i = run.first + 1; i <= run.last; i++) span += pieces[i]!.lead + pieces[i]!.text;
    masked += pieces[run.first]!.lead;
    // A number's run may reach into the words after it ("49 per"): the digits must stay,
    // the wording around them is the model's to choose.
    const item = run.kind === 'number' ? numberCore(pieces, run.first, run.last) : span;
    if (run.kind === 'code-fence' || span.length >= MARKER_MIN_CHARS) {
      const block = { marker: markerFor(blocks.length + 1), text: span, kind: run.kind };
      blocks.push(block);
      masked += block.marker;
    } else {
      masked += span;
      if (!seen.has(item)) {
        seen.add(item);
        mustKeep.push({ text: item, kind: run.kind });
      }
    }
    next = run.last + 1;
  }
  for (; next < pieces.length; next++) masked += pieces[next]!.lead + pieces[next]!.text;
  return { format: document.format, masked, blocks, mustKeep };
}

/** Puts each block's original text back in place of its marker (the first occurrence). */
export function restoreBlocks(candidate: string, blocks: readonly MarkedBlock[]): string {
  let out = candidate;
  for (const block of blocks) {
    const at = out.indexOf(block.marker);
    if (at !== -1) out = out.slice(0, at) + block.text + out.slice(at + block.marker.length);
  }
  return out;
}
