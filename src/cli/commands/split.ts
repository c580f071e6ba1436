import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countForModels } from '../../core/count/countModels';
import { formatUsd } from '../../core/format/numbers';
import { openLocalModel } from '../../core/onnx/service';
import { LocalRequestError, ModelPackageError, ProviderUnavailableError } from '../../core/onnx/errors';
import { hostedLatency, parseHostedLatency } from '../../core/plan/hosted';
import { CEMA_MARGIN, cemaThresholdBits, splitPrompts, type SplitReport } from '../../core/plan/split';
import { measurePrompts, measureStepMs } from '../../core/plan/splitMeasure';
import type { PlanSpace } from '../../core/plan/types';
import { binaryInputMessage, detectBinary } from '../../core/text/binary';
import { booleanFlag, numberFlag, parseArgs, stringFlag } from '../args';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { loadCatalog, readInputText, requireModel } from '../input';
import { LOCAL_MODEL_FLAGS, readLocalModelRequest } from '../localModelFlags';

const USAGE = `usage: capsule split PROMPTS [--cloud-model ID] [--output-tokens N] [--threshold-bits X | --margin M] [--json]

Edge/cloud split, CEMA-style: each prompt stays on the local model when the local model's
mean predictive entropy over it is under a threshold (it is on familiar ground) and goes to
the cloud model otherwise. Reports the share sent, and the cost and latency of the split
against sending everything to the cloud.

  PROMPTS               a JSONL file ({"id": ..., "prompt": "..."} per line) or a folder of
                        .txt/.md/.prompt files
  --cloud-model ID      catalog model for the cloud side (default gpt-4o)
  --output-tokens N     expected output tokens per request (default 256)
  --threshold-bits X    keep a prompt local when its mean entropy is under X bits
  --margin M            or CEMA's rule: X = M x log2(vocabulary) (default M = ${CEMA_MARGIN}, CEMA's ent_high_margin)
  --hosted-latency FILE your own cloud latency ({"ID": {"ttftMs": N, "outputTokensPerSec": N}})
  --model-dir DIR       local model package (default: the bundled model); --depth, --precision, --provider
  --catalog FILE        also load a price file
  --json                machine-readable output`;

const PROMPT_FILE = /\.(txt|md|prompt)$/i;

async function readPrompts(target: string, io: CliIo): Promise<Array<{ id: string; text: string }>> {
  const full = path.resolve(io.cwd, target);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new UsageError(`cannot read '${target}': no such file or folder`);
  }
  const prompts: Array<{ id: string; text: string }> = [];
  if (isDir) {
    for (const name of readdirSync(full).filter((n) => PROMPT_FILE.test(n) && statSync(path.join(full, n)).isFile()).sort()) {
      const text = await readFile(path.join(full, name), 'utf8');
      const verdict = detectBinary(text);
      if (verdict.binary) throw new UsageError(binaryInputMessage(name, verdict));
      if (text.trim()) prompts.push({ id: name, text });
    }
  } else {
    const { text } = await readInputText(target, io);
    for (const [n, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new UsageError(`${target} line ${n + 1} is not JSON`);
      }
      const prompt = typeof record === 'string' ? record : (record as Record<string, unknown>)?.['prompt'] ?? (record as Record<string, unknown>)?.['text'];
      if (typeof prompt !== 'string') throw new UsageError(`${target} line ${n + 1} has no string "prompt"`);
      const id = (record as Record<string, unknown>)?.['id'];
      if (prompt.trim()) prompts.push({ id: typeof id === 'string' || typeof id === 'number' ? String(id) : `line ${n + 1}`, text: prompt });
    }
  }
  if (prompts.length === 0) throw new UsageError(`${target} holds no prompts${isDir ? ' (.txt, .md or .prompt files)' : ''}`);
  return prompts;
}

const ms = (x: number | null) => (x === null ? 'unknown' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);

