import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultRequests, deploymentFor, ESTIMATE_EVENT_BUDGET, estimateServing, type ServingQuery } from '../../../src/core/serving/estimate';
import { SERVING_OPTIONS, servingContextProblem, servingTokens } from '../../../src/core/serving/options';
import { MODELS, SERVING_TOKENIZERS } from '../../../src/core/sim/catalog';
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
  test('every mode gets the same GPU budget, in instances of the TP degree', () => {
    assert.deepEqual(deploymentFor('colocated', 4).spec, { mode: 'colocated', instances: 4, tensorParallel: 1 });
    assert.deepEqual(deploymentFor('disaggregated', 4).spec, { mode: 'disaggregated', tensorParallel: 1, prefillInstances: 2, decodeInstances: 2 });
    assert.deepEqual(deploymentFor('disaggregated', 3).spec, { mode: 'disaggregated', tensorParallel: 1, prefillInstances: 2, decodeInstances: 1 });
    assert.equal(deploymentFor('llumnix', 2).spec.instances, 2);
    assert.deepEqual(deploymentFor('colocated', 8, 2), { spec: { mode: 'colocated', instances: 4, tensorParallel: 2 }, layout: '4 × instance of TP 2' });
    assert.deepEqual(deploymentFor('disaggregated', 6, 2).spec, { mode: 'disaggregated', tensorParallel: 2, prefillInstances: 2, decodeInstances: 1 });
    assert.throws(() => deploymentFor('colocated', 6, 4), /6 GPUs do not split into instances of TP 4/);
  });

  test("a TP degree the GPUs do not divide into is that column's message, not a crash", () => {
    const e = estimateServing({ ...QUERY, gpus: 3, tensorParallel: 2 });
    for (const m of e.modes) assert.ok('error' in m && /do not split into instances of TP 2/.test(m.error), JSON.stringify(m).slice(0, 200));
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

  test('a prompt longer than the model\'s context is refused with the reason, not simulated', () => {
    const started = performance.now();
    assert.throws(() => estimateServing({ ...QUERY, inputTokens: 191_000 }), /191,000 Llama-3\.1-8B tokens; with 128 output tokens that is more than its 131,072-token context/);
    assert.ok(performance.now() - started < 200, 'refused at once');
    assert.equal(servingContextProblem('llama-3.1-8b', 131_072 - 128, 128), undefined, 'exactly the context fits');
    assert.match(servingContextProblem('llama-2-13b', 4000, 256) ?? '', /4,096-token context/);
  });

  test('long prompts and long replies stay within the work bound (the 1 MB prompt case)', () => {
    // 100k tokens at 4 req/s against a 500 ms TTFT SLO: no rate meets it. The goodput search
    // used to halve the rate 20 times, and llumnix then ticked every 50 ms through days of
    // idle time: minutes of CPU. Now one lone request settles it.
    const started = performance.now();
    const e = estimateServing({ ...QUERY, inputTokens: 100_000, requests: undefined });
    assert.ok(performance.now() - started < 5000, `took ${(performance.now() - started).toFixed(0)} ms`);
    for (const m of e.modes) assert.ok(!('error' in m) && m.goodputRps === 0, `${m.mode}: no rate meets a 500 ms TTFT with 100k-token prompts`);
    assert.ok(e.eventsUsed < ESTIMATE_EVENT_BUDGET / 10, `${e.eventsUsed} events`);
    // Long replies get fewer requests per simulation, down to 100.
    assert.equal(defaultRequests(256), 400);
    assert.equal(defaultRequests(1024), 100);
    assert.equal(defaultRequests(32_768), 100);
    const long = estimateServing({ ...QUERY, outputTokens: 32_768, requests: undefined });
    assert.ok(long.eventsUsed <= ESTIMATE_EVENT_BUDGET, `${long.eventsUsed} events`);
  });

  test('the work bound stops an estimate with a reason instead of running on', () => {
    assert.throws(() => estimateServing(QUERY, undefined, undefined, 5_000), { name: 'SimulationWorkLimitError', message: /more than 5,000 simulated events/ });
  });

  test('progress counts every result the card shows, in order', () => {
    const seen: Array<[number, number]> = [];
    estimateServing({ ...QUERY, capsuleTokens: 300 }, undefined, (done, total) => seen.push([done, total]));
    assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => [i + 1, 12]), '3 modes, the capsule and 8 chart points');
  });

  test('a cancel flag raised while the estimate runs stops it inside a simulation', () => {
    // The flag is raised from the progress callback after the first result: the next
    // simulation sees it at its next poll, long before the estimate would have ended.
    const flag = new SharedCancelFlag();
    let results = 0;
    assert.throws(
      () => estimateServing({ ...QUERY, capsuleTokens: 300 }, flag, () => {
        results++;
        flag.abort();
      }),
      { name: 'AbortError' },
    );
    assert.equal(results, 1);
  });

  test('the prompt is counted in the serving model\'s tokens, with the basis stated', () => {
    assert.deepEqual(servingTokens('llama-3.1-8b', 1000), { tokens: 1006, basis: 'Llama 3 tokenizer (128k BPE): o200k_base count × 1.006, measured ratio' });
    assert.equal(servingTokens('llama-2-13b', 1000).tokens, 1238);
    assert.equal(servingTokens('opt-13b', 1000).tokens, 1295);
    assert.match(servingTokens('mistral-7b', 1000).basis, /unmeasured stand-in ratio/);
    const known = new Set(SERVING_TOKENIZERS.map((t) => t.id));
    for (const m of MODELS) assert.ok(known.has(m.tokenizer), `${m.id}'s tokenizer '${m.tokenizer}' is in data/tokenizers.json`);
    for (const t of SERVING_TOKENIZERS) assert.ok(t.source.length > 20 && t.ratioToO200k > 0.5 && t.ratioToO200k < 2, t.id);
  });
});
