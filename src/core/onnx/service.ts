/**
 * The local-model backend as the worker and the CLI call it: load (and keep) the
 * package, pick the sub-model, score the prompt, and hand the scores to the built-in
 * capsulator's budget controller: same protections, same budget rules, same report.
 */
import { compressPrompt, type CapsuleResult, type CompressOptions } from '../capsule';
import { LocalModel, type AbortLike } from './localModel';
import { depthQuality, type ModelManifest, type Precision } from './manifest';
import { pieceScores } from './pieceScores';
import { describeProvider, type ExecutionProvider, type ProviderAttempt, type ProviderSetting } from './providers';
import { calibrateLocalModel, predictMs, selectVariant, type LocalCalibration, type LocalSelection } from './selector';
import { findCalibration, machineKey, modelFingerprint, storeCalibration } from './calibrationCache';
import { existsSync } from 'node:fs';
import { LocalRequestError } from './errors';

export interface LocalModelRequest {
  modelDir: string;
  provider?: ProviderSetting;
  depth?: number;
  precision?: Precision;
  latencyBudgetMs?: number;
  qualityFloor?: number;
  /** Where calibrations are cached; without one, a calibration lives as long as the process. */
  calibrationFile?: string;
}

export interface LocalRunInfo {
  modelId: string;
  kind: ModelManifest['kind'];
  depth: number;
  maxDepth: number;
  precision: Precision;
  provider: ExecutionProvider;
  providerAttempts: ProviderAttempt[];
  /** "cpu (cuda unavailable: ...)": which provider ran and why the others did not. */
  providerNote: string;
  /** Inference time of this run. */
  modelMs: number;
  /** Time spent opening sessions first (0 once they are open: they are kept). */
  loadMs: number;
  modelTokens: number;
  windows: number;
  selection: LocalSelection;
}

export type LocalCapsuleResult = CapsuleResult & { local: LocalRunInfo };

/** Loaded models by folder and provider, with the fingerprint of the files they were loaded from. */
const models = new Map<string, { model: LocalModel; fingerprint: string }>();
const calibrations = new Map<string, LocalCalibration>();
/** The fingerprint each loaded model was loaded at (read once per request, not again for its calibration). */
const fingerprints = new WeakMap<LocalModel, string>();
/** Calibrations under way: a second request waits for the first (two at once would time each other). */
const measuring = new Map<string, Promise<LocalCalibration>>();

/** The loaded model for this folder and provider; loaded again when its files changed on disk. */
export function openLocalModel(request: LocalModelRequest): LocalModel {
  const provider = request.provider ?? 'auto';
  const key = `${request.modelDir}|${provider}`;
  const fingerprint = existsSync(request.modelDir) ? modelFingerprint(request.modelDir) : '';
  const known = models.get(key);
  if (known && known.fingerprint === fingerprint) return known.model;
  const model = LocalModel.load(request.modelDir, provider);
  if (known) void known.model.dispose();
  models.set(key, { model, fingerprint });
  fingerprints.set(model, fingerprint);
  return model;
}

/** Drops loaded models (after the model folder or provider setting changes). */
export async function closeLocalModels(): Promise<void> {
  const open = [...models.values()];
  models.clear();
  calibrations.clear();
  await Promise.all(open.map(({ model }) => model.dispose()));
}

/** The cached calibration for this model, machine and provider; measured now when there is none (or `recalibrate`). */
export async function localCalibration(
  model: LocalModel,
  request: LocalModelRequest,
  options: { recalibrate?: boolean; signal?: AbortLike; progress?: (done: number, total: number) => void } = {},
): Promise<LocalCalibration> {
  const { provider } = await model.provider();
  const fingerprint = fingerprints.get(model) ?? modelFingerprint(model.dir);
  const machine = machineKey();
  const key = `${model.dir}|${provider}|${fingerprint}`;
  if (!options.recalibrate) {
    const known = calibrations.get(key) ?? (request.calibrationFile ? findCalibration(request.calibrationFile, model.manifest.id, fingerprint, provider, machine) : undefined);
    if (known) {
      calibrations.set(key, known);
      return known;
    }
  }
  const running = measuring.get(key);
  if (running) return running;
  const pending = calibrateLocalModel(model, machine, fingerprint, options.signal, options.progress).then((measured) => {
    calibrations.set(key, measured);
    if (request.calibrationFile) storeCalibration(request.calibrationFile, measured);
    return measured;
  });
  measuring.set(key, pending);
  try {
    return await pending;
  } finally {
    measuring.delete(key);
  }
}

