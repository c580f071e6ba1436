import * as path from 'node:path';
import { LocalRequestError, ModelPackageError, ProviderUnavailableError } from '../../core/onnx/errors';
import { hostedLatency, parseHostedLatency } from '../../core/plan/hosted';
import { PromptSetError, readPromptSet } from '../../core/plan/promptSet';
import { CEMA_MARGIN, describeSplit } from '../../core/plan/split';
import { runSplit } from '../../core/plan/splitRun';
import type { PlanSpace } from '../../core/plan/types';
import { booleanFlag, numberFlag, parseArgs, stringFlag } from '../args';
import { UsageError, type CliCommand } from '../command';
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

export const splitCommand: CliCommand = {
  name: 'split',
  summary: "route prompts between the local model and a cloud model by the local model's entropy (CEMA-style)",
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
    const threshold = numberFlag(args, 'threshold-bits');
    const margin = numberFlag(args, 'margin');
    if (threshold !== undefined && margin !== undefined) throw new UsageError('give --threshold-bits or --margin, not both');
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
    const target = args.positionals[0]!;
    let prompts;
    try {
      prompts = readPromptSet(path.resolve(io.cwd, target), target);
    } catch (err) {
      if (err instanceof PromptSetError) throw new UsageError(err.message);
      throw err;
    }
    const request = readLocalModelRequest(args, io);
    try {
      const report = await runSplit(prompts, request, {
        cloud,
        cloudLatency: hostedLatency(cloud.id, space),
        outputTokens: numberFlag(args, 'output-tokens') ?? 256,
        ...(threshold !== undefined ? { thresholdBits: threshold } : {}),
        ...(margin !== undefined ? { margin } : {}),
      });
      const l = report.localModel;
      io.stdout.write(
        booleanFlag(args, 'json')
          ? `${JSON.stringify(report, null, 2)}\n`
          : `Local model ${l.model}, depth ${l.depth}, ${l.precision}: one decode step ${l.stepMs.toFixed(1)} ms.\n${[...describeSplit(report), ...report.notes].join('\n')}\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof LocalRequestError) throw new UsageError(err.message);
      if (!(err instanceof ModelPackageError || err instanceof ProviderUnavailableError)) throw err;
      io.stderr.write(`capsule split: ${err instanceof ModelPackageError ? `bad model package: ${err.message}` : err.message}\n`);
      return 1;
    }
  },
};
