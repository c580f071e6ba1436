#!/usr/bin/env node
// Encodes the corpus with the trained tokenizer.json through @huggingface/tokenizers,
// the same library and file the extension uses at run time, so the ids the model is
// trained on are the ids it sees. Documents are separated by <|endoftext|> (id 0).
//
//   node scripts/model/tokenize-corpus.mjs [--corpus build/model]
// Writes train.u16, valid-prompts.u16, valid-text.u16 (little-endian uint16 ids).
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option, root } from './options.mjs';

const corpusDir = option('--corpus', join(root, 'build', 'model'));
const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(join(corpusDir, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(corpusDir, 'tokenizer_config.json'), 'utf8')),
);

for (const split of ['train', 'valid-prompts', 'valid-text']) {
  const ids = [];
  let chars = 0;
  for (const line of readFileSync(join(corpusDir, `${split}.jsonl`), 'utf8').split('\n')) {
    if (!line) continue;
    const { text } = JSON.parse(line);
    chars += Buffer.byteLength(text);
    ids.push(0);
    for (const id of tokenizer.encode(text, { add_special_tokens: false }).ids) ids.push(id);
  }
  writeFileSync(join(corpusDir, `${split}.u16`), Buffer.from(Uint16Array.from(ids).buffer));
  console.log(`${split}: ${ids.length} tokens, ${(chars / ids.length).toFixed(2)} bytes per token`);
}
