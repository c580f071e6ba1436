/**
 * Tokenizers the project can run exactly. Encodings are loaded on first use only:
 * each one is megabytes of BPE ranks, and nothing should pay for that at start-up.
 */
export type TokenizerId = 'o200k_base' | 'cl100k_base';

export const TOKENIZER_IDS: readonly TokenizerId[] = ['o200k_base', 'cl100k_base'];

export interface Tokenizer {
  readonly id: TokenizerId;
  /** Token ids of `text`. Special-token strings such as `<|endoftext|>` count as plain text. */
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
  count(text: string): number;
}

interface GptTokenizerModule {
  encode(text: string, options?: { disallowedSpecial?: Set<string>; allowedSpecial?: Set<string> }): number[];
  decode(tokens: Iterable<number>): string;
}

// A prompt is user text: a literal "<|endoftext|>" in it must be counted as the
// characters it is, never rejected or turned into a control token.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>(), allowedSpecial: new Set<string>() };

function loadModule(id: TokenizerId): GptTokenizerModule {
  // Literal require paths so bundlers can see (and lazily wrap) each encoding.
  switch (id) {
    case 'o200k_base':
      return require('gpt-tokenizer/encoding/o200k_base') as GptTokenizerModule;
    case 'cl100k_base':
      return require('gpt-tokenizer/encoding/cl100k_base') as GptTokenizerModule;
  }
}

const cache = new Map<TokenizerId, Tokenizer>();

export function isTokenizerId(value: unknown): value is TokenizerId {
  return typeof value === 'string' && (TOKENIZER_IDS as readonly string[]).includes(value);
}

export function getTokenizer(id: TokenizerId): Tokenizer {
  const cached = cache.get(id);
  if (cached) return cached;
  const mod = loadModule(id);
  const tokenizer: Tokenizer = {
    id,
    encode: (text) => mod.encode(text, PLAIN_TEXT),
    decode: (tokens) => mod.decode(tokens),
    count: (text) => (text.length === 0 ? 0 : mod.encode(text, PLAIN_TEXT).length),
  };
  cache.set(id, tokenizer);
  return tokenizer;
}
