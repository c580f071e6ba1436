import { performance } from 'node:perf_hooks';
import { enumeratePlacements, searchPlacement } from '../../src/core/sim/goodput';
import { SimulationConfig, simulate } from '../../src/core/sim/simulate';
import { DISTSERVE_OPT13B } from '../../src/core/sim/scenarios';
import { runValidation } from '../../src/core/sim/validation';

interface Timed<T> {
  value: T;
  ms: number;
}

function timed<T>(f: () => T): Timed<T> {
  const start = performance.now();
  const value = f();
  return { value, ms: performance.now() - start };
}

/** Best of `runs` (the first run also warms the JIT). */
function best<T>(runs: number, f: () => T): Timed<T> {
  let out = timed(f);
  for (let i = 1; i < runs; i++) {
    const t = timed(f);
    if (t.ms < out.ms) out = t;
  }
  return out;
}

const colocated = (arrival: SimulationConfig['workload']['arrival']): SimulationConfig => ({
  model: 'llama-3.1-8b',
  gpu: 'h100-sxm',
  deployment: { mode: 'colocated' },
  workload: { requests: 10_000, arrival, input: { kind: 'uniform', min: 128, max: 1024 }, output: { kind: 'uniform', min: 16, max: 256 }, seed: 1 },
  slo: { ttftMs: 500, tpotMs: 50 },
});

export async function run(): Promise<void> {
  const lines: string[] = ['## Serving simulator', '', '| case | wall time | budget | events | events/s | note |', '|---|---:|---:|---:|---:|---|'];
  const row = (name: string, ms: number, budgetMs: number | null, events: number | null, note: string) =>
    lines.push(
      `| ${name} | ${ms.toFixed(0)} ms | ${budgetMs === null ? '-' : `${budgetMs} ms (${((ms / budgetMs) * 100).toFixed(0)}%)`} | ` +
        `${events === null ? '-' : events.toLocaleString('en-US')} | ${events === null ? '-' : Math.round(events / (ms / 1000)).toLocaleString('en-US')} | ${note} |`,
    );

  for (const [name, arrival] of [
    ['10k requests, colocated, Poisson 20 req/s', { kind: 'poisson', rate: 20 }],
    ['10k requests, colocated, Poisson 2 req/s (small batches)', { kind: 'poisson', rate: 2 }],
    ['10k requests, colocated, offline', { kind: 'offline' }],
  ] as const) {
    const t = best(3, () => simulate(colocated(arrival)));
    row(name, t.ms, 1000, t.value.events, `${t.value.iterations.toLocaleString('en-US')} iterations, TTFT p90 ${t.value.ttftMs.p90.toFixed(0)} ms`);
  }

  const llumnix: SimulationConfig = {
    model: 'llama-2-13b',
    gpu: 'a100-80gb',
    deployment: { mode: 'llumnix', instances: 4 },
    workload: { requests: 10_000, arrival: { kind: 'gamma', rate: 5, cv: 2 }, input: { kind: 'uniform', min: 64, max: 1024 }, output: { kind: 'zipf', min: 16, max: 2048, theta: 0.6 }, highPriorityFraction: 0.1, seed: 3 },
  };
  const l = best(2, () => simulate(llumnix));
  const high = l.value.highPriority!;
  const normal = l.value.normalPriority!;
  row(
    '10k requests, llumnix x4 with migration',
    l.ms,
    null,
    l.value.events,
    `${l.value.migrations} migrations; 10% high priority: E2E mean ${(normal.e2eMs.mean / high.e2eMs.mean).toFixed(2)}x, ` +
      `P99 ${(normal.e2eMs.p99 / high.e2eMs.p99).toFixed(2)}x lower than normal (TPOT ${high.tpotMs.mean.toFixed(1)} vs ${normal.tpotMs.mean.toFixed(1)} ms)`,
  );

  const searchBase: SimulationConfig = { ...DISTSERVE_OPT13B, deployment: { mode: 'disaggregated' } };
  // TP in {1,2,4,8} for each phase x 1-2 prefill x 1-2 decode instances = 64 placements.
  const options = { tensorParallelChoices: [1, 2, 4, 8], maxInstancesPerPhase: 2, maxGpus: 64 };
  const count = enumeratePlacements(searchBase, options).length;
  const s = timed(() => searchPlacement(searchBase, options));
  const b = s.value.best!;
  row(
    `disaggregated placement search, ${count} configurations`,
    s.ms,
    10_000,
    null,
    `${s.value.simulations} simulations of at least 400 requests (20 s of arrivals); best ${b.prefillInstances}xTP${b.prefillTensorParallel} prefill + ${b.decodeInstances}xTP${b.decodeTensorParallel} decode, ${b.goodputPerGpu.toFixed(2)} req/s/GPU`,
  );

  const v = best(2, () => runValidation());
  row(`validation suite (${v.value.count} rows)`, v.ms, null, null, `median |error| ${v.value.medianAbsErrorPct.toFixed(1)}%, max ${v.value.maxAbsErrorPct.toFixed(1)}%`);

  process.stdout.write(`${lines.join('\n')}\n\n`);
}

if (require.main === module) void run();
