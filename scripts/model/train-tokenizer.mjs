#!/usr/bin/env node
// Trains the byte-level BPE tokenizer of the bundled local model on the corpus that
// build-corpus.mjs wrote, and writes it as a Hugging Face tokenizer.json (model BPE,
// ByteLevel pre-tokenizer and decoder) so that the extension loads it with
// @huggingface/tokenizers, the library that also loads user-supplied models.
//
//   node scripts/model/train-tokenizer.mjs [--corpus build/model] [--vocab 2048]
//
// Deterministic: ties between equally frequent pairs go to the lexicographically
// smaller pair.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option, root } from './options.mjs';

const corpusDir = option('--corpus', join(root, 'build', 'model'));
const vocabSize = Number(option('--vocab', '2048'));
export const END_OF_TEXT = '<|endoftext|>';

// GPT-2's pre-tokenizer split, the one the ByteLevel pre-tokenizer applies (use_regex).
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's reversible map from bytes to printable characters. */
function bytesToUnicode() {
  const printable = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return map;
}
const byteChar = bytesToUnicode();
const encoder = new TextEncoder();

const wordCounts = new Map();
for (const line of readFileSync(join(corpusDir, 'train.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  for (const piece of JSON.parse(line).text.match(SPLIT) ?? []) {
    const word = Array.from(encoder.encode(piece), (b) => byteChar[b]).join('');
    wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  }
}

// Words seen once add little and cost much; every byte is in the vocabulary anyway.
const words = [];
const counts = [];
for (const [word, count] of wordCounts) {
  if (count < 2) continue;
  words.push(Array.from(word));
  counts.push(count);
}

const key = (a, b) => `${a} ${b}`;
const pairCounts = new Map();
const pairWords = new Map();
const addPairs = (index, sign) => {
  const symbols = words[index];
  for (let i = 0; i + 1 < symbols.length; i++) {
    const k = key(symbols[i], symbols[i + 1]);
    pairCounts.set(k, (pairCounts.get(k) ?? 0) + sign * counts[index]);
    if (sign > 0) {
      let set = pairWords.get(k);
      if (!set) pairWords.set(k, (set = new Set()));
      set.add(index);
    }
  }
};
words.forEach((_, index) => addPairs(index, 1));

const vocab = new Map([[END_OF_TEXT, 0]]);
for (let b = 0; b < 256; b++) vocab.set(byteChar[b], vocab.size);
const merges = [];
while (vocab.size < vocabSize) {
  let best;
  let bestCount = 0;
  for (const [k, count] of pairCounts) {
    if (count > bestCount || (count === bestCount && best !== undefined && k < best)) {
      best = k;
      bestCount = count;
    }
  }
  if (!best || bestCount < 2) break;
  const [left, right] = best.split(' ');
  const merged = left + right;
  merges.push([left, right]);
  if (!vocab.has(merged)) vocab.set(merged, vocab.size);
  for (const index of pairWords.get(best) ?? []) {
    const symbols = words[index];
    addPairs(index, -1);
    const next = [];
    for (let i = 0; i < symbols.length; i++) {
      if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
        next.push(merged);
        i++;
      } else next.push(symbols[i]);
    }
    words[index] = next;
    addPairs(index, 1);
  }
  pairWords.delete(best);
  for (const [k, count] of pairCounts) if (count <= 0) pairCounts.delete(k);
}

const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 0, content: END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: Object.fromEntries(vocab),
    merges,
  },
};
writeFileSync(join(corpusDir, 'tokenizer.json'), JSON.stringify(tokenizer));
writeFileSync(join(corpusDir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 256, eos_token: END_OF_TEXT, clean_up_tokenization_spaces: false }));
console.log(`vocabulary ${vocab.size}, ${merges.length} merges, from ${words.length} distinct words`);
