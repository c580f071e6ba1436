/** The local-model flags shared by `compress --backend onnx` and `model-info`. */
import { formatCount } from '../core/format/numbers';
import { bundledModelDir } from '../core/onnx/bundled';
import { defaultCalibrationFile } from '../core/onnx/calibrationCache';
import { PRECISIONS, type Precision } from '../core/onnx/manifest';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../core/onnx/providers';
import type { LocalModelRequest, LocalRunInfo } from '../core/onnx/service';
import { numberFlag, stringFlag, type FlagSpecs, type ParsedArgs } from './args';
import { UsageError, type CliIo } from './command';
import { isAbsolute, resolve } from 'node:path';

export const LOCAL_MODEL_FLAGS: FlagSpecs = {
  'model-dir': { kind: 'string' },
  depth: { kind: 'integer', min: 1, max: 256 },
  'latency-budget-ms': { kind: 'number' },
  'quality-floor': { kind: 'number' },
  precision: { kind: 'string' },
  provider: { kind: 'string' },
};

export function readLocalModelRequest(args: ParsedArgs, io: CliIo): LocalModelRequest {
  const dir = stringFlag(args, 'model-dir');
  const precision = stringFlag(args, 'precision');
  if (precision !== undefined && !(PRECISIONS as readonly string[]).includes(precision)) throw new UsageError(`--precision must be ${PRECISIONS.join(' or ')}, got '${precision}'`);
  const provider = stringFlag(args, 'provider') ?? 'auto';
  if (!(PROVIDER_SETTINGS as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDER_SETTINGS.join(', ')}, got '${provider}'`);
  const depth = numberFlag(args, 'depth');
  const budget = numberFlag(args, 'latency-budget-ms');
  const floor = numberFlag(args, 'quality-floor');
  if ([depth, budget, floor].filter((v) => v !== undefined).length > 1) throw new UsageError('--depth, --latency-budget-ms and --quality-floor are mutually exclusive');
  if (budget !== undefined && !(budget > 0)) throw new UsageError(`--latency-budget-ms must be positive, got ${budget}`);
  if (floor !== undefined && !(floor >= 0 && floor <= 1)) throw new UsageError(`--quality-floor must be in [0, 1], got ${floor}`);
  return {
    modelDir: dir ? (isAbsolute(dir) ? dir : resolve(io.cwd, dir)) : bundledModelDir(__dirname),
    provider: provider as ProviderSetting,
    calibrationFile: defaultCalibrationFile(),
    ...(depth !== undefined ? { depth } : {}),
    ...(budget !== undefined ? { latencyBudgetMs: budget } : {}),
    ...(floor !== undefined ? { qualityFloor: floor } : {}),
    ...(precision ? { precision: precision as Precision } : {}),
  };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** What --json adds for the local model (the contract: depth, precision, provider, modelMs, selection). */
export function localModelJson(local: LocalRunInfo): Record<string, unknown> {
  return {
    depth: local.depth,
    precision: local.precision,
    provider: local.provider,
    modelMs: round1(local.modelMs),
    selection: local.selection.reason,
    local: { ...local, modelMs: round1(local.modelMs), selection: { ...local.selection, ...(local.selection.predictedMs !== undefined ? { predictedMs: round1(local.selection.predictedMs) } : {}) } },
  };
}

export function localModelNote(local: LocalRunInfo): string {
  return `${local.modelId} depth ${local.depth}/${local.maxDepth} ${local.precision} on ${local.provider}, ${formatCount(local.modelMs)} ms (${local.selection.reason})`;
}
