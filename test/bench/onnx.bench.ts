/**
 * The local model backend (issue 11), side by side in one run:
 * 1. latency of each depth x precision of the bundled model for 512 / 2k / 8k-token
 *    prompts on one CPU thread, with tokens/s, time per 1k model tokens and the weights
 *    each variant loads;
 * 2. the compression benchmark at rates 0.5 and 0.33 for `onnx` at each depth next to
 *    `builtin`, on the held-out half of the dev prompts (odd-numbered lines: the model
 *    never trained on them), and on all prompts.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { compressPrompt, resolveTarget } from '../../src/core/capsule';
import { bundledModelDir } from '../../src/core/onnx/bundled';
import { LocalModel, type TokenScores } from '../../src/core/onnx/localModel';
import type { Precision } from '../../src/core/onnx/manifest';
import { pieceScores } from '../../src/core/onnx/pieceScores';
import { getTokenizer } from '../../src/core/tokens/tokenizer';
import { Bm25Index, distinctiveShare, distinctiveTerms, isJsonPrompt, loadPrompts, MUST_KEEP_CLASSES, mustKeepItems, newStats } from './capsule.bench';

const RATES = [0.5, 0.33];
const SIZES = [512, 2048, 8192];
const REPEATS = 3;

const fmt = (x: number, digits = 3) => x.toFixed(digits);

function promptOfLength(prompts: readonly string[], tokens: number): string {
  const tok = getTokenizer('o200k_base');
  let text = '';
  for (let i = 0; tok.count(text) < tokens; i++) text += `${prompts[i % prompts.length]}\n\n`;
  // Trim to the size by whole lines.
  while (tok.count(text) > tokens * 1.02) text = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1);
  return text;
}

function stageBytes(model: LocalModel, depth: number, precision: Precision): number {
  const { stages } = model.manifest;
  const files = [stages.embed[precision] ?? stages.embed.fp32, ...stages.blocks.slice(0, depth).map((b) => b[precision] ?? b.fp32), stages.head[precision] ?? stages.head.fp32];
  let bytes = files.reduce((sum, f) => sum + statSync(path.join(model.dir, f)).size, 0);
  // The tied embedding table the fp32 embedding and head stages share.
  if (precision === 'fp32') bytes += statSync(path.join(model.dir, 'embedding.fp32.bin')).size;
  return bytes;
}

async function latency(model: LocalModel, prompts: readonly string[]): Promise<string[]> {
  const lines = ['| depth | precision | weights loaded (MB) | ' + SIZES.map((s) => `${s} tokens (ms)`).join(' | ') + ' | model tokens/s (8k) | ms per 1k model tokens (8k) |', '|---|---|---|' + SIZES.map(() => '---|').join('') + '---|---|'];
  const texts = SIZES.map((s) => promptOfLength(prompts, s));
  const modelTokens = texts.map((t) => model.tokenizer.encode(t).ids.length);
  for (const precision of model.precisions) {
    for (let depth = 1; depth <= model.maxDepth; depth++) {
      await model.score(texts[0]!, { depth, precision }); // sessions open, warm
      const times = [];
      for (const text of texts) {
        let best = Infinity;
        for (let r = 0; r < REPEATS; r++) best = Math.min(best, (await model.score(text, { depth, precision })).modelMs);
        times.push(best);
      }
      const last = times.at(-1)!;
      const n = modelTokens.at(-1)!;
      lines.push(`| ${depth} | ${precision} | ${fmt(stageBytes(model, depth, precision) / 1e6, 1)} | ${times.map((t) => fmt(t, 1)).join(' | ')} | ${Math.round((n / last) * 1000).toLocaleString('en-US')} | ${fmt((last / n) * 1000, 1)} |`);
    }
  }
  lines.push('');
  lines.push(`Prompts of ${SIZES.join(' / ')} o200k_base tokens are ${modelTokens.map((n) => n.toLocaleString('en-US')).join(' / ')} tokens of the model's own tokenizer. Best of ${REPEATS}, one intra-op thread, CPU provider; process RSS at the end ${fmt(process.memoryUsage().rss / 1e6, 0)} MB.`);
  return lines;
}

async function quality(model: LocalModel, prompts: readonly string[]): Promise<string[]> {
  const tok = getTokenizer('o200k_base');
  const items = prompts.map(mustKeepItems);
  const topics = distinctiveTerms(prompts);
  const bm25 = new Bm25Index(prompts);
  const heldOut = prompts.map((_, i) => i).filter((i) => i % 2 === 1);
  const variants: Array<{ name: string; depth?: number; precision?: Precision }> = [{ name: 'builtin' }];
  for (let depth = 1; depth <= model.maxDepth; depth++) variants.push({ name: `onnx depth ${depth} int8`, depth, precision: 'int8' });
  variants.push({ name: `onnx depth ${model.maxDepth} fp32`, depth: model.maxDepth, precision: 'fp32' });
  const lines = [
    '| rate | backend | within budget | lowest must-keep recall | JSON valid | retrieval@1 | distinctive words kept, held-out half | distinctive words kept, all | model ms per prompt |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const results: string[] = [];
  for (const variant of variants) {
    // Scored once per prompt, used at both rates.
    let scores: TokenScores[] | undefined;
    let modelMs = 0;
    if (variant.depth) {
      scores = [];
      for (const text of prompts) {
        const s = await model.score(text, { depth: variant.depth, precision: variant.precision! });
        modelMs += s.modelMs;
        scores.push(s);
      }
    }
    for (const rate of RATES) {
      const all = { distinctive: 0 };
      const row = newStats();
      for (let i = 0; i < prompts.length; i++) {
        const text = prompts[i]!;
        const s = scores?.[i];
        const result = compressPrompt(text, { rate }, undefined, s ? (pieces) => pieceScores(text, pieces, s) : undefined);
        all.distinctive += distinctiveShare(topics[i]!, result.capsule);
        if (i % 2 === 0) continue;
        row.prompts++;
        const { target } = resolveTarget({ rate }, tok.count(text));
        if (result.report.capsuleTokens <= target * 1.05) row.within++;
        for (const [cls, set] of items[i]!) {
          row.total.set(cls, row.total.get(cls)! + set.size);
          let kept = 0;
          for (const item of set) if (result.capsule.includes(item)) kept++;
          row.kept.set(cls, row.kept.get(cls)! + kept);
        }
        if (isJsonPrompt(text)) {
          row.jsonTotal++;
          if (isJsonPrompt(result.capsule)) row.jsonValid++;
        }
        if (bm25.top(result.capsule) === i) row.retrieved++;
        row.distinctive += distinctiveShare(topics[i]!, result.capsule);
      }
      const recalls = MUST_KEEP_CLASSES.filter((c) => row.total.get(c)! > 0).map((c) => [c, row.kept.get(c)! / row.total.get(c)!] as const);
      const lowest = recalls.reduce((a, b) => (b[1] < a[1] ? b : a));
      results.push(
        `| ${rate} | ${variant.name} | ${fmt(row.within / row.prompts)} | ${fmt(lowest[1])} (${lowest[0]}) | ${fmt(row.jsonValid / Math.max(1, row.jsonTotal))} (${row.jsonTotal}) | ${fmt(row.retrieved / row.prompts)} | ${fmt(row.distinctive / row.prompts)} | ${fmt(all.distinctive / prompts.length)} | ${variant.depth ? fmt(modelMs / prompts.length, 1) : '-'} |`,
      );
    }
  }
  // Grouped by rate.
  for (const rate of RATES) lines.push(...results.filter((r) => r.startsWith(`| ${rate} |`)));
  lines.push('');
  lines.push(`Held-out half: the ${heldOut.length} odd-numbered dev prompts, which neither the model nor data/prompt-df.json saw. Within budget: capsule tokens <= 1.05 x the target. Distinctive words kept: the share of each prompt's top 10% TF-IDF terms the capsule keeps (as in the capsulator benchmark).`);
  return lines;
}

export async function run(): Promise<void> {
  const prompts = loadPrompts().map((p) => p.prompt);
  const model = LocalModel.load(bundledModelDir(__dirname), 'cpu');
  const lines = [`# Local model benchmark: ${model.manifest.id} (${model.manifest.kind}, ${model.maxDepth} depths)`, '', '## Latency by depth and precision', ''];
  lines.push(...(await latency(model, prompts)));
  lines.push('', '## Compression quality, onnx at each depth next to builtin', '');
  lines.push(...(await quality(model, prompts)));
  await model.dispose();
  process.stdout.write(lines.join('\n') + '\n');
}
