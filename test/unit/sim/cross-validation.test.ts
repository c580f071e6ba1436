/**
 * Cross-validated error (issue 14): every published row is predicted by a calibration
 * fitted without its group (its setup for single-source engine profiles, its source
 * otherwise), and the figure the Serving card states is that one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import crossValidationFile from '../../../src/core/sim/data/cross-validation.json';
import { BUNDLED_CALIBRATION, CalibrationTable } from '../../../src/core/sim/calibration';
import { FitCache, borrowAllReduceLatency, borrowCustomAllReduceLatency, fitCalibration } from '../../../src/core/sim/calibrate';
import { crossValidate, formatCrossValidation, optimismPct, setupGrouping, sourceOf, summarizeErrors } from '../../../src/core/sim/crossValidate';
import { VALIDATION_ROWS, ValidationRow } from '../../../src/core/sim/validation';
import { calibrationSummary } from '../../../src/core/serving/estimate';

describe('cross-validation (leave one engine build out; one source out as a check)', () => {
  test('a fit never reads a row of the source it is validated on (asserted with rows that throw when read during their fold)', () => {
    let heldOut = new Set<string>();
    let fitting = false;
    const guarded = VALIDATION_ROWS.map(
      (row) =>
        new Proxy(row, {
          get(target, key, receiver) {
            if (fitting && heldOut.has(sourceOf(target))) throw new Error(`a fit leaving out ${[...heldOut].join(', ')} read ${target.id}.${String(key)}`);
            return Reflect.get(target, key, receiver) as unknown;
          },
        }),
    );
    const seen: string[][] = [];
    const report = crossValidate(guarded, {
      group: (row) => (fitting ? 'never-called-while-fitting' : sourceOf(row)),
      onFold: (left) => {
        heldOut = new Set(left);
      },
      // A stand-in fit that reads every row it is handed (as fitCalibration does), quickly.
      fit: (rows: readonly ValidationRow[]) => {
        fitting = true;
        try {
          seen.push(rows.map((r) => `${r.id} ${r.measured}`));
        } finally {
          fitting = false;
        }
        return BUNDLED_CALIBRATION;
      },
    });
    assert.ok(report.folds.length >= 4, report.folds.join(', '));
    assert.equal(report.outcomes.length, VALIDATION_ROWS.length);
    // One fit per fold, plus one for the sources that hold no calibration rows.
    assert.equal(seen.length, report.folds.length + 1);
  });

  test('the headline grouping holds out one engine build (a setup in one source), and no fit reads a row of the group it predicts', () => {
    const group = setupGrouping;
    const setups = (engine: string) => new Set(VALIDATION_ROWS.filter((r) => r.engineProfile === engine).map(group));
    assert.equal(setups('lmdeploy').size, 3, [...setups('lmdeploy')].join(', '));
    // Each in-flight TensorRT-LLM version is its own profile with one source, split by setup.
    // 1.0: 4 calibration builds (8B and 70B) and the 2 held-out Llama-3.1-405B builds at TP8.
    assert.equal(setups('tensorrt-llm').size, 6, [...setups('tensorrt-llm')].join(', '));
    assert.ok(setups('tensorrt-llm-0.12').size >= 30);
    // SGLang: two builds (Llama-3.3-70B at TP4, Llama-3.1-405B at TP8), the 70B build's offline
    // and Poisson runs one group although they are two files of the source.
    assert.equal(setups('sglang').size, 2, [...setups('sglang')].join(', '));
    // One setup in the tables of TensorRT-LLM 0.5, 0.6.1 and 0.9.0 (one profile): one build per table.
    const shared = VALIDATION_ROWS.filter((r) => r.engineProfile === 'tensorrt-llm-0.5' && r.model === 'llama-2-7b' && r.gpu === 'h100-sxm' && r.precision === 'fp8' && r.tp === 1);
    const sources = new Set(shared.map(sourceOf));
    assert.ok(sources.size >= 2, 'the shared setup has rows from several sources');
    assert.equal(new Set(shared.map(group)).size, sources.size);
    for (const url of sources) assert.equal(new Set(shared.filter((r) => r.url === url).map(group)).size, 1);
    // Different engine profiles never share a group, even on the same setup.
    const sameSetup = VALIDATION_ROWS.filter((r) => r.model === 'llama-2-7b' && r.gpu === 'h100-sxm' && r.precision === 'fp8' && r.tp === 1);
    assert.equal(new Set(sameSetup.map(group)).size, new Set(sameSetup.map((r) => `${r.engineProfile} ${r.url}`)).size);
    let heldOut = new Set<string>();
    const report = crossValidate(VALIDATION_ROWS, {
      onFold: (left) => {
        heldOut = new Set(left);
      },
      fit: (rows: readonly ValidationRow[]) => {
        for (const r of rows) assert.ok(!heldOut.has(group(r)), `${r.id} reached the fit leaving out ${[...heldOut].join(', ')}`);
        return BUNDLED_CALIBRATION;
      },
    });
    // Every build with calibration rows is a fold of its own; a build without (405B) is predicted by the fit on all calibration rows.
    const calibrated = (engine: string) => new Set(VALIDATION_ROWS.filter((r) => r.engineProfile === engine && r.role === 'calibration').map(group));
    for (const g of [...calibrated('lmdeploy'), ...calibrated('tensorrt-llm'), ...calibrated('sglang')]) assert.ok(report.folds.includes(g), g);
    assert.equal(calibrated('sglang').size, 2);
    assert.equal(calibrated('tensorrt-llm').size, 4);
    for (const g of setups('tensorrt-llm')) if (g.includes('llama-3.1-405b')) assert.ok(!report.folds.includes(g), g);
  });

  test('the lean signs each error so that + is optimistic: more throughput, or less time, than measured (by hand)', () => {
    const row = (metric: ValidationRow['metric']) => ({ ...VALIDATION_ROWS[0]!, metric });
    assert.equal(optimismPct({ row: row('outputTokensPerSec'), errorPct: 12 }), 12);
    assert.equal(optimismPct({ row: row('outputTokensPerSecPerGpu'), errorPct: -3 }), -3);
    // A first token predicted 12% slower than measured is a pessimistic figure.
    assert.equal(optimismPct({ row: row('ttftMs'), errorPct: 12 }), -12);
    assert.equal(optimismPct({ row: row('itlMedianMs'), errorPct: -5 }), 5);
    assert.equal(optimismPct({ row: row('e2eMeanMs'), errorPct: -5 }), 5);
    // Three rows: throughput +10% (optimistic 10), TTFT +20% (pessimistic, -20), TPOT -4% (optimistic 4).
    const s = summarizeErrors([
      { row: row('outputTokensPerSec'), predicted: 0, errorPct: 10 },
      { row: row('ttftMs'), predicted: 0, errorPct: 20 },
      { row: row('tpotMeanMs'), predicted: 0, errorPct: -4 },
    ]);
    assert.deepEqual(s, { rows: 3, medianAbsErrorPct: 10, maxAbsErrorPct: 20, medianOptimismPct: 4 });
    assert.equal(summarizeErrors([]).rows, 0);
  });

  // 47 fits (about 16 minutes on one core of the 2-core CI machine): above the runner's
  // default 5-minute timeout once another test file shares the machine.
  test('the bundled figures are what a cross-validation gives today, and meet their regression bounds', { timeout: 30 * 60_000 }, () => {
    const report = crossValidate(VALIDATION_ROWS);
    const text = formatCrossValidation(report);
    assert.equal(report.overall.rows, VALIDATION_ROWS.length);
    assert.equal(crossValidationFile.overall.rows, report.overall.rows, 'data/cross-validation.json is stale: node scripts/dev/build-cross-validation.mjs');
    assert.ok(Math.abs(crossValidationFile.overall.medianAbsErrorPct - report.overall.medianAbsErrorPct) < 0.06, text);
    assert.ok(Math.abs(crossValidationFile.overall.maxAbsErrorPct - report.overall.maxAbsErrorPct) < 0.06, text);
    for (const engine of report.byEngine) {
      const stored = crossValidationFile.byEngine.find((e) => e.engine === engine.engine);
      assert.ok(stored && Math.abs(stored.medianAbsErrorPct - engine.medianAbsErrorPct) < 0.06, `${engine.engine}\n${text}`);
    }
    // The engine x GPU pairs the cards name (src/core/sim/coverage.ts) are this run's too.
    assert.equal(crossValidationFile.byEngineAndGpu.length, report.byEngineAndGpu.length, text);
    for (const pair of report.byEngineAndGpu) {
      const stored = crossValidationFile.byEngineAndGpu.find((e) => e.engine === pair.engine && e.gpu === pair.gpu);
      assert.ok(stored && stored.rows === pair.rows && Math.abs(stored.medianAbsErrorPct - pair.medianAbsErrorPct) < 0.06, `${pair.engine} on ${pair.gpu}\n${text}`);
      assert.ok(Math.abs(stored.medianOptimismPct - pair.medianOptimismPct) < 0.06, `${pair.engine} on ${pair.gpu}: lean\n${text}`);
    }
    // Which way the figures lean by TP degree (README, sim-validate --cv), as stored.
    assert.deepEqual(
      crossValidationFile.byTensorParallel.map((g) => [g.tp, g.rows]),
      report.byTensorParallel.map((g) => [g.tp, g.rows]),
      text,
    );
    for (const g of report.byTensorParallel) {
      const stored = crossValidationFile.byTensorParallel.find((e) => e.tp === g.tp)!;
      assert.ok(Math.abs(stored.medianOptimismPct - g.medianOptimismPct) < 0.06 && Math.abs(stored.medianAbsErrorPct - g.medianAbsErrorPct) < 0.06, `TP${g.tp}\n${text}`);
    }
    // Issue 14's median target (<= 8%) is met overall and per metric kind since round 8; no row
    // over 25% is not met yet: these bounds catch a regression from today's 5.4%, 40.5% and 12
    // rows over 25% of 661 (docs/research/sim-fidelity.md: round 11, v0.9.0's custom all-reduce,
    // went from 5.3%, 47.0% and 13 to 5.6%, 40.5% and 12; round 12, 0.12's runtime buffers term
    // by term, to 9 rows; round 13, 16-bit embedding tables under quantisation, to 5.4% and 8 of
    // 533; round 14 added 108 rows, TensorRT-LLM v0.11.0's table with its own profile and
    // v0.5.0's A100 throughput rows: 4 of them over 25%, all 0.11 builds for thousands of
    // sequences whose KV cache limits long replies on 80 GB GPUs; then 20 Llama-3.1-405B rows of
    // TensorRT-LLM 1.0 at TP8, 6 of them over 25%: 5.4% -> 5.5%, 12 -> 18; round 16, the 1.0
    // profile's all-reduce at its measured time: 5.5% -> 5.4%, 18 -> 12, none of them 1.0's;
    // round 17 added 23 SGLang rows under their own profile, each of its two builds predicted by
    // a fit on the other's rows: 5.4% -> 5.6% and 12 -> 15 rows over 25%, 3 of them SGLang's;
    // round 18 ran SGLang's rows as they ran (its admission of requests that ignore EOS, its
    // overlap scheduler, prompts cut to fill a prefill): 5.6% -> 5.7%, max 40.5% -> 44.6% (its
    // 70B build's 4096/2048 offline throughput), still 15 rows over 25%; round 19 bound SGLang's
    // grouped-query decode by its CUDA cores (FlashInfer 0.1.6's kernel, the rate its authors
    // measured): 5.7% -> 5.5%, max 44.6% -> 40.5%, 15 -> 12 rows over 25%, none of them SGLang's;
    // round 22 replayed SGLang's runs on the requests their client drew: 5.5% -> 5.4%).
    assert.ok(report.overall.medianAbsErrorPct <= 5.5, text);
    assert.ok(report.overall.maxAbsErrorPct <= 41, text);
    assert.ok(report.outcomes.filter((o) => Math.abs(o.errorPct) > 25).length <= 12, text);
    // Every metric kind meets the median target but request latency (E2E means and static batch
    // completions, 6 rows: SGLang's E2E means, -7..+19% since round 22, -15..+15% in rounds
    // 19-21, +8..+25% in round 17; the kind's median 9.7% -> 8.7% in round 22).
    for (const kind of report.byMetricKind) assert.ok(kind.medianAbsErrorPct <= (kind.kind === 'latency' ? 9 : 8), `${kind.kind}\n${text}`);
    // TensorRT-LLM 0.12's memory-tight 70B rows (TP2 in 16-bit, up to -58% before round 7's
    // runtime-memory model) stay within 27.5% (30.9% before round 12 sized the runtime's buffers
    // term by term, 28.2% before round 13), and its multi-head FP8 rows (+28% on an H200 before
    // round 8's conversion roof) keep its median at 4.4%.
    const v012 = report.byEngine.find((e) => e.engine === 'tensorrt-llm-0.12')!;
    assert.ok(v012.maxAbsErrorPct <= 27.5 && v012.medianAbsErrorPct <= 4.5, text);
    // TensorRT-LLM 0.11 (100 rows, its own profile since round 14): median 5.4%; its misses are
    // the 70B builds for 8,192 sequences at TP8 with long replies (+25..+36%).
    const v011 = report.byEngine.find((e) => e.engine === 'tensorrt-llm-0.11')!;
    assert.ok(v011.rows === 100 && v011.medianAbsErrorPct <= 6 && v011.maxAbsErrorPct <= 37, text);
    // Round 12: Llama-3.1-70B built for 8,192 sequences at TP8 on H100s (-18..-31% before; one
    // 16-bit row with long replies +14% now, the rest within 6%).
    const v012Llama31Tp8 = report.outcomes.filter((o) => o.row.engineProfile === 'tensorrt-llm-0.12' && o.row.model === 'llama-3.1-70b' && o.row.tp === 8 && o.row.gpu === 'h100-sxm');
    assert.ok(v012Llama31Tp8.length >= 8 && v012Llama31Tp8.every((o) => Math.abs(o.errorPct) <= 16), text);
    // Round 10: TensorRT-LLM 0.5 (the gptSessionBenchmark tables) fitted on v0.9.0's setups too
    // (8.9% before), and LMDeploy, whose 70B at TP4 borrows the NCCL all-reduce latency when
    // left out (up to +44% before), meet the median target.
    for (const name of ['tensorrt-llm-0.5', 'lmdeploy']) assert.ok(report.byEngine.find((e) => e.engine === name)!.medianAbsErrorPct <= 6.5, `${name}\n${text}`);
    const lmdeploy70b = report.outcomes.filter((o) => o.row.engineProfile === 'lmdeploy' && o.row.tp > 1);
    assert.ok(lmdeploy70b.length >= 10 && lmdeploy70b.every((o) => Math.abs(o.errorPct) <= 25), text);
    // First-token latency (58 rows): median 5.5% (4.8% in round 10, 7.97% before it), max 33.0%
    // (47.0% in round 10: v0.9.0's Llama-2-70B at TP4 on H200s, 128 tokens, 17.8 ms measured
    // where its 0.5.0 twin on H100s measured 26 ms). Round 11: v0.9.0's builds take custom
    // all-reduce kernels for messages within their workspace, so its 128-token first tokens at
    // TP4 are within 10% on every GPU (+47% and +18% on H200s and H100s before).
    const ttft = report.byMetricKind.find((k) => k.kind === 'ttft')!;
    assert.ok(ttft.medianAbsErrorPct <= 5.7 && ttft.maxAbsErrorPct <= 34, text);
    const v09ShortPrompts = report.outcomes.filter((o) => o.row.id.startsWith('trtllm09-ttft-') && o.row.tp === 4 && o.row.id.endsWith('-128'));
    assert.ok(v09ShortPrompts.length === 3 && v09ShortPrompts.every((o) => Math.abs(o.errorPct) <= 10), text);
    // Engine profiles that meet the targets keep meeting them: today's default engine (9 rows).
    const current = report.byEngine.find((e) => e.engine === 'current')!;
    assert.ok(current.rows >= 5 && current.medianAbsErrorPct <= 8 && current.maxAbsErrorPct <= 25, text);
    // Today's TensorRT-LLM (1.0) meets both targets: its 40 rows of Llama-3.1-8B and 70B stay
    // within 25%, and so do its 20 Llama-3.1-405B rows at TP8 (held out, the profile's only TP8
    // rows): within 16% since round 16 priced its all-reduce at the measured time of
    // TensorRT-LLM's AUTO all-reduce (up to +32% on decode-heavy lengths before; median 7.2% -> 6.3%).
    const v10 = report.byEngine.find((e) => e.engine === 'tensorrt-llm')!;
    assert.ok(v10.rows === 60 && v10.medianAbsErrorPct <= 6.5 && v10.maxAbsErrorPct <= 22, text);
    const v10Small = report.outcomes.filter((o) => o.row.engineProfile === 'tensorrt-llm' && o.row.model !== 'llama-3.1-405b');
    assert.ok(v10Small.length === 40 && v10Small.every((o) => Math.abs(o.errorPct) <= 25), text);
    const v10Tp8 = report.outcomes.filter((o) => o.row.engineProfile === 'tensorrt-llm' && o.row.tp === 8);
    assert.ok(v10Tp8.length === 20 && v10Tp8.every((o) => Math.abs(o.errorPct) <= 16), text);
    // SGLang (23 rows, two builds): each build predicted by a fit on the other's calibration
    // rows: median 16.0% in round 17, 10.9% in round 18, 8.6% in rounds 19-21, 5.2% since round
    // 22, which replays each run's own requests (the client's seeded draws) and the 405B build's
    // launch share of memory (--mem-frac 0.87). Every row within 17.5% in rounds 19-21 and within
    // 21% since: the 70B build's ITL at 1 req/s, +17% -> +21%, predicted by the 405B build's
    // per-layer cost, which the replay moved up (85 -> 91 us); its 405B e2e mean -15% -> -7%.
    const sglang = report.byEngine.find((e) => e.engine === 'sglang')!;
    assert.ok(sglang.rows === 23 && sglang.medianAbsErrorPct <= 5.5 && sglang.maxAbsErrorPct <= 21, text);
    const sglangLatencies = report.outcomes.filter((o) => o.row.engineProfile === 'sglang' && o.row.metric !== 'outputTokensPerSec');
    assert.ok(sglangLatencies.length === 12 && sglangLatencies.every((o) => Math.abs(o.errorPct) <= 21), text);
    // The 405B build's held-out capacity rows (2 and 8 req/s, where it fell behind the client) ran
    // on a 0.87 share of memory: -9.7% at 8 req/s with SGLang's default 0.81 and the replay.
    const sglang405Saturated = report.outcomes.filter((o) => o.row.id.startsWith('sglang-dc-llama-3.1-405b') && o.row.metric === 'outputTokensPerSec' && o.row.role === 'holdout');
    assert.ok(sglang405Saturated.length === 2 && sglang405Saturated.every((o) => Math.abs(o.errorPct) <= 6), text);
    // On the calibration rows, the fit that never saw a row's source does no better than the one that did.
    const calibrationRows = report.outcomes.filter((o) => o.row.role === 'calibration').map((o) => Math.abs(o.errorPct));
    assert.equal(calibrationRows.length, report.inSampleCalibration.rows);
    const sorted = [...calibrationRows].sort((a, b) => a - b);
    const cvMedian = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    assert.ok(cvMedian >= report.inSampleCalibration.medianAbsErrorPct, `${cvMedian} < ${report.inSampleCalibration.medianAbsErrorPct}`);
  });

  test('the Serving card states the cross-validated figure, not the in-sample one', () => {
    const summary = calibrationSummary('h100-sxm');
    assert.equal(summary.medianAbsErrorPct, crossValidationFile.overall.medianAbsErrorPct);
    assert.match(summary.label, /^cross-validated median error 5\.4% \(max 41%\) on 684 published measurements/);
    assert.match(calibrationSummary('l4').label, /not calibrated/);
  });
});

describe('the bundled calibration', () => {
  // Both fits below leave stage 1's rows as they are: it runs once.
  const cache: FitCache = new Map();

  test("stage 2: an own-rows engine's calibration rows (LMDeploy) do not move the hardware profiles", () => {
    // Stage 2 of the other own-rows engines (TensorRT-LLM's versions) cannot touch the hardware profiles either; skipped for time.
    const without = fitCalibration(VALIDATION_ROWS.filter((r) => !(r.engineProfile === 'lmdeploy' && r.role === 'calibration')), BUNDLED_CALIBRATION, {
      engines: new Set(['lmdeploy']),
      cache,
    }).table;
    const numbers = (profile: object) => Object.fromEntries(Object.entries(profile).filter(([, v]) => typeof v === 'number'));
    for (const [name, profile] of Object.entries(without.profiles)) assert.deepEqual(numbers(profile), numbers(BUNDLED_CALIBRATION.profiles[name]!), name);
    assert.equal(BUNDLED_CALIBRATION.engines.lmdeploy?.fixedCostsFit, 'own-rows');
    assert.equal(without.engines.lmdeploy?.stepOverheadMs, undefined, 'no LMDeploy rows: its fixed costs stay the defaults');
  });

  test('an engine fitted on single-GPU rows only borrows the all-reduce latency of the engines on its library (LMDeploy from TensorRT-LLM 0.5: NCCL)', () => {
    const singleGpu = VALIDATION_ROWS.filter((r) => !(r.engineProfile === 'lmdeploy' && r.tp > 1));
    assert.ok(singleGpu.some((r) => r.engineProfile === 'lmdeploy' && r.role === 'calibration'));
    const fit = fitCalibration(singleGpu, BUNDLED_CALIBRATION, { engines: new Set(['lmdeploy']), cache }).table;
    assert.equal(BUNDLED_CALIBRATION.engines.lmdeploy?.allReduceLibrary?.name, 'nccl');
    assert.equal(BUNDLED_CALIBRATION.engines['tensorrt-llm-0.5']?.allReduceLibrary?.name, 'nccl');
    const lent = fit.engines['tensorrt-llm-0.5']!.allReduceUs!;
    assert.equal(fit.engines.lmdeploy!.allReduceUs, lent);
    assert.ok(lent > 30, `TensorRT-LLM 0.5's NCCL all-reduce fits ${lent} us, above the 20 us default`);
    // With its 70B at TP4, LMDeploy fits its own (the bundled fit).
    assert.notEqual(BUNDLED_CALIBRATION.engines.lmdeploy!.allReduceUs, undefined);
  });

  test("the custom all-reduce latency is fitted where an engine's multi-GPU calibration rows take those kernels (TensorRT-LLM 0.9's builds), and nowhere else", () => {
    const takers = new Set(VALIDATION_ROWS.filter((r) => r.role === 'calibration' && r.tp > 1 && r.engineTraits?.customAllReduceMaxBytes !== undefined).map((r) => r.engineProfile));
    assert.deepEqual([...takers], ['tensorrt-llm-0.5']);
    for (const [name, engine] of Object.entries(BUNDLED_CALIBRATION.engines)) assert.equal(engine.customAllReduceUs !== undefined, takers.has(name), name);
    const engine = BUNDLED_CALIBRATION.engines['tensorrt-llm-0.5']!;
    // The one-/two-shot kernels skip NCCL's protocol: they fit well under its latency.
    assert.ok(engine.customAllReduceUs! < engine.allReduceUs! / 2, `${engine.customAllReduceUs} vs ${engine.allReduceUs}`);
  });

  test('the borrowed all-reduce latency by hand: the median over the lenders of the same library, nothing for an engine without one', () => {
    const engine = (allReduceUs: number | undefined, library?: 'nccl') => ({ ...(allReduceUs !== undefined ? { allReduceUs } : {}), ...(library ? { allReduceLibrary: { name: library, basis: 'test' } } : {}) });
    const base = {
      ...BUNDLED_CALIBRATION,
      engines: { a: engine(40, 'nccl'), b: engine(70, 'nccl'), c: engine(100, 'nccl'), custom: engine(14), borrower: engine(undefined, 'nccl'), alone: engine(undefined), multi: engine(55, 'nccl') },
    };
    const table = structuredClone(base);
    borrowAllReduceLatency(table, base, ['a', 'b', 'c', 'custom', 'borrower', 'alone', 'multi'], new Set(['a', 'b', 'c', 'custom', 'multi']));
    // Lenders a, b, c and multi (40, 55, 70, 100): the median is (55 + 70) / 2; the custom engine's 14 is not one of them.
    assert.equal(table.engines.borrower!.allReduceUs, 62.5);
    assert.equal(table.engines.alone!.allReduceUs, undefined);
    assert.equal(table.engines.multi!.allReduceUs, 55);
    // An engine not fitted here lends nothing.
    const narrow = structuredClone(base);
    borrowAllReduceLatency(narrow, base, ['a', 'borrower'], new Set(['a', 'b', 'c', 'multi']));
    assert.equal(narrow.engines.borrower!.allReduceUs, 40);
  });

  test("an engine whose all-reduce time is measured lends no latency: its allReduceUs is only its own cost beside the collective, by hand", () => {
    const custom = (allReduceUs: number, measured: boolean) => ({ allReduceUs, allReduceLibrary: { name: 'custom' as const, ...(measured ? { measured: 'tensorrt-llm-auto' as const } : {}), basis: 'test' } });
    const base: CalibrationTable = { ...BUNDLED_CALIBRATION, engines: { vllm: custom(15, false), trtllm: custom(18, true), plain: custom(30, false), taker: {} } };
    const table = structuredClone(base);
    borrowCustomAllReduceLatency(table, base, ['taker'], ['vllm', 'trtllm']);
    assert.equal(table.engines.taker!.customAllReduceUs, 15);
    // Without the measured curve both lend: (15 + 30) / 2.
    const both = structuredClone(base);
    borrowCustomAllReduceLatency(both, base, ['taker'], ['vllm', 'plain']);
    assert.equal(both.engines.taker!.customAllReduceUs, 22.5);
    assert.equal(BUNDLED_CALIBRATION.engines['tensorrt-llm']!.allReduceLibrary?.measured, 'tensorrt-llm-auto');
  });

  test('is what the fit gives on the calibration rows (reproducible: capsule sim-validate --fit)', () => {
    const fit = fitCalibration(VALIDATION_ROWS).table;
    const numbers = (profile: object) => Object.fromEntries(Object.entries(profile).filter(([, v]) => typeof v === 'number'));
    assert.deepEqual(Object.keys(fit.profiles).sort(), Object.keys(BUNDLED_CALIBRATION.profiles).sort());
    for (const [name, profile] of Object.entries(fit.profiles)) assert.deepEqual(numbers(profile), numbers(BUNDLED_CALIBRATION.profiles[name]!), name);
    for (const [name, engine] of Object.entries(fit.engines)) {
      const bundled = BUNDLED_CALIBRATION.engines[name]!;
      for (const knob of ['stepOverheadMs', 'layerOverheadUs', 'allReduceUs', 'customAllReduceUs', 'perSequenceUs'] as const) assert.equal(engine[knob], bundled[knob], `${name}.${knob}`);
      assert.deepEqual(engine.scale, bundled.scale, `${name}.scale`);
      assert.deepEqual(engine.scaleByArchitecture, bundled.scaleByArchitecture, `${name}.scaleByArchitecture`);
    }
  });
});
