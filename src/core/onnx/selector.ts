/**
 * The sub-model selector: which depth and precision of a local model to run for this
 * input. A one-time calibration times every depth x precision on this machine's provider
 * (fixed cost plus cost per token, from two input sizes); the selector then picks the
 * deepest variant whose predicted time fits the latency budget (at that depth the better
 * precision), or the fastest that meets a quality floor, and says why.
 */
import { formatCount, formatPercent } from '../format/numbers';
import { CancelledError } from '../worker/cancellation';
import type { AbortLike, LocalModel } from './localModel';
import { depthQuality, type ModelManifest, type Precision } from './manifest';
import type { ExecutionProvider } from './providers';
import calibrationPrompts from '../llm/data/calibration-prompts.json';

export interface VariantTiming {
  depth: number;
  precision: Precision;
  /** Predicted ms = fixedMs + msPerToken x model tokens (least squares over the timed sizes). */
  fixedMs: number;
  msPerToken: number;
}

/**
 * Bumped when the runtime changes how it runs a model (batching, session options), so
 * timings taken by an older one are not reused.
 */
export const RUNTIME_REVISION = 2;

export interface LocalCalibration {
  modelId: string;
  runtimeRevision: number;
  /** Changes when the package's files change: a stale calibration is re-run. */
  modelFingerprint: string;
  machine: string;
  provider: ExecutionProvider;
  measuredAt: string;
  variants: VariantTiming[];
}

export type SelectionMode = 'depth' | 'latency-budget' | 'quality-floor';

export interface LocalSelection {
  depth: number;
  precision: Precision;
  mode: SelectionMode;
  /** Predicted model time for this input, when calibrated. */
  predictedMs?: number;
  quality?: number;
  /** In words, for the Capsule card, the status bar tooltip and --json. */
  reason: string;
}

export interface SelectionRequest {
  /** The input's length in the model's tokens. */
  tokens: number;
  depth?: number;
  precision?: Precision;
  latencyBudgetMs?: number;
  /** 0..1 relative to the full model; wins over the latency budget. */
  qualityFloor?: number;
}

export const DEFAULT_LATENCY_BUDGET_MS = 250;

export function predictMs(timing: VariantTiming, tokens: number): number {
  return timing.fixedMs + timing.msPerToken * tokens;
}

function variantName(depth: number, precision: Precision, maxDepth: number): string {
  return `depth ${depth}/${maxDepth} ${precision}`;
}

export function selectVariant(manifest: ModelManifest, precisions: readonly Precision[], calibration: LocalCalibration | undefined, request: SelectionRequest): LocalSelection {
  const maxDepth = manifest.depths.length;
  const tokens = request.tokens;
  const timings = (calibration?.variants ?? []).filter((v) => precisions.includes(v.precision) && v.depth <= maxDepth);
  const timingOf = (depth: number, precision: Precision) => timings.find((v) => v.depth === depth && v.precision === precision);
  const describe = (depth: number, precision: Precision) => {
    const timing = timingOf(depth, precision);
    const quality = depthQuality(manifest, depth, precision);
    const parts = [timing ? `predicted ${formatCount(predictMs(timing, tokens))} ms for ${formatCount(tokens)} model tokens` : 'not timed on this machine'];
    if (quality !== undefined) parts.push(`quality ${formatPercent(quality)} of the full model`);
    return parts.join(', ');
  };
  const result = (depth: number, precision: Precision, mode: SelectionMode, why: string): LocalSelection => {
    const timing = timingOf(depth, precision);
    const quality = depthQuality(manifest, depth, precision);
    return {
      depth,
      precision,
      mode,
      ...(timing ? { predictedMs: predictMs(timing, tokens) } : {}),
      ...(quality !== undefined ? { quality } : {}),
      reason: `${variantName(depth, precision, maxDepth)}: ${why} (${describe(depth, precision)})`,
    };
  };
  const allowed = request.precision ? [request.precision] : [...precisions];
  if (request.depth !== undefined) {
    const precision = request.precision ?? betterPrecision(allowed, request.depth, timingOf, manifest);
    return result(request.depth, precision, 'depth', 'the depth asked for');
  }
  const candidates = allowed.flatMap((precision) => Array.from({ length: maxDepth }, (_, i) => ({ depth: i + 1, precision })));
  const quality = (c: { depth: number; precision: Precision }) => depthQuality(manifest, c.depth, c.precision) ?? c.depth / maxDepth;
  const time = (c: { depth: number; precision: Precision }) => {
    const timing = timingOf(c.depth, c.precision);
    return timing ? predictMs(timing, tokens) : Number.POSITIVE_INFINITY;
  };
  if (request.qualityFloor !== undefined) {
    const meeting = candidates.filter((c) => quality(c) >= request.qualityFloor! - 1e-9).sort((a, b) => time(a) - time(b) || a.depth - b.depth);
    if (meeting.length > 0) return result(meeting[0]!.depth, meeting[0]!.precision, 'quality-floor', `the fastest variant with quality at least ${formatPercent(request.qualityFloor)}`);
    const best = [...candidates].sort((a, b) => quality(b) - quality(a) || time(a) - time(b))[0]!;
    return result(best.depth, best.precision, 'quality-floor', `no variant reaches quality ${formatPercent(request.qualityFloor)}; the best one`);
  }
  const budget = request.latencyBudgetMs ?? DEFAULT_LATENCY_BUDGET_MS;
  if (timings.length === 0) {
    const full = allowed.includes('int8') ? 'int8' : allowed[0]!;
    return result(maxDepth, full, 'latency-budget', 'the full model: no calibration on this machine yet to check the latency budget');
  }
  // The deepest that fits; at one depth the better precision, the faster when their
  // qualities agree to 0.001 (closer than that is measurement noise).
  const rounded = (c: { depth: number; precision: Precision }) => Math.round(quality(c) * 1000);
  const fitting = candidates.filter((c) => time(c) <= budget).sort((a, b) => b.depth - a.depth || rounded(b) - rounded(a) || time(a) - time(b));
  if (fitting.length > 0) {
    const c = fitting[0]!;
    return result(c.depth, c.precision, 'latency-budget', c.depth === maxDepth ? `the full model fits the ${formatCount(budget)} ms budget` : `the deepest variant within the ${formatCount(budget)} ms budget`);
  }
  const fastest = [...candidates].sort((a, b) => time(a) - time(b))[0]!;
  return result(fastest.depth, fastest.precision, 'latency-budget', `no variant fits the ${formatCount(budget)} ms budget; the fastest one`);
}

