import type { SimulationConfig } from './simulate';

/**
 * DistServe's seed setting (OSDI 2024, OPT-13B on A100): 512 input / 64 output tokens
 * with a tight TPOT SLO. Shared by the test that reproduces its result and the bench.
 */
export const DISTSERVE_OPT13B: SimulationConfig = {
  model: 'opt-13b',
  gpu: 'a100-80gb',
  deployment: { mode: 'colocated' },
  workload: { requests: 400, arrival: { kind: 'poisson', rate: 1 }, input: { kind: 'fixed', tokens: 512 }, output: { kind: 'fixed', tokens: 64 }, seed: 7 },
  slo: { ttftMs: 400, tpotMs: 40 },
};
