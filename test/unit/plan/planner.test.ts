import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { main } from '../../../src/cli/main';
import { bundledCatalog } from '../../../src/core/catalog/catalog';
import { checkBudgets, latencyMs, paretoFrontier, recommend } from '../../../src/core/plan/choose';
import { visualBudgetQuality, visualTokensKept } from '../../../src/core/plan/hired';
import { hostedCandidate, parseHostedLatency } from '../../../src/core/plan/hosted';
import { PlanInputError, planBudget } from '../../../src/core/plan/planner';
import { simulate } from '../../../src/core/sim/simulate';
import { VALIDATION_ROWS } from '../../../src/core/sim/validation';
import type { PlanBudgets, PlanCandidate, PlanQuery, PlanResult } from '../../../src/core/plan/types';
import { fakeIo } from '../../support/fakeIo';

/** A small, fast plan: the SoFT family on one GPU kind, colocated and disaggregated. */
const SMALL: PlanQuery = {
  workload: { inputTokens: 600, outputTokens: 128, arrival: { kind: 'rate', rate: 3 }, requests: 300 },
  budgets: { sloTtftMs: 400, sloTpotMs: 40 },
  space: { gpus: ['a100-80gb'], modes: ['colocated', 'disaggregated'], precisions: ['fp16', 'int8', 'w4a16'], maxGpus: 4 },
};

const withBudgets = (budgets: PlanBudgets): PlanQuery => ({ ...SMALL, budgets: { ...SMALL.budgets, ...budgets } });

const cost = (r: PlanResult) => r.candidates.find((c) => c.id === r.recommendation.id)?.costPer1kRequestsUsd;

function row(partial: Partial<PlanCandidate> & { id: string }): PlanCandidate {
  return {
    kind: 'self-hosted',
    model: 'm',
    modelName: 'M',
    depth: 40,
    maxDepth: 40,
    precision: 'fp16',
    gpu: 'a100-80gb',
    tp: 1,
    gpus: 1,
    engine: 'current',
    mode: 'colocated',
    instances: 1,
    inputTokens: 100,
    quality: 1,
    qualityBasis: [],
    ttftP90Ms: 100,
    tpotP90Ms: 10,
    attainment: 1,
    servesLoad: true,
    costPer1kRequestsUsd: 1,
    energyJPerRequest: 100,
    violates: [],
    violations: [],
    latencySource: 'simulated',
    notes: [],
    ...partial,
  };
}

