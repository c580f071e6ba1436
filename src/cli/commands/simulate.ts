import { parseArgs, booleanFlag } from '../args';
import { CliCommand, UsageError } from '../command';
import { CatalogError } from '../../core/sim/catalog';
import { SimulationConfigError, SimulationResult, simulate } from '../../core/sim/simulate';
import { LatencyStats } from '../../core/sim/metrics';
import { SIMULATION_FLAGS, SIMULATION_USAGE, configFromFlags } from './simulation-flags';

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'simulate serving a model on GPUs: TTFT, TPOT, throughput, cost, energy',
  usage: `capsule simulate --model ID --gpu ID --input-tokens N --output-tokens N (--rate R | --concurrency C | --offline) [options]

Discrete-event simulation of an LLM serving deployment (colocated continuous batching,
DistServe-style disaggregation, or Llumnix-style rescheduling) with a calibrated roofline
latency model. Deterministic for a given --seed.

${SIMULATION_USAGE}`,
  async run(argv, io) {
    const args = parseArgs(argv, SIMULATION_FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const config = configFromFlags(args, io.cwd);
    let result: SimulationResult;
    try {
      // One run for a person to read: it reports ITL too (the cards and planner skip it).
      result = simulate({ ...config, interTokenLatency: true });
    } catch (err) {
      if (err instanceof SimulationConfigError || err instanceof CatalogError) throw new UsageError(err.message);
      throw err;
    }
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
    return 0;
  },
};

function stats(name: string, s: LatencyStats): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  return `${name.padEnd(10)} mean ${f(s.mean)}  p50 ${f(s.p50)}  p90 ${f(s.p90)}  p99 ${f(s.p99)}`;
}

export function formatResult(r: SimulationResult): string {
  const c = r.config;
  const layout =
    c.mode === 'disaggregated'
      ? `${c.prefillInstances} prefill x TP${c.prefillTensorParallel} + ${c.decodeInstances} decode x TP${c.decodeTensorParallel}`
      : `${c.instances} x TP${c.tensorParallel}`;
  const lines = [
    `${c.model} on ${c.gpu} (${c.precision}), ${c.mode}: ${layout} = ${r.gpus} GPU(s)`,
    stats('TTFT ms', r.ttftMs),
    stats('TPOT ms', r.tpotMs),
    ...(r.itlMs ? [stats('ITL ms', r.itlMs)] : []),
    stats('E2E ms', r.e2eMs),
    `throughput  ${r.throughput.requestsPerSec.toFixed(2)} req/s, ${r.throughput.outputTokensPerSec.toFixed(0)} output tok/s`,
  ];
  if (r.sloAttainment !== null) lines.push(`SLO attainment ${(r.sloAttainment * 100).toFixed(1)}%`);
  lines.push(
    `GPU busy ${(r.gpuUtilization.busyFraction * 100).toFixed(0)}%, MFU ${(r.gpuUtilization.mfu * 100).toFixed(1)}%, preemptions ${r.preemptions}, migrations ${r.migrations}`,
    `cost $${r.costPer1kRequestsUsd.toFixed(3)} per 1k requests, energy ${r.energyJPerRequest.toFixed(0)} J per request`,
  );
  if (r.highPriority && r.normalPriority) {
    const h = r.highPriority;
    const n = r.normalPriority;
    lines.push(
      `high priority (${h.requests} req): E2E mean ${h.e2eMs.mean.toFixed(0)} ms vs normal ${n.e2eMs.mean.toFixed(0)} ms (x${(n.e2eMs.mean / h.e2eMs.mean).toFixed(2)}), ` +
        `TPOT mean ${h.tpotMs.mean.toFixed(1)} vs ${n.tpotMs.mean.toFixed(1)} ms`,
    );
  }
  return `${lines.join('\n')}\n`;
}
