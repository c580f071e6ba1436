import crossValidationFile from './data/cross-validation.json';
import { BUNDLED_CALIBRATION } from './calibration';

/** Published rows of one engine profile on one GPU, with their cross-validated error. */
export interface EngineGpuCoverage {
  engine: string;
  gpu: string;
  rows: number;
  medianAbsErrorPct: number;
  maxAbsErrorPct: number;
  /** Median error signed so that + is optimistic (more throughput, less latency than measured). */
  medianOptimismPct: number;
}

const COVERAGE: readonly EngineGpuCoverage[] = crossValidationFile.byEngineAndGpu;

/**
 * The published rows an engine profile has on a GPU (data/cross-validation.json, written by
 * scripts/dev/build-cross-validation.mjs), undefined where it has none: there its figures
 * come from fits on other GPUs and engines, and the cards say so.
 */
export function publishedCoverage(engine: string, gpu: string): EngineGpuCoverage | undefined {
  return COVERAGE.find((c) => c.engine === engine && c.gpu === gpu);
}

/** One line for a card: how many published rows back this engine on this GPU, or that none do. */
export function describeCoverage(engine: string, gpu: string, gpuName: string): string {
  const who = engine === BUNDLED_CALIBRATION.defaultEngine ? `the default engine ('${engine}')` : `engine '${engine}'`;
  const c = publishedCoverage(engine, gpu);
  if (!c) return `no published rows for ${who} on ${gpuName}: its figures rest on fits to other GPUs and engines`;
  return `${who} on ${gpuName}: ${c.rows} published row${c.rows === 1 ? '' : 's'} of its own, cross-validated median error ${c.medianAbsErrorPct.toFixed(1)}% (max ${c.maxAbsErrorPct.toFixed(0)}%), ${describeLean(c.medianOptimismPct)}`;
}

/**
 * Which way a pair's figures lean, in words: a reader choosing hardware needs to know whether
 * the error is a spread around the truth or a promise the measurements did not keep.
 */
export function describeLean(medianOptimismPct: number): string {
  const size = Math.abs(medianOptimismPct);
  // Within half a point the rows split both ways: no lean worth naming.
  if (size < 0.5) return 'no lean either way';
  return `leaning ${medianOptimismPct > 0 ? 'optimistic' : 'pessimistic'} (median ${medianOptimismPct > 0 ? '+' : '-'}${size.toFixed(1)}%)`;
}
