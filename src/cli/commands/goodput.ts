import { parseArgs, booleanFlag, numberFlag } from '../args';
import { CliCommand, UsageError } from '../command';
import { CatalogError } from '../../core/sim/catalog';
import { findGoodput, searchPlacement } from '../../core/sim/goodput';
import { SimulationConfigError } from '../../core/sim/simulate';
import { SIMULATION_FLAGS, SIMULATION_USAGE, configFromFlags } from './simulation-flags';

const FLAGS = {
  ...SIMULATION_FLAGS,
  attainment: { kind: 'number', min: 0.01, max: 1 },
  search: { kind: 'boolean' },
  'max-gpus': { kind: 'integer', min: 1, max: 1024 },
} as const;

export const goodputCommand: CliCommand = {
  name: 'goodput',
  summary: 'find the highest request rate meeting the TTFT/TPOT SLOs (and the best disaggregated placement)',
  usage: `capsule goodput --model ID --gpu ID --input-tokens N --output-tokens N --slo-ttft-ms X --slo-tpot-ms Y [options]

Goodput (DistServe): the highest Poisson rate at which at least --attainment (default 0.9)
of requests meet both SLOs, found by bracketing and bisection over simulated runs.
--mode disaggregated --search tries prefill/decode instance counts and TP degrees
(up to --max-gpus, default 8) and reports the placement with most goodput per GPU.
--rate, if given, is only the first rate tried. Prints {"goodputRps","goodputPerGpu","config"}
with --json.

${SIMULATION_USAGE}`,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    if (numberFlag(args, 'concurrency') !== undefined || booleanFlag(args, 'offline')) {
      throw new UsageError('goodput searches over --rate; --concurrency and --offline do not apply');
    }
    // --rate is only where the search starts, so it is optional here.
    const withRate = numberFlag(args, 'rate') !== undefined ? args : { ...args, flags: { ...args.flags, rate: 1 } };
    const config = configFromFlags(withRate, io.cwd);
    if (!config.slo) throw new UsageError('goodput needs --slo-ttft-ms and/or --slo-tpot-ms');
    // Each probe is a full simulation; 500 requests per probe keeps a search around a second.
    if (numberFlag(args, 'requests') === undefined) config.workload.requests = 500;
    const attainment = numberFlag(args, 'attainment') ?? 0.9;
    const search = booleanFlag(args, 'search');
    if (search && config.deployment.mode !== 'disaggregated') throw new UsageError('--search needs --mode disaggregated');
    try {
      if (search) {
        const maxGpus = numberFlag(args, 'max-gpus') ?? 8;
        const s = searchPlacement(config, { attainment, maxGpus });
        if (!s.best) throw new UsageError(`no disaggregated placement of ${config.model} fits within ${maxGpus} GPUs`);
        const out = {
          goodputRps: s.best.goodputRps,
          goodputPerGpu: s.best.goodputPerGpu,
          config: { mode: 'disaggregated', ...s.best },
          candidates: s.candidates,
          simulations: s.simulations,
        };
        io.stdout.write(
          booleanFlag(args, 'json')
            ? `${JSON.stringify(out, null, 2)}\n`
            : `best of ${s.candidates.length} placements: ${s.best.prefillInstances} prefill x TP${s.best.prefillTensorParallel} + ` +
                `${s.best.decodeInstances} decode x TP${s.best.decodeTensorParallel} (${s.best.gpus} GPUs): ` +
                `goodput ${s.best.goodputRps.toFixed(2)} req/s, ${s.best.goodputPerGpu.toFixed(2)} req/s per GPU\n`,
        );
        return 0;
      }
      const g = findGoodput(config, { attainment });
      const d = config.deployment;
      const out = {
        goodputRps: g.goodputRps,
        goodputPerGpu: g.goodputPerGpu,
        config: g.atGoodput?.config ?? { mode: d.mode },
        gpus: g.gpus,
        attainment: g.attainment,
        simulations: g.simulations,
      };
      io.stdout.write(
        booleanFlag(args, 'json')
          ? `${JSON.stringify(out, null, 2)}\n`
          : `goodput ${g.goodputRps.toFixed(2)} req/s (${g.goodputPerGpu.toFixed(2)} per GPU, ${g.gpus} GPUs) at ${(attainment * 100).toFixed(0)}% SLO attainment\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof SimulationConfigError || err instanceof CatalogError) throw new UsageError(err.message);
      throw err;
    }
  },
};
