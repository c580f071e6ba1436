/**
 * Lays a model's token scores onto the capsulator's pieces. A token counts toward the
 * piece holding its first non-space character; a word's score is the sum of its tokens'
 * surprisal (its information content, as LLMLingua reads a small LM) or the mean of their
 * keep probabilities (LLMLingua-2's word-level aggregation).
 */
import type { Piece } from '../capsule/types';
import type { TokenScores } from './localModel';

const SPACE = /\s/;

export function pieceScores(text: string, pieces: readonly Piece[], tokens: TokenScores): Float64Array {
  const out = new Float64Array(pieces.length).fill(Number.NaN);
  // Piece index by character; -1 inside a piece's lead.
  const owner = new Int32Array(text.length).fill(-1);
  let at = 0;
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p]!;
    at += piece.lead.length;
    for (let k = 0; k < piece.text.length && at + k < text.length; k++) owner[at + k] = p;
    at += piece.text.length;
  }
  // Pieces are slices of the text: if they do not add up to it, the scores cannot be placed.
  if (at !== text.length) return out;
  const counts = new Float64Array(pieces.length);
  const { starts, ends, scores } = tokens;
  for (let t = 0; t < scores.length; t++) {
    const value = scores[t]!;
    if (Number.isNaN(value)) continue;
    let c = starts[t]!;
    while (c < ends[t]! - 1 && SPACE.test(text[c]!)) c++;
    const p = owner[c] ?? -1;
    if (p < 0) continue;
    out[p] = Number.isNaN(out[p]!) ? value : out[p]! + value;
    counts[p]!++;
  }
  if (tokens.scale === 'keep-probability') for (let p = 0; p < out.length; p++) if (counts[p]! > 0) out[p] = out[p]! / counts[p]!;
  return out;
}
