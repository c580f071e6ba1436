/**
 * Measures what the edge/cloud split needs from the local model: its mean predictive entropy
 * over each prompt, the time of that pass (the prefill), and the time of one decode step.
 */
import { LocalRequestError } from '../onnx/errors';
import type { AbortLike, LocalModel, RunOptions } from '../onnx/localModel';
import type { PromptEntropy } from './split';

/** Mean entropy (bits) over the positions the model predicted; NaN when it predicted none. */
export function meanEntropy(entropyBits: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (const e of entropyBits) {
    if (Number.isFinite(e)) {
      sum += e;
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

export async function measurePrompts(
  model: LocalModel,
  prompts: ReadonlyArray<{ id: string; text: string; cloudTokens: number }>,
  run: RunOptions,
  signal?: AbortLike,
  progress?: (done: number, total: number) => void,
): Promise<PromptEntropy[]> {
  if (model.manifest.kind !== 'causal-lm') throw new LocalRequestError(`${model.manifest.id} is a ${model.manifest.kind}: the split needs a causal language model's predictive entropy`);
  const out: PromptEntropy[] = [];
  for (const p of prompts) {
    const scores = await model.score(p.text, run, signal);
    const entropy = scores.entropyBits ? meanEntropy(scores.entropyBits) : Number.NaN;
    // A one-token prompt has nothing predicted (null): no evidence the local model knows it, so it goes to the cloud.
    out.push({ id: p.id, meanEntropyBits: Number.isFinite(entropy) ? entropy : null, cloudTokens: p.cloudTokens, localPrefillMs: scores.modelMs });
    progress?.(out.length, prompts.length);
  }
  return out;
}

/** Median time of a one-token forward pass: what one decode step costs at least (five runs, after a warm-up). */
export async function measureStepMs(model: LocalModel, run: RunOptions, signal?: AbortLike): Promise<number> {
  await model.score('a', run, signal);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await model.score('a', run, signal)).modelMs);
  times.sort((a, b) => a - b);
  return times[2]!;
}
