/**
 * The model's tokenizer, with where each token sits in the text (UTF-16 offsets), so
 * token scores can be laid onto the capsulator's words. A Hugging Face tokenizer.json is
 * loaded with @huggingface/tokenizers (pure JS, no download); 'byte' tokenizes UTF-8 bytes.
 */
// (The package is ESM with a CommonJS build; its types are ESM-only, hence this shape.)
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[]; tokens: string[] };
}
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: new (json: object, config: object) => HfTokenizer };

export interface TokenizedText {
  ids: Int32Array;
  /** UTF-16 offset of each token's first character, and one past its last. */
  starts: Int32Array;
  ends: Int32Array;
}

export interface ModelTokenizer {
  readonly vocabSize: number;
  encode(text: string): TokenizedText;
}

/** UTF-16 index of each UTF-8 byte offset of `text` (length: bytes + 1). */
function byteToCharIndex(text: string): Int32Array {
  const bytes = Buffer.byteLength(text, 'utf8');
  const map = new Int32Array(bytes + 1);
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const n = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    const width = code >= 0x10000 ? 2 : 1;
    for (let k = 0; k < n; k++) map[b + k] = i;
    b += n;
    i += width;
  }
  map[bytes] = text.length;
  return map;
}

export class ByteTokenizer implements ModelTokenizer {
  readonly vocabSize = 256;
  encode(text: string): TokenizedText {
    const bytes = Buffer.from(text, 'utf8');
    const toChar = byteToCharIndex(text);
    const ids = new Int32Array(bytes.length);
    const starts = new Int32Array(bytes.length);
    const ends = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i]!;
      starts[i] = toChar[i]!;
      ends[i] = toChar[i + 1]!;
    }
    return { ids, starts, ends };
  }
}

/** GPT-2's printable stand-ins for bytes, reversed: character -> byte. */
function unicodeToByte(): Map<string, number> {
  const map = new Map<string, number>();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(String.fromCodePoint(printable ? b : 256 + extra++), b);
  }
  return map;
}
let byteOf: Map<string, number> | undefined;

interface TokenizerJson {
  normalizer?: unknown;
  pre_tokenizer?: { type?: string; pretokenizers?: Array<{ type?: string }> } | null;
  decoder?: { type?: string } | null;
  model?: { vocab?: Record<string, number> | unknown[]; continuing_subword_prefix?: string | null };
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
}

export class HuggingFaceTokenizer implements ModelTokenizer {
  readonly vocabSize: number;
  private readonly tokenizer: HfTokenizer;
  private readonly byteLevel: boolean;
  private readonly special: Set<string>;
  private readonly subwordPrefix: string;

  constructor(json: TokenizerJson, config: Record<string, unknown> = {}) {
    this.tokenizer = new Tokenizer(json, config);
    const vocab = json.model?.vocab;
    const added = json.added_tokens ?? [];
    const size = Array.isArray(vocab) ? vocab.length : Object.keys(vocab ?? {}).length;
    this.vocabSize = Math.max(size, ...added.map((t) => t.id + 1));
    const preTokenizers = json.pre_tokenizer?.type === 'Sequence' ? (json.pre_tokenizer.pretokenizers ?? []) : [json.pre_tokenizer ?? {}];
    // Byte-level BPE with no normalizer covers the text's bytes exactly, in order.
    this.byteLevel = (json.normalizer === null || json.normalizer === undefined) && preTokenizers.some((p) => p?.type === 'ByteLevel');
    this.special = new Set(added.filter((t) => t.special).map((t) => t.content));
    this.subwordPrefix = json.model?.continuing_subword_prefix ?? '##';
  }

  encode(text: string): TokenizedText {
    const encoded = this.tokenizer.encode(text, { add_special_tokens: false });
    const ids = Int32Array.from(encoded.ids);
    const tokens = encoded.tokens;
    return this.byteLevel ? this.byteOffsets(text, ids, tokens) : this.alignedOffsets(text, ids, tokens);
  }

  private byteOffsets(text: string, ids: Int32Array, tokens: string[]): TokenizedText {
    byteOf ??= unicodeToByte();
    const toChar = byteToCharIndex(text);
    const starts = new Int32Array(ids.length);
    const ends = new Int32Array(ids.length);
    let byte = 0;
    for (let i = 0; i < ids.length; i++) {
      const token = tokens[i]!;
      // An added token matched in the text stands there verbatim; the others are GPT-2's byte characters.
      let length = 0;
      if (this.special.has(token)) length = Buffer.byteLength(token);
      else for (const ch of token) length += byteOf.has(ch) ? 1 : Buffer.byteLength(ch);
      starts[i] = toChar[Math.min(byte, toChar.length - 1)]!;
      byte += length;
      ends[i] = toChar[Math.min(byte, toChar.length - 1)]!;
    }
    return { ids, starts, ends };
  }

  /** WordPiece, SentencePiece and the like: find each token's surface form in the text, in order. */
  private alignedOffsets(text: string, ids: Int32Array, tokens: string[]): TokenizedText {
    const starts = new Int32Array(ids.length);
    const ends = new Int32Array(ids.length);
    // Normalizers often lower-case: search a lower-cased copy of the same length.
    const folded = Array.from(text, (ch) => {
      const lower = ch.toLowerCase();
      return lower.length === ch.length ? lower : ch;
    }).join('');
    let cursor = 0;
    for (let i = 0; i < ids.length; i++) {
      const token = tokens[i]!;
      // An added token ([SEP], <|endoftext|>) stands verbatim in the text, unless it is the
      // unknown token, which stands for the word it could not split.
      const special = this.special.has(token);
      let surface = token.toLowerCase();
      if (!special && surface.startsWith(this.subwordPrefix)) surface = surface.slice(this.subwordPrefix.length);
      if (!special) surface = surface.replace(/\u2581/g, ' ').trimStart();
      const at = surface ? folded.indexOf(surface, cursor) : -1;
      // Only whitespace (or a few characters the normalizer changed) may lie between tokens.
      if (at >= 0 && at - cursor <= 8) {
        starts[i] = at;
        cursor = ends[i] = at + surface.length;
      } else {
        // An unknown or normalised token: it takes what lies up to the next whitespace.
        let end = cursor;
        while (end < text.length && /\s/.test(text[end]!)) end++;
        const begin = end;
        while (end < text.length && !/\s/.test(text[end]!)) end++;
        starts[i] = begin;
        cursor = ends[i] = end;
      }
    }
    return { ids, starts, ends };
  }
}
