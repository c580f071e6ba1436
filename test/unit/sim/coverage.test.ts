/** Which engine x GPU pairs have published rows of their own, and the cards saying so (issue 14). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crossValidationFile from '../../../src/core/sim/data/cross-validation.json';
import { describeCoverage, describeLean, publishedCoverage } from '../../../src/core/sim/coverage';
import { VALIDATION_ROWS } from '../../../src/core/sim/validation';
import { calibrationSummary } from '../../../src/core/serving/estimate';
import { planBudget } from '../../../src/core/plan/planner';

const countRows = (engine: string, gpu: string) => VALIDATION_ROWS.filter((r) => r.engineProfile === engine && r.gpu === gpu).length;

describe('published rows per engine profile and GPU', () => {
  test('data/cross-validation.json lists every pair the validation set has, with its row count (not stale)', () => {
    const pairs = new Set(VALIDATION_ROWS.map((r) => `${r.engineProfile} ${r.gpu}`));
    assert.equal(crossValidationFile.byEngineAndGpu.length, pairs.size, 'node scripts/dev/build-cross-validation.mjs');
    for (const c of crossValidationFile.byEngineAndGpu) {
      assert.equal(c.rows, countRows(c.engine, c.gpu), `${c.engine} on ${c.gpu}: node scripts/dev/build-cross-validation.mjs`);
      assert.ok(c.medianAbsErrorPct >= 0 && c.medianAbsErrorPct <= c.maxAbsErrorPct, `${c.engine} ${c.gpu}`);
    }
    assert.equal(crossValidationFile.byEngineAndGpu.reduce((n, c) => n + c.rows, 0), VALIDATION_ROWS.length);
  });

  test('a pair with rows says how many and their error; a pair without says it has none', () => {
    const trt = publishedCoverage('tensorrt-llm', 'h100-sxm')!;
    assert.equal(trt.rows, countRows('tensorrt-llm', 'h100-sxm'));
    assert.equal(
      describeCoverage('tensorrt-llm', 'h100-sxm', 'H100'),
      `engine 'tensorrt-llm' on H100: ${trt.rows} published rows of its own, cross-validated median error ${trt.medianAbsErrorPct.toFixed(1)}% (max ${trt.maxAbsErrorPct.toFixed(0)}%), ${describeLean(trt.medianOptimismPct)}`,
    );
    // LMDeploy's published table is A100 only.
    assert.equal(publishedCoverage('lmdeploy', 'h100-sxm'), undefined);
    assert.match(describeCoverage('lmdeploy', 'h100-sxm', 'H100'), /^no published rows for engine 'lmdeploy' on H100: its figures rest on fits to other GPUs and engines$/);
    assert.match(describeCoverage('current', 'a100-80gb', 'A100'), /^no published rows for the default engine \('current'\) on A100/);
  });

  test('the lean in words: optimistic above half a point, pessimistic below minus half, else none', () => {
    assert.equal(describeLean(7.04), 'leaning optimistic (median +7.0%)');
    assert.equal(describeLean(-2.25), 'leaning pessimistic (median -2.3%)');
    assert.equal(describeLean(0.4), 'no lean either way');
    assert.equal(describeLean(-0.4), 'no lean either way');
    for (const c of crossValidationFile.byEngineAndGpu) assert.ok(Number.isFinite(c.medianOptimismPct) && Math.abs(c.medianOptimismPct) <= c.maxAbsErrorPct, `${c.engine} ${c.gpu}`);
  });

  test("the Serving card (the default engine) names this GPU's rows, or their absence", () => {
    const h100 = calibrationSummary('h100-sxm');
    assert.equal(h100.engineGpuRows, countRows('current', 'h100-sxm'));
    assert.ok(h100.engineGpuRows > 0);
    assert.match(h100.label, new RegExp(`; the default engine \\('current'\\) on NVIDIA H100 SXM5 80GB: ${h100.engineGpuRows} published rows of its own`));
    const a100 = calibrationSummary('a100-80gb');
    assert.equal(a100.engineGpuRows, 0);
    assert.match(a100.label, /; no published rows for the default engine \('current'\) on NVIDIA A100-SXM4-80GB/);
    // A GPU without a fitted hardware profile says that instead.
    assert.match(calibrationSummary('l4').label, /; NVIDIA L4 24GB is not calibrated \(default efficiencies\)$/);
  });

  test("the Plan card's self-hosted candidates carry the same line for their engine and GPU", () => {
    const plan = planBudget({
      workload: { inputTokens: 600, outputTokens: 128, arrival: { kind: 'rate', rate: 2 }, requests: 200 },
      budgets: {},
      space: { gpus: ['h100-sxm'], modes: ['colocated'], precisions: ['fp16'], engines: ['tensorrt-llm'], hosted: 'none', maxGpus: 2 },
    });
    const rows = countRows('tensorrt-llm', 'h100-sxm');
    assert.ok(plan.candidates.length > 0);
    for (const c of plan.candidates) assert.match(c.latencySource, new RegExp(`; engine 'tensorrt-llm' on NVIDIA H100 SXM5 80GB: ${rows} published rows of its own`), c.id);
  });
});
