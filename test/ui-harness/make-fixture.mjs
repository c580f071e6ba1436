// Makes the harness's fixtures from the real core code, bundled for Node with esbuild:
//   fixtures/plan.json       a PlanResult (src/core/plan/planner.ts) with a recommendation;
//   fixtures/plan-none.json  one where no candidate meets the budgets (binding budgets);
//   fixtures/serving.json    a ServingCardState (src/core/serving/estimate.ts), the panel's defaults.
// The space is small so it runs in a few seconds: llama-2-13b-soft depths x fp16/int8/w4a16 x
// a100-80gb/h100-sxm, colocated, plus the hosted models with a latency figure.
// Run: node test/ui-harness/make-fixture.mjs
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const out = join(here, 'fixtures');
mkdirSync(out, { recursive: true });
const bundle = join(out, '.core.cjs');
await esbuild.build({
  stdin: {
    contents: `export { planBudget } from './src/core/plan/planner'; export { estimateServing } from './src/core/serving/estimate'; export { SERVING_OPTIONS, servingTokens } from './src/core/serving/options';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error',
});
const core = createRequire(import.meta.url)(bundle);
rmSync(bundle);

const O200K_TOKENS = 1500;
const write = (name, value) => writeFileSync(join(out, name), JSON.stringify(value, null, 1) + '\n');

function plan(name, inputs) {
  const budgets = { sloTtftMs: inputs.sloTtftMs, sloTpotMs: inputs.sloTpotMs };
  if (inputs.minQuality > 0) budgets.minQuality = inputs.minQuality;
  if (inputs.maxCostPer1kUsd > 0) budgets.maxCostPer1kUsd = inputs.maxCostPer1kUsd;
  if (inputs.maxEnergyJ > 0) budgets.maxEnergyJ = inputs.maxEnergyJ;
  const result = core.planBudget({
    workload: { inputTokens: O200K_TOKENS, outputTokens: inputs.outputTokens, arrival: { kind: 'rate', rate: inputs.rate }, requests: 400 },
    budgets,
    space: { precisions: ['fp16', 'int8', 'w4a16'], modes: ['colocated'], hosted: 'default', maxGpus: inputs.maxGpus },
  });
  const card = { status: 'ready', inputs, resultInputs: inputs, inputTokens: O200K_TOKENS, tokenBasis: 'o200k_base, exact', result };
  write(name, card);
  console.log(`${name}: ${result.candidates.length} candidates, ${result.pareto.length} on the frontier, ${result.simulations} simulations, ${result.elapsedMs} ms`);
}

plan('plan.json', { outputTokens: 256, rate: 4, sloTtftMs: 150, sloTpotMs: 60, minQuality: 0.8, maxCostPer1kUsd: 2, maxEnergyJ: 0, maxGpus: 8 });
plan('plan-none.json', { outputTokens: 256, rate: 4, sloTtftMs: 100, sloTpotMs: 20, minQuality: 0.95, maxCostPer1kUsd: 0.6, maxEnergyJ: 150, maxGpus: 8 });

const servingInputs = { model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated', rate: 4, outputTokens: 256, sloTtftMs: 500, sloTpotMs: 100, gpus: 2 };
const counted = core.servingTokens(servingInputs.model, O200K_TOKENS);
const estimate = core.estimateServing({ ...servingInputs, inputTokens: counted.tokens, capsuleTokens: Math.round(counted.tokens * 0.55) });
write('serving.json', {
  status: 'ready',
  inputs: servingInputs,
  estimateInputs: servingInputs,
  options: core.SERVING_OPTIONS,
  inputTokens: counted.tokens,
  tokenBasis: counted.basis,
  capsuleTokens: Math.round(counted.tokens * 0.55),
  estimate,
});
console.log(`serving.json: ${estimate.curve.length} curve points, ${estimate.elapsedMs.toFixed(0)} ms`);
