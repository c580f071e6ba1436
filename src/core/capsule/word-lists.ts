/**
 * Word lists and word tables the scorer, the phrase finder and the lexer share: function
 * words, scripts written without spaces, and the compact word-count tables in data/.
 */
import stopwords from './data/stopwords-en.json';

/** Scripts written without spaces between words: segmented with Intl.Segmenter. */
export const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** NLTK English stopwords: articles, pronouns, auxiliaries. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(stopwords.words);
/** Chinese particles and light words that a segmenter leaves as words of their own. */
export const CJK_PARTICLES: ReadonlySet<string> = new Set(['你是', '我是', '的', '地', '得', '了', '着', '过', '是', '在', '和', '与', '及', '或', '也', '都', '就', '而', '把', '被', '对', '从', '向', '给', '让', '之', '所', '于', '一名', '一个', '这', '那', '你', '我']);

/** Whether a (lower-cased) word is a function word: the first to go, never a keeper. */
export function isFunctionWordLower(lower: string): boolean {
  return FUNCTION_WORDS.has(lower) || CJK_PARTICLES.has(lower);
}

export function isFunctionWord(text: string): boolean {
  return isFunctionWordLower(text.toLowerCase());
}

/** A word table in compact form: words one per line, their counts in base 36 in the same order. */
export interface CountTable {
  words: string;
  counts: string;
}

/** Calls `visit` with each word of a compact table and its count. */
export function forEachCount(table: CountTable, visit: (word: string, count: number) => void): void {
  const words = table.words.split('\n');
  const counts = table.counts.split(' ');
  for (let k = 0; k < words.length; k++) visit(words[k]!, parseInt(counts[k]!, 36));
}
