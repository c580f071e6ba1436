#!/usr/bin/env node
// Measures the exported package's held-out quality at every depth and precision, through
// the ONNX stage graphs that ship (onnxruntime-node, CPU), and writes it into
// manifest.json: bits per byte on the held-out prompts (the odd-numbered dev prompts) and
// held-out text, and relative quality = full-depth fp32 bits per byte / this variant's.
//
//   node scripts/model/measure-quality.mjs [--model media/models/capsule-soft] [--corpus build/model] [--tokens 65536]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { option, root } from './options.mjs';

const ort = createRequire(import.meta.url)('onnxruntime-node');
const modelDir = option('--model', join(root, 'media', 'models', 'capsule-soft'));
const corpusDir = option('--corpus', join(root, 'build', 'model'));
const maxTokens = Number(option('--tokens', '65536'));
const manifestPath = join(modelDir, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const tokenizer = JSON.parse(readFileSync(join(modelDir, manifest.tokenizer.file), 'utf8'));
const specials = new Set(tokenizer.added_tokens.map((t) => t.id));
const bytesOf = new Map(Object.entries(tokenizer.model.vocab).map(([token, id]) => [id, specials.has(id) ? 0 : [...token].length]));
const window = manifest.window;
const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
const sessions = new Map();
const session = async (file) => {
  if (!sessions.has(file)) sessions.set(file, await ort.InferenceSession.create(join(modelDir, file), options));
  return sessions.get(file);
};

/** Bits per byte over non-overlapping windows (each window's first token has no prediction and is skipped). */
async function bitsPerByte(ids, depth, precision) {
  let nats = 0;
  let bytes = 0;
  const batch = 8;
  const windows = Math.floor(ids.length / window);
  for (let w = 0; w < windows; w += batch) {
    const count = Math.min(batch, windows - w);
    const data = new BigInt64Array(count * window);
    for (let i = 0; i < count * window; i++) data[i] = BigInt(ids[w * window + i]);
    const input = new ort.Tensor('int64', data, [count, window]);
    let hidden = (await (await session(manifest.stages.embed[precision])).run({ input_ids: input })).hidden;
    for (let k = 0; k < depth; k++) {
      const s = await session(manifest.stages.blocks[k][precision]);
      hidden = (await s.run({ [s.inputNames[0]]: hidden }))[s.outputNames[0]];
    }
    const out = await (await session(manifest.stages.head[precision])).run({ hidden, input_ids: input });
    const surprisal = out.surprisal.data;
    for (let b = 0; b < count; b++) {
      for (let t = 1; t < window; t++) {
        nats += surprisal[b * window + t];
        bytes += bytesOf.get(Number(data[b * window + t]));
      }
    }
  }
  return nats / Math.LN2 / bytes;
}

const sets = {};
for (const name of ['prompts', 'text']) {
  const all = new Uint16Array(readFileSync(join(corpusDir, `valid-${name}.u16`)).buffer.slice(0));
  sets[name] = all.subarray(0, Math.min(all.length, maxTokens));
}
const results = [];
for (const precision of ['fp32', 'int8']) {
  for (let depth = 1; depth <= manifest.stages.blocks.length; depth++) {
    const row = { depth, precision };
    for (const [name, ids] of Object.entries(sets)) row[name] = await bitsPerByte(ids, depth, precision);
    results.push(row);
    console.log(JSON.stringify(row));
  }
}
const round = (x) => Math.round(x * 10000) / 10000;
const mean = (row) => (row.prompts + row.text) / 2;
const full = results.find((r) => r.precision === 'fp32' && r.depth === manifest.stages.blocks.length);
manifest.depths = manifest.stages.blocks.map((_, i) => {
  const fp32 = results.find((r) => r.precision === 'fp32' && r.depth === i + 1);
  const int8 = results.find((r) => r.precision === 'int8' && r.depth === i + 1);
  return {
    depth: i + 1,
    quality: {
      relative: round(Math.min(1, mean(full) / mean(fp32))),
      int8Relative: round(Math.min(1, mean(full) / mean(int8))),
      heldOutBitsPerByte: { prompts: round(fp32.prompts), text: round(fp32.text) },
      int8HeldOutBitsPerByte: { prompts: round(int8.prompts), text: round(int8.text) },
    },
  };
});
manifest.qualityMeasuredOn = `bits per byte on ${sets.prompts.length.toLocaleString('en-US')} tokens of held-out prompts (the odd-numbered lines of test/data/prompts-dev.jsonl, never trained on) and ${sets.text.length.toLocaleString('en-US')} tokens of held-out text (1 document in 50 of each other source); relative quality = the full model's fp32 bits per byte / this variant's (mean of the two sets)`;
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
