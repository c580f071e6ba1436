/** Calibration of one model: the measurement selectModel (select.ts) chooses from. */
import type { CapsuleResult, CompressOptions } from '../capsule/types';
import { compressWithLlm } from './capsulator';
import { median } from '../sim/metrics';
import type { EndpointConfig, LlmEndpoint } from './endpoint';
import { parameterBillions, type ModelCalibration } from './select';

export type { ModelCalibration } from './select';

export async function calibrateModel(
  endpoint: LlmEndpoint,
  samples: readonly string[],
  options: CompressOptions & { candidates: number },
  builtin: (text: string, options: CompressOptions) => CapsuleResult | Promise<CapsuleResult>,
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<ModelCalibration> {
  const config: EndpointConfig = endpoint.config;
  const billions = parameterBillions(config.model);
  const base = { model: config.model, baseUrl: config.baseUrl, samples: samples.length, measuredAt: new Date().toISOString(), ...(billions !== undefined ? { billions } : {}) };
  const msPer1k: number[] = [];
  let passed = 0;
  let total = 0;
  try {
    for (const sample of samples) {
      const started = now();
      const result = await compressWithLlm(sample, options, endpoint, { builtin }, signal);
      const elapsed = now() - started;
      msPer1k.push((elapsed * 1000) / Math.max(1, result.report.originalTokens));
      passed += result.candidates.filter((c) => c.passed).length;
      total += result.candidates.length;
    }
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    return { ...base, msPer1kTokens: Number.POSITIVE_INFINITY, passShare: 0, error: (error as Error).message };
  }
  return { ...base, msPer1kTokens: median(msPer1k), passShare: total > 0 ? passed / total : 0 };
}