/** At one depth: the precision of better quality, the faster when they tie. */
function betterPrecision(allowed: Precision[], depth: number, timingOf: (d: number, p: Precision) => VariantTiming | undefined, manifest: ModelManifest): Precision {
  const quality = (p: Precision) => depthQuality(manifest, depth, p) ?? 0;
  return [...allowed].sort((a, b) => quality(b) - quality(a) || (timingOf(depth, a)?.msPerToken ?? Infinity) - (timingOf(depth, b)?.msPerToken ?? Infinity))[0] ?? 'fp32';
}

/** Sample text for timing: the bundled calibration prompts, repeated to length. */
function sampleText(model: LocalModel, tokens: number): string {
  let text = '';
  for (let i = 0; model.tokenizer.encode(text).ids.length < tokens; i++) text += `${calibrationPrompts.prompts[i % calibrationPrompts.prompts.length]}\n\n`;
  return text;
}

/** The sizes timed: one short window and four windows' worth. */
const CALIBRATION_SIZES = [0.5, 4];
const RUNS = 3;

/** Times every depth x precision (seconds for the bundled model). */
export async function calibrateLocalModel(
  model: LocalModel,
  machine: string,
  modelFingerprint: string,
  signal?: AbortLike,
  progress?: (done: number, total: number) => void,
): Promise<LocalCalibration> {
  const { provider } = await model.provider();
  const texts = CALIBRATION_SIZES.map((windows) => sampleText(model, Math.round(windows * model.manifest.window)));
  const sizes = texts.map((t) => model.tokenizer.encode(t).ids.length);
  const variants: VariantTiming[] = [];
  const total = model.maxDepth * model.precisions.length;
  for (const precision of model.precisions) {
    for (let depth = 1; depth <= model.maxDepth; depth++) {
      if (signal?.aborted) throw new CancelledError();
      await model.score(texts[0]!, { depth, precision }, signal); // warm-up: sessions open, caches fill
      const points: Array<[number, number]> = [];
      for (let s = 0; s < texts.length; s++) {
        const times: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const started = performance.now();
          await model.score(texts[s]!, { depth, precision }, signal);
          times.push(performance.now() - started);
        }
        points.push([sizes[s]!, times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!]);
      }
      const [[x0, y0], [x1, y1]] = [points[0]!, points[points.length - 1]!];
      const msPerToken = Math.max(0, (y1 - y0) / Math.max(1, x1 - x0));
      variants.push({ depth, precision, msPerToken, fixedMs: Math.max(0, y0 - msPerToken * x0) });
      progress?.(variants.length, total);
    }
  }
  return { modelId: model.manifest.id, runtimeRevision: RUNTIME_REVISION, modelFingerprint, machine, provider, measuredAt: new Date().toISOString(), variants };
}
