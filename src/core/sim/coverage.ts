import crossValidationFile from './data/cross-validation.json';
import { BUNDLED_CALIBRATION } from './calibration';

/** Published rows of one engine profile on one GPU, with their cross-validated error. */
export interface EngineGpuCoverage {
  engine: string;
  gpu: string;
  rows: number;
  medianAbsErrorPct: number;
  maxAbsErrorPct: number;
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
  return `${who} on ${gpuName}: ${c.rows} published row${c.rows === 1 ? '' : 's'} of its own, cross-validated median error ${c.medianAbsErrorPct.toFixed(1)}% (max ${c.maxAbsErrorPct.toFixed(0)}%)`;
}
