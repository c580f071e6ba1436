#!/usr/bin/env node
// Writes media/models/capsule-soft/MODEL_CARD.md from the manifest (per-depth quality of
// the shipped graphs), the SoFT table (eval_depths.py) and the corpus summary (build-corpus.mjs).
//
//   node scripts/model/write-model-card.mjs [--model media/models/capsule-soft] [--corpus build/model]
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option, root } from './options.mjs';

const modelDir = option('--model', join(root, 'media', 'models', 'capsule-soft'));
const corpusDir = option('--corpus', join(root, 'build', 'model'));
const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
const table = JSON.parse(readFileSync(join(corpusDir, 'soft-table.json'), 'utf8'));
const sources = JSON.parse(readFileSync(join(corpusDir, 'sources.json'), 'utf8'));
const bytes = readdirSync(modelDir).reduce((sum, f) => sum + statSync(join(modelDir, f)).size, 0);
const f = (x, d = 3) => x.toFixed(d);

/** The SoFT table as Markdown (also pasted into the README). */
export function softTable() {
  const depths = table.soft.bitsPerByte.prompts.length;
  const lines = [
    `Held-out bits per byte (lower is better) at each exit depth, after ${table.soft.steps} steps of the same batches (${table.measuredOn}):`,
    '',
    '| depth | SoFT, held-out prompts | normal, held-out prompts | SoFT, held-out text | normal, held-out text |',
    '|---|---|---|---|---|',
  ];
  for (let k = 0; k < depths; k++) {
    lines.push(`| ${k + 1} | ${f(table.soft.bitsPerByte.prompts[k])} | ${f(table.normal.bitsPerByte.prompts[k])} | ${f(table.soft.bitsPerByte.text[k])} | ${f(table.normal.bitsPerByte.text[k])} |`);
  }
  return lines.join('\n');
}

const depthRows = manifest.depths.map((d) => {
  const q = d.quality;
  return `| ${d.depth} | ${f(q.heldOutBitsPerByte.prompts)} | ${f(q.heldOutBitsPerByte.text)} | ${f(q.relative)} | ${f(q.int8HeldOutBitsPerByte.prompts)} | ${f(q.int8HeldOutBitsPerByte.text)} | ${f(q.int8Relative)} |`;
});
const sourceRows = Object.entries(sources.sources).map(
  ([name, s]) => `| ${name} | ${s.origin} | ${s.licence} | ${s.trainDocs.toLocaleString('en-US')} docs, ${(s.trainChars / 1e6).toFixed(1)}M chars | ${s.heldOutDocs} docs, ${(s.heldOutChars / 1e6).toFixed(2)}M chars |`,
);

const card = `# Model card: ${manifest.id}

A small causal language model that scores how surprising each token of a prompt is, for
Prompt Capsule's local compressor (\`--backend onnx\`). Trained with Sorted Fine-Tuning
(SoFT): every depth 1-${manifest.depths.length} is a usable model.

- **Architecture**: ${manifest.depths.length} pre-norm transformer blocks, d = ${manifest.hiddenSize}, 4 heads, feed-forward 576, learned positions, context ${manifest.window} tokens, output head tied to the token embedding; 3.1M parameters. Byte-level BPE tokenizer of ${manifest.tokenizer.vocabSize.toLocaleString('en-US')} tokens (\`tokenizer.json\`).
- **Training**: ${manifest.training.steps} steps of 16 x 256 tokens (${((manifest.training.steps * 16 * 256) / 1e6).toFixed(1)}M tokens), AdamW, cosine schedule, seed ${manifest.training.seed}, on one CPU thread: \`scripts/model/train_soft.py\`. Loss: the mean of the next-token losses at all ${manifest.depths.length} exits through one shared norm and head.
- **Files**: ${(bytes / 1e6).toFixed(2)} MB in all: per depth a block graph in fp32 and in int8 (MatMulInteger with per-column int8 weights, dynamically quantized activations), the embedding and head graphs, the tied embedding table stored once (\`embedding.fp32.bin\`).
- **Licence**: MIT, like the extension. The training data's licences are below.

## Quality of the shipped graphs, by depth

Measured through the ONNX graphs with onnxruntime-node (\`scripts/model/measure-quality.mjs\`): ${manifest.qualityMeasuredOn}.

| depth | fp32 bits/byte, prompts | fp32 bits/byte, text | fp32 relative | int8 bits/byte, prompts | int8 bits/byte, text | int8 relative |
|---|---|---|---|---|---|---|
${depthRows.join('\n')}

## The SoFT effect

The same architecture trained for the same steps with the loss at full depth only
("normal"), then cut at each depth through the same head (\`scripts/model/eval_depths.py\`, torch):

${softTable()}

## Training data

| source | origin | licence | training | held out |
|---|---|---|---|---|
${sourceRows.join('\n')}

Prompts are repeated ${sources.promptRepeats} times in training. Nothing of the corpus is in this folder; \`scripts/model/build-corpus.mjs\` rebuilds it.

WordNet licence notice: WordNet 3.0 Copyright 2006 by Princeton University. All rights
reserved. THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION,
PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS
FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR
DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER
RIGHTS. The name of Princeton University or Princeton may not be used in advertising or
publicity pertaining to distribution of the software and/or database.

## Limits

A 3M-parameter model trained for minutes-to-hours on one CPU: it knows common English and
prompt phrasing, not facts. It is one signal among the capsulator's (the prompt's
structure, word frequencies, its protections); see the benchmark in the README for what it
changes. Not trained on languages other than English, except what the prompts contain.
`;
writeFileSync(join(modelDir, 'MODEL_CARD.md'), card);
if (process.argv.includes('--print-soft-table')) console.log(softTable());