describe('budget planner', () => {
  const base = planBudget(SMALL);

  test('the recommendation meets every budget and no candidate that does is cheaper', () => {
    const rec = base.candidates.find((c) => c.id === base.recommendation.id);
    assert.ok(rec, base.recommendation.reason);
    assert.deepEqual(rec.violates, []);
    for (const c of base.candidates) {
      if (c.violates.length === 0) assert.ok(c.costPer1kRequestsUsd >= rec.costPer1kRequestsUsd, `${c.id} is cheaper`);
    }
    assert.match(base.recommendation.reason, /cheapest of \d+ candidates meeting every budget/);
  });

  test('each budget a candidate misses is one its figures are past, and none it meets', () => {
    const r = planBudget(withBudgets({ minQuality: 0.9, maxEnergyJ: 60, maxCostPer1kUsd: 0.6 }));
    for (const c of r.candidates) {
      const slo = c.violates.includes('sloTtftMs') || c.violates.includes('sloTpotMs');
      assert.equal(slo, c.attainment !== null ? c.attainment < 0.9 : c.ttftP90Ms === null || c.ttftP90Ms > 400 || (c.tpotP90Ms ?? 0) > 40, `${c.id}: SLOs`);
      assert.equal(c.violates.includes('minQuality'), c.quality === null || c.quality < 0.9, `${c.id}: quality`);
      assert.equal(c.violates.includes('maxEnergyJ'), c.energyJPerRequest === null || c.energyJPerRequest > 60, `${c.id}: energy`);
      assert.equal(c.violates.includes('maxCostPer1kUsd'), c.costPer1kRequestsUsd > 0.6, `${c.id}: cost`);
      assert.equal(c.violations.length, c.violates.length, 'a reason per budget missed');
    }
    assert.ok(r.candidates.some((c) => c.violates.length === 0) && r.candidates.some((c) => c.violates.length > 1), 'the fixture has both');
  });

  test('a layout is the fewest instances that serve the load: one fewer does not', () => {
    const busy: PlanQuery = { ...SMALL, workload: { ...SMALL.workload, arrival: { kind: 'rate', rate: 24 } }, space: { ...SMALL.space, modes: ['colocated', 'llumnix'], maxGpus: 8 } };
    const r = planBudget(busy);
    const several = r.candidates.filter((c) => c.kind === 'self-hosted' && c.servesLoad && c.instances! > (c.mode === 'colocated' ? 1 : 2));
    assert.ok(several.length >= 3, `fixture: candidates that need several instances (${several.length})`);
    for (const c of several) {
      const fewer = simulate({
        model: c.model,
        gpu: c.gpu!,
        precision: c.precision!,
        deployment: { mode: c.mode!, instances: c.instances! - 1, tensorParallel: c.tp! },
        workload: { requests: 300, arrival: { kind: 'poisson', rate: 24 }, input: { kind: 'fixed', tokens: c.inputTokens }, output: { kind: 'fixed', tokens: 128 }, seed: 1 },
        slo: { ttftMs: 400, tpotMs: 40 },
      });
      assert.ok(fewer.sloAttainment! < 0.9, `${c.id}: ${c.instances! - 1} instances already reach ${fewer.sloAttainment}`);
    }
  });

  test('without SLOs, a deployment that cannot keep up misses the request rate', () => {
    const r = planBudget({ workload: { inputTokens: 1000, outputTokens: 256, arrival: { kind: 'rate', rate: 500 }, requests: 300 }, budgets: {}, space: { gpus: ['a100-80gb'], modes: ['colocated'], precisions: ['int8'], maxGpus: 1, hosted: 'none' } });
    assert.ok(r.candidates.length > 0);
    for (const c of r.candidates) {
      assert.deepEqual(c.violates, ['load'], c.id);
      assert.match(c.violations[0]!, /does not keep up with the request rate/);
    }
    assert.equal(r.recommendation.id, null);
    assert.deepEqual(r.recommendation.binding, ['load']);
  });

  test('a wider tensor-parallel group is chosen when it needs fewer GPUs than more replicas', () => {
    // A TPOT SLO that one A100 running the full 13B model in fp16 cannot meet: TP 2 halves the step.
    const r = planBudget({ workload: { inputTokens: 600, outputTokens: 128, arrival: { kind: 'rate', rate: 2 }, requests: 300 }, budgets: { sloTtftMs: 500, sloTpotMs: 20 }, space: { gpus: ['a100-80gb'], modes: ['colocated'], precisions: ['fp16'], families: ['llama-2-13b'], hosted: 'none' } });
    const [c] = r.candidates;
    assert.ok(c && c.servesLoad, c?.notes.join('; '));
    assert.ok(c.tp! > 1, `${c.id}: ${c.notes.join('; ')}`);
  });

  test('tightening a budget never gives a cheaper recommendation', () => {
    const ladders: PlanBudgets[][] = [
      [{ sloTtftMs: 2000 }, { sloTtftMs: 400 }, { sloTtftMs: 120 }, { sloTtftMs: 40 }],
      [{ sloTpotMs: 200 }, { sloTpotMs: 30 }, { sloTpotMs: 15 }, { sloTpotMs: 8 }],
      [{ minQuality: 0 }, { minQuality: 0.5 }, { minQuality: 0.9 }, { minQuality: 0.99 }],
      [{ maxEnergyJ: 1e6 }, { maxEnergyJ: 60 }, { maxEnergyJ: 40 }, { maxEnergyJ: 20 }],
    ];
    for (const ladder of ladders) {
      let previous = -Infinity;
      let previousNone = false;
      for (const budgets of ladder) {
        const r = planBudget(withBudgets(budgets));
        const c = cost(r);
        if (c === undefined) {
          previousNone = true;
          continue;
        }
        assert.ok(!previousNone, `${JSON.stringify(budgets)}: a looser budget had no recommendation but this one has`);
        assert.ok(c >= previous - 1e-12, `${JSON.stringify(budgets)}: $${c} is cheaper than the looser budget's $${previous}`);
        previous = c;
      }
    }
  });

  test('a cost cap under every candidate: none meets, and the cap is what binds', () => {
    const r = planBudget(withBudgets({ maxCostPer1kUsd: 0.001 }));
    assert.equal(r.recommendation.id, null);
    assert.deepEqual(r.recommendation.binding, ['maxCostPer1kUsd']);
    assert.match(r.recommendation.reason, /None meets the budgets: \d+ candidates? miss only the cost cap; relaxing it, the cheapest would be/);
  });

  test('the Pareto set is non-dominated, and every other candidate with known figures is dominated', () => {
    const out = 128;
    const on = new Set(base.pareto);
    const known = base.candidates.filter((c) => c.quality !== null && latencyMs(c, out) !== null);
    const dominates = (a: PlanCandidate, b: PlanCandidate) => {
      const [la, lb] = [latencyMs(a, out)!, latencyMs(b, out)!];
      return a.costPer1kRequestsUsd <= b.costPer1kRequestsUsd && a.quality! >= b.quality! && la <= lb && (a.costPer1kRequestsUsd < b.costPer1kRequestsUsd || a.quality! > b.quality! || la < lb);
    };
    assert.ok(on.size > 0);
    for (const c of known) {
      const dominated = known.some((o) => o !== c && dominates(o, c));
      assert.equal(on.has(c.id), !dominated, c.id);
    }
  });

  test('paretoFrontier: non-dominated on random rows', () => {
    const arb = fc.array(fc.record({ cost: fc.integer({ min: 1, max: 20 }), quality: fc.integer({ min: 0, max: 10 }), ttft: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(arb, (points) => {
        const rows = points.map((p, i) => row({ id: `c${i}`, costPer1kRequestsUsd: p.cost, quality: p.quality / 10, ttftP90Ms: p.ttft, tpotP90Ms: 1 }));
        const front = new Set(paretoFrontier(rows, 2));
        for (const a of rows) {
          const beaten = rows.some((b) => b !== a && b.costPer1kRequestsUsd <= a.costPer1kRequestsUsd && b.quality! >= a.quality! && b.ttftP90Ms! <= a.ttftP90Ms! && (b.costPer1kRequestsUsd < a.costPer1kRequestsUsd || b.quality! > a.quality! || b.ttftP90Ms! < a.ttftP90Ms!));
          if (front.has(a.id) === beaten) return false;
        }
        return front.size > 0;
      }),
    );
  });

  test("a self-hosted candidate's figures are what `capsule simulate` prints for its command", async () => {
    const picks = [
      base.candidates.find((c) => c.id === base.recommendation.id)!,
      base.candidates.find((c) => c.mode === 'disaggregated')!,
      planBudget({ ...SMALL, space: { ...SMALL.space, modes: ['llumnix'], precisions: ['fp16'] } }).candidates.find((c) => c.kind === 'self-hosted')!,
    ];
    const images = planBudget({ ...SMALL, workload: { ...SMALL.workload, images: { count: 2, width: 800, height: 600 } }, space: { ...SMALL.space, families: ['llava-next-7b'], precisions: ['fp16'], modes: ['colocated'], visualTokenBudget: 0.4, hosted: 'none' } });
    const closed = planBudget({ ...SMALL, workload: { ...SMALL.workload, arrival: { kind: 'concurrency', concurrency: 12 } }, space: { ...SMALL.space, precisions: ['int8'], modes: ['disaggregated'], hosted: 'none' } });
    const engine = planBudget({ ...SMALL, space: { ...SMALL.space, precisions: ['fp16'], modes: ['colocated'], engines: ['tensorrt-llm'], hosted: 'none' } });
    picks.push(images.candidates[0]!, closed.candidates.find((c) => c.depth === 24)!, engine.candidates[0]!);
    assert.equal(engine.candidates[0]!.engine, 'tensorrt-llm');
    assert.match(engine.candidates[0]!.simulateCommand!, /--engine tensorrt-llm$/);
    // Each candidate says how many published rows back its engine on its GPU, or that none do.
    for (const c of engine.candidates) {
      const rows = VALIDATION_ROWS.filter((r) => r.engineProfile === 'tensorrt-llm' && r.gpu === c.gpu).length;
      assert.match(c.latencySource, rows > 0 ? new RegExp(`engine 'tensorrt-llm' on .*: ${rows} published rows of its own`) : /no published rows for engine 'tensorrt-llm' on /, c.id);
    }
    assert.ok(engine.candidates.some((c) => c.gpu === 'a100-80gb' && /no published rows/.test(c.latencySource)), 'TensorRT-LLM 1.0 has no A100 rows');
    for (const c of picks) {
      const io = fakeIo();
      const argv = c.simulateCommand!.split(' ').slice(2);
      assert.equal(await main(['simulate', ...argv, '--json'], io), 0, io.err());
      const sim = JSON.parse(io.out());
      assert.equal(sim.ttftMs.p90, c.ttftP90Ms, c.simulateCommand);
      assert.equal(sim.tpotMs.p90, c.tpotP90Ms);
      assert.equal(sim.costPer1kRequestsUsd, c.costPer1kRequestsUsd);
      assert.equal(sim.energyJPerRequest, c.energyJPerRequest);
      assert.equal(sim.sloAttainment, c.attainment);
      assert.equal(sim.gpus, c.gpus);
      assert.equal(sim.config.model, c.model);
      assert.equal(sim.config.precision, c.precision);
    }
  });

  test('deeper sub-models have higher quality; the full depth at fp16 is 1', () => {
    const fp16 = base.candidates.filter((c) => c.kind === 'self-hosted' && c.precision === 'fp16' && c.mode === 'colocated').sort((a, b) => a.depth! - b.depth!);
    assert.equal(fp16.length, 8, 'eight published depths');
    for (let i = 1; i < fp16.length; i++) assert.ok(fp16[i]!.quality! >= fp16[i - 1]!.quality! - 0.02);
    assert.equal(fp16.at(-1)!.quality, 1);
  });

  test('hosted candidates: catalog prices, published latency labelled as such', () => {
    const r = planBudget({ ...SMALL, space: { ...SMALL.space, families: [], hosted: ['gpt-4o', 'gpt-5-nano'] } });
    const gpt4o = r.candidates.find((c) => c.model === 'gpt-4o')!;
    assert.equal(gpt4o.costPer1kRequestsUsd, ((600 * 2.5 + 128 * 10) / 1e6) * 1000);
    assert.equal(gpt4o.ttftP90Ms, 450);
    assert.match(gpt4o.latencySource, /published median, third party, 2026-06-24/);
    const nano = r.candidates.find((c) => c.model === 'gpt-5-nano')!;
    assert.equal(nano.ttftP90Ms, null);
    assert.deepEqual(nano.violates, ['sloTtftMs', 'sloTpotMs'], 'no latency figure cannot meet an SLO');
    assert.equal(r.simulations, 0);
  });

  test('user-set hosted latency wins over the published figure', () => {
    const space = { ...SMALL.space, families: [], hosted: ['gpt-4o'], hostedLatency: parseHostedLatency({ 'gpt-4o': { ttftMs: 900, outputTokensPerSec: 50, source: 'our dashboard' } }) };
    const [c] = planBudget({ ...SMALL, space }).candidates;
    assert.equal(c!.ttftP90Ms, 900);
    assert.equal(c!.tpotP90Ms, 20);
    assert.match(c!.latencySource, /user-set \(our dashboard\)/);
    assert.deepEqual(c!.violates, ['sloTtftMs']);
    assert.throws(() => parseHostedLatency({ x: { ttftMs: -1, outputTokensPerSec: 3 } }), /ttftMs must be a number above 0/);
    assert.throws(() => parseHostedLatency([]), /must be an object/);
  });

  test('energy and quality budgets on figures nothing publishes are missed, with the reason', () => {
    const hosted = row({ id: 'h', kind: 'hosted', energyJPerRequest: null, quality: null, qualityBasis: ['no published quality for fp8'], attainment: null });
    const { violates, violations } = checkBudgets(hosted, { attainment: 0.9, maxEnergyJ: 100, minQuality: 0.5 });
    assert.deepEqual(violates, ['minQuality', 'maxEnergyJ']);
    assert.match(violations.join(' '), /no published quality for fp8/);
    assert.match(violations.join(' '), /no published energy/);
  });

  test('an attainment shortfall is charged to the SLO whose p90 is over it', () => {
    const c = row({ id: 'x', attainment: 0.7, ttftP90Ms: 900, tpotP90Ms: 20 });
    assert.deepEqual(checkBudgets(c, { attainment: 0.9, sloTtftMs: 500, sloTpotMs: 50 }).violates, ['sloTtftMs']);
    const both = row({ id: 'y', attainment: 0.85, ttftP90Ms: 450, tpotP90Ms: 45 });
    assert.deepEqual(checkBudgets(both, { attainment: 0.9, sloTtftMs: 500, sloTpotMs: 50 }).violates, ['sloTtftMs', 'sloTpotMs'], 'each alone within, not together');
  });

  test('recommend: the cheapest feasible; a better one within 2% is pointed out', () => {
    const rows = [row({ id: 'a', costPer1kRequestsUsd: 1, quality: 0.8 }), row({ id: 'b', costPer1kRequestsUsd: 1.01, quality: 0.95 }), row({ id: 'c', costPer1kRequestsUsd: 0.5, violates: ['minQuality'] })];
    const r = recommend(rows, 10);
    assert.equal(r.id, 'a');
    assert.equal(r.upgrade, 'b');
    assert.match(r.reason, /For 1\.0% more/);
  });

  test('images: only vision models; HiRED keeps a share of visual tokens and shortens the prefill', () => {
    const images = { count: 1, width: 1024, height: 1024 };
    const query = (visualTokenBudget: number): PlanQuery => ({
      workload: { ...SMALL.workload, images },
      budgets: {},
      space: { gpus: ['a100-80gb'], modes: ['colocated'], precisions: ['fp16'], families: ['llava-next-7b', 'llama-2-13b-soft'], hosted: ['gpt-4o', 'gpt-3.5-turbo'], visualTokenBudget },
    });
    const full = planBudget(query(1));
    const hired = planBudget(query(0.2));
    const llava = (r: PlanResult) => r.candidates.find((c) => c.model === 'llava-next-7b')!;
    assert.ok(full.skipped.some((s) => /takes no images/.test(s)));
    assert.ok(full.skipped.some((s) => /GPT-3\.5 Turbo.* does not take images/.test(s)), full.skipped.join('\n'));
    assert.ok(!full.candidates.some((c) => c.model.startsWith('llama-2-13b-soft')));
    assert.equal(llava(full).inputTokens - llava(hired).inputTokens, 2880 - 576);
    assert.ok(llava(hired).ttftP90Ms! < llava(full).ttftP90Ms!, 'fewer visual tokens: a shorter prefill');
    assert.ok(Math.abs(llava(hired).quality! - 0.9285) < 1e-3);
    assert.match(llava(hired).qualityBasis.join(' '), /DocVQA/);
    const gpt4o = full.candidates.find((c) => c.model === 'gpt-4o')!;
    assert.equal(gpt4o.inputTokens, 600 + 765, 'OpenAI tiles: 1024² → 768², 4 tiles: 85 + 4 × 170');
  });

  test('HiRED: kept tokens and the published quality at 20% and 40%, interpolated between', () => {
    assert.equal(visualTokensKept(2880, 0.2), 576);
    assert.equal(visualTokensKept(2880, 0.4), 1152);
    assert.ok(Math.abs(visualBudgetQuality('llava-next-7b', 0.4)!.relative - 0.9633) < 1e-3);
    const mid = visualBudgetQuality('llava-next-7b', 0.7)!;
    assert.ok(Math.abs(mid.relative - (0.9633 + 1) / 2) < 1e-3);
    assert.match(mid.basis[0]!, /interpolated/);
    assert.equal(visualBudgetQuality('llava-next-7b', 0.1), undefined);
    assert.equal(visualBudgetQuality('llama-2-13b', 0.5), undefined);
  });

  test('input mistakes are PlanInputErrors', () => {
    assert.throws(() => planBudget({ ...SMALL, space: { gpus: ['tpu-v9'] } }), PlanInputError);
    assert.throws(() => planBudget({ ...SMALL, space: { families: ['gpt-17'] } }), /unknown family 'gpt-17'/);
    assert.throws(() => planBudget({ ...SMALL, space: { visualTokenBudget: 0.1 } }), /visual-token budget/);
    assert.throws(() => planBudget({ ...SMALL, space: { engines: ['distserve'] } }), /unknown engine 'distserve' \(one of current, tensorrt-llm, lmdeploy, sglang\)/);
    assert.throws(() => planBudget({ ...SMALL, workload: { ...SMALL.workload, outputTokens: 0 } }), PlanInputError);
  });

  test('a model that does not fit in the GPUs allowed is left out with the reason', () => {
    const r = planBudget({ ...SMALL, space: { gpus: ['l4'], families: ['llama-2-70b'], precisions: ['fp16'], modes: ['colocated'], maxGpus: 2, hosted: 'none' } });
    assert.equal(r.candidates.length, 0);
    assert.match(r.skipped.join('\n'), /needs at least 8 × NVIDIA L4 24GB \(1 instance of TP 8\); at most 2 allowed/);
    assert.match(r.recommendation.reason, /no candidates/);
  });

  test('cancellation stops the plan between simulations', () => {
    const signal = { aborted: false };
    let calls = 0;
    assert.throws(
      () =>
        planBudget(SMALL, {
          signal,
          progress: () => {
            if (++calls === 2) signal.aborted = true;
          },
        }),
      /cancel/i,
    );
  });

  test('hostedCandidate refuses a prompt over the context window', () => {
    const gpt4o = bundledCatalog().models.find((m) => m.id === 'gpt-4o')!;
    const c = hostedCandidate(gpt4o, { ...SMALL.workload, inputTokens: 200_000 }, {});
    assert.match(String(c), /exceed its 128000-token context/);
  });
});

describe('capsule plan', () => {
  test('--json prints the contract: candidates, pareto, recommendation', async () => {
    const io = fakeIo();
    const code = await main(['plan', '--input-tokens', '600', '--output-tokens', '128', '--rate', '3', '--requests', '300', '--gpus', 'a100-80gb', '--modes', 'colocated', '--precisions', 'fp16,int8', '--slo-ttft-ms', '400', '--slo-tpot-ms', '40', '--min-quality', '0.9', '--json'], io);
    assert.equal(code, 0, io.err());
    const out = JSON.parse(io.out());
    for (const key of ['id', 'kind', 'model', 'depth', 'precision', 'gpu', 'tp', 'gpus', 'engine', 'mode', 'quality', 'ttftP90Ms', 'tpotP90Ms', 'attainment', 'costPer1kRequestsUsd', 'energyJPerRequest', 'violates']) {
      assert.ok(key in out.candidates[0], key);
    }
    assert.ok(Array.isArray(out.pareto) && out.pareto.length > 0);
    assert.ok('id' in out.recommendation && typeof out.recommendation.reason === 'string');
    const rec = out.candidates.find((c: PlanCandidate) => c.id === out.recommendation.id);
    assert.ok(rec.quality >= 0.9);
  });

  test('a prompt file: exact tokens per hosted model; the table names the recommendation', async () => {
    const io = fakeIo('Summarise the ticket below in three bullets. Keep order 48213.\n');
    const code = await main(['plan', '-', '--output-tokens', '64', '--concurrency', '4', '--requests', '200', '--gpus', 'h100-sxm', '--modes', 'colocated', '--precisions', 'int8', '--families', 'llama-3.1-8b'], io);
    assert.equal(code, 0, io.err());
    assert.match(io.out(), /Recommendation \(→\): /);
    assert.match(io.out(), /Reproduce: capsule simulate --model llama-3\.1-8b/);
  });

  test('usage errors', async () => {
    for (const [argv, message] of [
      [['plan', '--input-tokens', '10', '--rate', '1'], /--output-tokens N is required/],
      [['plan', '--input-tokens', '10', '--output-tokens', '5'], /exactly one of --rate R and --concurrency C/],
      [['plan', '--input-tokens', '10', '--output-tokens', '5', '--rate', '1', '--images', '2'], /--image-size/],
      [['plan', '--input-tokens', '10', '--output-tokens', '5', '--rate', '1', '--modes', 'serverless'], /not colocated/],
      [['plan', '--input-tokens', '10', '--output-tokens', '5', '--rate', '1', '--gpus', 'tpu'], /unknown GPU 'tpu'/],
    ] as const) {
      const io = fakeIo();
      assert.equal(await main([...argv], io), 2, argv.join(' '));
      assert.match(io.err(), message);
    }
  });
});