export function formatSplit(r: SplitReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `Threshold ${r.thresholdBits.toFixed(2)} bits (${r.thresholdRule}); prompts' mean entropy p10 ${r.entropyQuantiles.p10.toFixed(2)}, p50 ${r.entropyQuantiles.p50.toFixed(2)}, p90 ${r.entropyQuantiles.p90.toFixed(2)} bits.`,
    `Local: ${r.local.prompts} prompts (${pct(r.local.share)})${r.local.prompts > 0 ? `, mean latency ${ms(r.local.meanLatencyMs)}` : ''}.`,
    `Cloud (${r.cloudModel}): ${r.cloud.prompts} prompts (${pct(r.cloud.share)})${r.cloud.prompts > 0 ? `, ${formatUsd(r.cloud.costUsd)}, mean latency ${ms(r.cloud.meanLatencyMs)}` : ''}.`,
    `Split: ${formatUsd(r.split.costUsd)}, mean latency ${ms(r.split.meanLatencyMs)}; all cloud: ${formatUsd(r.allCloud.costUsd)}, mean latency ${ms(r.allCloud.meanLatencyMs)}. The split saves ${pct(r.savedShare)} of the cost.`,
    ...r.notes,
  ].join('\n') + '\n';
}

export const splitCommand: CliCommand = {
  name: 'split',
  summary: 'route prompts between the local model and a cloud model by the local model\'s entropy (CEMA-style)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      ...LOCAL_MODEL_FLAGS,
      'cloud-model': { kind: 'string' },
      'output-tokens': { kind: 'integer', min: 1 },
      'threshold-bits': { kind: 'number', min: 0 },
      margin: { kind: 'number', min: 0, max: 1 },
      'hosted-latency': { kind: 'string' },
      catalog: { kind: 'string' },
      json: { kind: 'boolean' },
    });
    if (args.positionals.length !== 1) throw new UsageError('split takes one PROMPTS file or folder');
    if (numberFlag(args, 'threshold-bits') !== undefined && numberFlag(args, 'margin') !== undefined) throw new UsageError('give --threshold-bits or --margin, not both');
    const catalog = await loadCatalog(stringFlag(args, 'catalog'), io);
    const cloud = requireModel(catalog, stringFlag(args, 'cloud-model') ?? 'gpt-4o');
    const space: PlanSpace = {};
    const latencyFile = stringFlag(args, 'hosted-latency');
    if (latencyFile !== undefined) {
      try {
        space.hostedLatency = parseHostedLatency(JSON.parse((await readInputText(latencyFile, io)).text));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`--hosted-latency '${latencyFile}': ${(err as Error).message}`);
      }
    }
    const prompts = await readPrompts(args.positionals[0]!, io);
    const request = readLocalModelRequest(args, io);
    const cloudTokens = new Map<string, number>();
    for (const p of prompts) cloudTokens.set(p.id, countForModels(p.text, [cloud])[0]!.tokens);
    try {
      const model = openLocalModel(request);
      const run = { depth: request.depth ?? model.maxDepth, precision: request.precision ?? (model.precisions.includes('int8') ? 'int8' : model.precisions[0]!) };
      const measured = await measurePrompts(model, prompts.map((p) => ({ ...p, cloudTokens: cloudTokens.get(p.id)! })), run);
      const stepMs = await measureStepMs(model, run);
      const tokenizer = model.manifest.tokenizer;
      const vocab = tokenizer.type === 'huggingface' ? tokenizer.vocabSize : 256;
      const given = numberFlag(args, 'threshold-bits');
      const margin = numberFlag(args, 'margin') ?? CEMA_MARGIN;
      const report = splitPrompts(measured, {
        thresholdBits: given ?? cemaThresholdBits(vocab, margin),
        thresholdRule: given !== undefined ? 'set with --threshold-bits' : `CEMA's ${margin} × log2(${vocab}) of ${model.manifest.id}'s vocabulary`,
        cloud,
        cloudLatency: hostedLatency(cloud.id, space),
        outputTokens: numberFlag(args, 'output-tokens') ?? 256,
        localStepMs: stepMs,
      });
      const local = { model: model.manifest.id, depth: run.depth, precision: run.precision, stepMs };
      io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify({ ...report, localModel: local }, null, 2)}\n` : `Local model ${local.model}, depth ${local.depth}, ${local.precision}: one decode step ${stepMs.toFixed(1)} ms.\n${formatSplit(report)}`);
      return 0;
    } catch (err) {
      if (err instanceof LocalRequestError) throw new UsageError(err.message);
      if (!(err instanceof ModelPackageError || err instanceof ProviderUnavailableError)) throw err;
      io.stderr.write(`capsule split: ${err instanceof ModelPackageError ? `bad model package: ${err.message}` : err.message}\n`);
      return 1;
    }
  },
};
