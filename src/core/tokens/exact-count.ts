/**
 * Exact token counts without building token arrays, for the counting hot paths (the
 * status bar, capsule drafts). It splits text with the encoding's own pre-tokenizer
 * regex and looks pieces up in its own rank table, both read from the loaded
 * gpt-tokenizer encoding. ASCII pieces that are not one token are merged here on
 * strings; gpt-tokenizer's merge decodes every candidate pair from bytes, which is most
 * of the time spent counting rare words. Other pieces go to the library's merge.
 *
 * The tables are library internals, so they are checked before use: when they are
 * missing or not what is expected, there is no fast counter and callers count with the
 * library. Tests hold the result equal to the library's count, for both encodings.
 */

import { asciiSplitterFor } from './ascii-split';

/** What this module reads from gpt-tokenizer's BytePairEncodingCore. */
interface BpeCore {
  bytePairStringRankEncoder: Map<string, number>;
  tokenSplitRegex: RegExp;
  bytePairEncode(piece: string): number[];
  /** The library's own memo of merged pieces (absent when its size is set to 0). */
  mergeCache?: Map<string, number[]>;
}

/** Every counter's memo of merged pieces, so forgetMergeMemos can empty them. */
const mergeMemos: Array<Map<string, number>> = [];

/** Empties the memos of merged pieces (rebuilt on demand); the benchmark times cold merges with it. */
export function forgetMergeMemos(): void {
  for (const memo of mergeMemos) memo.clear();
}

/** Longer pieces (runs of spaces or signs) go to the library: the merge is quadratic. */
const MAX_ASCII_MERGE = 256;
/** Merge counts remembered per encoding before starting afresh. */
const MERGE_MEMO_LIMIT = 200_000;

function bpeCoreOf(encoding: unknown): BpeCore | undefined {
  const core = (encoding as { bytePairEncodingCoreProcessor?: Partial<BpeCore> } | null | undefined)?.bytePairEncodingCoreProcessor;
  if (
    core === undefined ||
    !(core.bytePairStringRankEncoder instanceof Map) ||
    core.bytePairStringRankEncoder.size === 0 ||
    !(core.tokenSplitRegex instanceof RegExp) ||
    !core.tokenSplitRegex.global ||
    typeof core.bytePairEncode !== 'function'
  ) {
    return undefined;
  }
  return core as BpeCore;
}

/**
 * A function counting `text` exactly as the encoding's `countTokens` does with no special
 * tokens allowed (special-token strings count as the plain text they are), or undefined
 * when the encoding does not expose the tables this needs.
 */
export function makeExactCounter(encoding: unknown): ((text: string) => number) | undefined {
  const core = bpeCoreOf(encoding);
  if (!core) return undefined;
  const ranks = core.bytePairStringRankEncoder;
  // A private copy: exec() moves lastIndex, and the library's regex is shared.
  const split = new RegExp(core.tokenSplitRegex.source, core.tokenSplitRegex.flags);
  const merged = new Map<string, number>();
  mergeMemos.push(merged);
  const splitAscii = asciiSplitterFor(core.tokenSplitRegex);

  const libraryMemo = core.mergeCache instanceof Map ? core.mergeCache : undefined;
  const mergeCount = (piece: string): number => {
    let n = merged.get(piece);
    if (n === undefined) {
      // A piece the library's encoder has merged already (the status bar counts first).
      n = libraryMemo?.get(piece)?.length;
      n ??= isAscii(piece) && piece.length <= MAX_ASCII_MERGE ? asciiMergeCount(piece, ranks) : core.bytePairEncode(piece).length;
      if (merged.size >= MERGE_MEMO_LIMIT) merged.clear();
      merged.set(piece, n);
    }
    return n;
  };

  return (text: string): number => {
    let total = 0;
    if (splitAscii !== undefined && isAscii(text)) {
      for (let start = 0; start < text.length; ) {
        const end = splitAscii(text, start);
        const piece = start === 0 && end === text.length ? text : text.slice(start, end);
        total += ranks.has(piece) ? 1 : mergeCount(piece);
        start = end;
      }
      return total;
    }
    split.lastIndex = 0;
    for (let m = split.exec(text); m !== null; m = split.exec(text)) {
      const piece = m[0];
      total += ranks.has(piece) ? 1 : mergeCount(piece);
    }
    return total;
  };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * Tokens of an ASCII piece after byte-pair merging (bytes are characters here): the
 * adjacent pair whose joined text has the lowest rank merges first, the leftmost on a
 * tie, until no adjacent pair is a token; as tiktoken's byte_pair_merge does.
 */
function asciiMergeCount(piece: string, ranks: Map<string, number>): number {
  // starts[k]: where part k begins (plus the end); pairRank[k]: rank of parts k and k+1 joined.
  const starts: number[] = [];
  const pairRank: number[] = [];
  for (let i = 0; i <= piece.length; i++) starts.push(i);
  for (let i = 0; i + 1 < piece.length; i++) pairRank.push(ranks.get(piece.slice(i, i + 2)) ?? Infinity);
  const rankAt = (k: number): number => (k + 2 < starts.length ? (ranks.get(piece.slice(starts[k], starts[k + 2])) ?? Infinity) : Infinity);
  while (pairRank.length > 0) {
    let lowest = Infinity;
    let at = -1;
    for (let k = 0; k < pairRank.length; k++) {
      if (pairRank[k]! < lowest) {
        lowest = pairRank[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    pairRank.splice(at, 1);
    if (at < pairRank.length) pairRank[at] = rankAt(at);
    if (at > 0) pairRank[at - 1] = rankAt(at - 1);
  }
  return starts.length - 1;
}