export async function compressWithLocalModel(
  text: string,
  options: CompressOptions,
  request: LocalModelRequest,
  signal?: AbortLike,
  progress?: (done: number, total: number) => void,
): Promise<LocalCapsuleResult> {
  const model = openLocalModel(request);
  const { provider, attempts } = await model.provider();
  // Encoded once: its length sizes the prediction, and the model scores the same ids.
  const encoded = model.tokenizer.encode(text);
  const tokens = encoded.ids.length;
  // A fixed depth needs no timing; the budget and the quality floor do.
  const calibration = request.depth === undefined ? await localCalibration(model, request, { signal, ...(progress ? { progress } : {}) }) : undefined;
  const selection = selectVariant(model.manifest, model.precisions, calibration, {
    tokens,
    ...(request.depth !== undefined ? { depth: request.depth } : {}),
    ...(request.precision ? { precision: request.precision } : {}),
    ...(request.latencyBudgetMs !== undefined ? { latencyBudgetMs: request.latencyBudgetMs } : {}),
    ...(request.qualityFloor !== undefined ? { qualityFloor: request.qualityFloor } : {}),
  });
  if (selection.depth > model.maxDepth) {
    throw new LocalRequestError(`depth ${selection.depth} was asked for, but ${model.manifest.id} has depths 1 to ${model.maxDepth}`);
  }
  if (!model.precisions.includes(selection.precision)) {
    throw new LocalRequestError(`${selection.precision} was asked for, but ${model.manifest.id} comes in ${model.precisions.join(' and ')} only`);
  }
  const scores = await model.score(text, { depth: selection.depth, precision: selection.precision }, signal, encoded);
  const result = compressPrompt(text, options, signal, (pieces) => pieceScores(text, pieces, scores));
  return {
    ...result,
    local: {
      modelId: model.manifest.id,
      kind: model.manifest.kind,
      depth: selection.depth,
      maxDepth: model.maxDepth,
      precision: selection.precision,
      provider,
      providerAttempts: attempts,
      providerNote: describeProvider(provider, attempts),
      modelMs: scores.modelMs,
      loadMs: scores.loadMs,
      modelTokens: tokens,
      windows: scores.windows,
      selection,
    },
  };
}

export interface LocalModelInfo {
  directory: string;
  manifest: ModelManifest;
  provider: ExecutionProvider;
  providerNote: string;
  precisions: Precision[];
  depths: Array<{ depth: number; quality: Partial<Record<Precision, number>>; msPer1kTokens: Partial<Record<Precision, number>> }>;
  calibration?: LocalCalibration;
}

export async function localModelInfo(request: LocalModelRequest, options: { calibrate?: boolean; recalibrate?: boolean; signal?: AbortLike; progress?: (done: number, total: number) => void } = {}): Promise<LocalModelInfo> {
  const model = openLocalModel(request);
  const { provider, attempts } = await model.provider();
  const fingerprint = fingerprints.get(model) ?? modelFingerprint(model.dir);
  const calibration =
    options.calibrate || options.recalibrate
      ? await localCalibration(model, request, options)
      : request.calibrationFile
        ? findCalibration(request.calibrationFile, model.manifest.id, fingerprint, provider)
        : undefined;
  const precisions = model.precisions;
  return {
    directory: model.dir,
    manifest: model.manifest,
    provider,
    providerNote: describeProvider(provider, attempts),
    precisions,
    depths: model.manifest.depths.map(({ depth }) => ({
      depth,
      quality: Object.fromEntries(precisions.flatMap((p) => (depthQuality(model.manifest, depth, p) !== undefined ? [[p, depthQuality(model.manifest, depth, p)!]] : []))),
      msPer1kTokens: Object.fromEntries(
        precisions.flatMap((p) => {
          const timing = calibration?.variants.find((v) => v.depth === depth && v.precision === p);
          return timing ? [[p, Math.round(predictMs(timing, 1000) * 10) / 10]] : [];
        }),
      ),
    })),
    ...(calibration ? { calibration } : {}),
  };
}
