/**
 * How much of the prompt's meaning a candidate keeps: the cosine of the two texts'
 * embeddings when the endpoint offers an embeddings model, otherwise the share of the
 * prompt's distinctive words the candidate still has. A length penalty breaks ties
 * towards shorter capsules.
 */
import stopwords from '../capsule/data/stopwords-en.json';

const STOPWORDS: ReadonlySet<string> = new Set(stopwords.words);
// Per unit of "limit used": a capsule at the limit loses 0.1 against one at zero length.
export const LENGTH_PENALTY = 0.1;

/** Lower-cased words of 3+ letters that are not function words (any script). */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)) {
    const word = match[0];
    if ([...word].length >= 3 && !STOPWORDS.has(word)) words.add(word);
  }
  return words;
}

/** Share of the original's distinct content words that the candidate keeps (1 when it has none). */
export function distinctiveWordShare(original: string, candidate: string): number {
  const wanted = contentWords(original);
  if (wanted.size === 0) return 1;
  const kept = contentWords(candidate);
  let n = 0;
  for (const w of wanted) if (kept.has(w)) n++;
  return n / wanted.size;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`embeddings of different sizes (${a.length} and ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function candidateScore(meaning: number, tokens: number, limit: number): number {
  return meaning - LENGTH_PENALTY * (limit > 0 ? tokens / limit : 1);
}
