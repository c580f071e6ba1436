import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deploymentFor, estimateServing, type ServingQuery } from '../../../src/core/serving/estimate';
import { SERVING_OPTIONS } from '../../../src/core/serving/options';
import { SharedCancelFlag } from '../../../src/core/worker/cancellation';

const QUERY: ServingQuery = {
  model: 'llama-3.1-8b',
  gpu: 'h100-sxm',
  precision: 'bf16',
  mode: 'colocated',
  rate: 4,
  outputTokens: 128,
  sloTtftMs: 500,
  sloTpotMs: 100,
  gpus: 2,
  inputTokens: 800,
  requests: 200,
};

describe('Serving card estimate', () => {
  test('every mode gets the same GPU budget', () => {
    assert.deepEqual(deploymentFor('colocated', 4).spec, { mode: 'colocated', instances: 4 });
    assert.deepEqual(deploymentFor('disaggregated', 4).spec, { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 2 });
    assert.deepEqual(deploymentFor('disaggregated', 3).spec, { mode: 'disaggregated', prefillInstances: 2, decodeInstances: 1 });
    assert.equal(deploymentFor('llumnix', 2).spec.instances, 2);
  });

  test('the three modes, the chart and goodput come back with sane numbers', () => {
    const e = estimateServing(QUERY);
    assert.equal(e.modes.length, 3);
    for (const m of e.modes) {
      assert.ok(!('error' in m), `${m.mode}: ${'error' in m ? m.error : ''}`);
      if ('error' in m) continue;
      assert.ok(m.ttftMs.p50 > 0 && m.ttftMs.p50 <= m.ttftMs.p99);
      assert.ok(m.tpotMs.p90 > 0);
      assert.ok(m.e2eMs.p90 >= m.ttftMs.p90);
      assert.equal(m.gpus, 2);
      assert.ok(m.costPer1kRequestsUsd > 0);
    }
    assert.equal(e.curve.length, 8);
    assert.ok(e.curve.every((p, i) => i === 0 || p.rate > e.curve[i - 1]!.rate));
    assert.ok(!('error' in e.goodput) && e.goodput.rps > 0);
    assert.ok(e.calibration.rows > 0);
  });

  test('a capsule with fewer tokens gets a faster first token', () => {
    const e = estimateServing({ ...QUERY, capsuleTokens: 200 });
    const full = e.modes.find((m) => m.mode === 'colocated')!;
    assert.ok(e.capsule && !('error' in e.capsule) && !('error' in full));
    if (e.capsule && !('error' in e.capsule) && !('error' in full)) assert.ok(e.capsule.ttftMs.p50 < full.ttftMs.p50);
  });

  test('a model that does not fit is reported per mode, not thrown', () => {
    const e = estimateServing({ ...QUERY, model: 'llama-2-70b', gpu: 'l4', precision: 'fp16', gpus: 1 });
    assert.ok(e.modes.some((m) => 'error' in m));
  });

  test('a raised cancel flag stops the estimate', () => {
    const flag = new SharedCancelFlag();
    flag.abort();
    assert.throws(() => estimateServing(QUERY, flag), { name: 'AbortError' });
  });

  test('options list the simulator catalog', () => {
    assert.ok(SERVING_OPTIONS.models.some((m) => m.id === 'llama-3.1-8b'));
    assert.ok(SERVING_OPTIONS.gpus.some((g) => g.id === 'h100-sxm'));
  });
});
