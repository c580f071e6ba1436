import { BUNDLED_CALIBRATION, CalibrationTable, DEFAULT_EFFICIENCY, EngineKnob, EngineProfile, HardwareProfile } from './calibration';
import { ValidationRow, predictRow } from './validation';

type HardwareKnob = 'matmul' | 'memory' | 'kvMemory' | 'attention';

/** Search range of each factor: physically plausible bounds, not tuned to the data. */
const HARDWARE_BOUNDS: Record<HardwareKnob, [number, number]> = {
  matmul: [0.2, 0.95],
  memory: [0.3, 0.95],
  kvMemory: [0.1, 0.95],
  attention: [0.1, 0.9],
};
const ENGINE_BOUNDS: Record<EngineKnob, [number, number]> = {
  stepOverheadMs: [0, 20],
  layerOverheadUs: [0, 300],
  allReduceUs: [5, 200],
  perSequenceUs: [0, 100],
};

interface Knob {
  read(t: CalibrationTable): number;
  write(t: CalibrationTable, v: number): void;
  bounds: [number, number];
  /** Knobs that may sit at 0 also move by an absolute step. */
  additive: boolean;
  name: string;
  /** The hardware profile or engine profile the knob belongs to. */
  owner: string;
}

export interface FitResult {
  table: CalibrationTable;
  /** Root-mean-square of ln(predicted / measured) over the calibration rows. */
  rmsLogError: number;
  rows: number;
  evaluations: number;
}

/**
 * Fit the hardware profiles (kernel efficiencies per GPU architecture) and engine profiles
 * (fixed costs per engine generation) to the role=calibration rows, by coordinate descent on
 * the summed squared log error (a 10% miss costs the same on a 7 ms latency as on a
 * 20,000 tok/s throughput). Only profiles that some calibration row exercises move.
 * Starts from the defaults; deterministic, so it reproduces data/calibration.json.
 *
 * Two stages. Stage 1 fits the hardware profiles together with the fixed costs of the
 * engines whose rows measure kernels (the engines without `fixedCostsFit: 'own-rows'`).
 * Stage 2 then fits, one engine at a time, the fixed costs and the weight-streaming
 * efficiency (`EngineProfile.memory`) of each `own-rows` engine on that engine's own
 * calibration rows, with the hardware profiles held at stage 1: an engine's whole-system
 * throughput rows cannot drag the shared kernel efficiencies (a joint fit did:
 * docs/research/sim-fidelity.md, round 1, change 3).
 */
export function fitCalibration(rows: readonly ValidationRow[], base: CalibrationTable = BUNDLED_CALIBRATION): FitResult {
  const calibrationRows = rows.filter((r) => r.role === 'calibration');
  const ownRows = (engine: string) => base.engines[engine]?.fixedCostsFit === 'own-rows';
  const stage1Rows = calibrationRows.filter((r) => !ownRows(r.engineProfile));
  // Start from the defaults, not from the bundled fit, so the bundled numbers are reproducible.
  const table: CalibrationTable = { ...structuredClone(base), profiles: {}, engines: {} };
  // Fixed costs are refitted; an engine's batching is data (how it schedules), kept as it is.
  for (const [name, engine] of Object.entries(base.engines)) {
    table.engines[name] = {
      ...(engine.batching ? { batching: engine.batching } : {}),
      ...(engine.fixedCostsFit ? { fixedCostsFit: engine.fixedCostsFit } : {}),
    };
  }
  const knobs: Knob[] = [];
  const usedProfiles = new Set(stage1Rows.map((r) => table.gpuProfiles[r.gpu]).filter((p): p is string => p !== undefined));
  for (const profile of [...usedProfiles].sort()) {
    table.profiles[profile] ??= {};
    for (const name of Object.keys(HARDWARE_BOUNDS) as HardwareKnob[]) {
      knobs.push({
        name: `${profile}.${name}`,
        owner: profile,
        bounds: HARDWARE_BOUNDS[name],
        additive: false,
        read: (t) => t.profiles[profile]![name] ?? DEFAULT_EFFICIENCY[name],
        write: (t, v) => {
          (t.profiles[profile] as HardwareProfile)[name] = v;
        },
      });
    }
  }
  const engineKnobs = (engine: string, ownRowsStage: boolean): Knob[] => {
    table.engines[engine] ??= {};
    const fixed: Knob[] = (Object.keys(ENGINE_BOUNDS) as EngineKnob[]).map((name) => ({
      name: `${engine}.${name}`,
      owner: engine,
      bounds: ENGINE_BOUNDS[name],
      additive: name !== 'allReduceUs',
      read: (t) => t.engines[engine]![name] ?? DEFAULT_EFFICIENCY[name],
      write: (t, v) => {
        (t.engines[engine] as EngineProfile)[name] = v;
      },
    }));
    if (!ownRowsStage) return fixed;
    // An own-rows engine also fits its own weight-streaming efficiency (its GEMV kernels),
    // starting from the hardware profile's: the engine's rows say how fast its kernels
    // stream weights, which the kernel-level rows of other engines cannot.
    return [
      ...fixed,
      {
        name: `${engine}.memory`,
        owner: engine,
        bounds: HARDWARE_BOUNDS.memory,
        additive: false,
        read: (t) => t.engines[engine]!.memory ?? Number.NaN,
        write: (t, v) => {
          (t.engines[engine] as EngineProfile).memory = v;
        },
      },
    ];
  };
  for (const engine of [...new Set(stage1Rows.map((r) => r.engineProfile))].sort()) knobs.push(...engineKnobs(engine, false));
  const stage1 = descend(table, knobs, stage1Rows);
  let squared = stage1.squared;
  let evaluations = stage1.evaluations;
  // Stage 2: each own-rows engine on its own rows, the hardware profiles as stage 1 left them.
  for (const engine of [...new Set(calibrationRows.filter((r) => ownRows(r.engineProfile)).map((r) => r.engineProfile))].sort()) {
    const own = calibrationRows.filter((r) => r.engineProfile === engine);
    // The engine's weight-streaming efficiency starts where the hardware profile of its first row stands.
    const profile = table.gpuProfiles[own[0]!.gpu];
    (table.engines[engine] as EngineProfile).memory = (profile !== undefined ? table.profiles[profile]?.memory : undefined) ?? DEFAULT_EFFICIENCY.memory;
    const stage2 = descend(table, engineKnobs(engine, true), own);
    squared += stage2.squared;
    evaluations += stage2.evaluations;
  }
  return { table, rmsLogError: Math.sqrt(squared / Math.max(1, calibrationRows.length)), rows: calibrationRows.length, evaluations };
}

/**
 * Coordinate descent of `knobs` (written into `table`) on the summed squared log error of
 * `fitRows`; values are rounded to 3 decimals at the end. Returns the final sum.
 */
function descend(table: CalibrationTable, knobs: readonly Knob[], fitRows: readonly ValidationRow[]): { squared: number; evaluations: number } {
  for (const k of knobs) k.write(table, k.read(table));
  // Each knob moves only the rows it reaches (a GPU architecture's rows, an engine's rows):
  // only those are predicted again, the others keep their error. The total is summed over
  // all rows in the same order every time, so the fit is the same as recomputing them all.
  const reach = new Map<Knob, number[]>();
  for (const k of knobs) {
    const rows: number[] = [];
    fitRows.forEach((row, i) => {
      if (row.engineProfile === k.owner || table.gpuProfiles[row.gpu] === k.owner) rows.push(i);
    });
    reach.set(k, rows);
  }
  let evaluations = 1;
  const rowError = (i: number): number => {
    const err = Math.log(predictRow(fitRows[i]!, table) / fitRows[i]!.measured);
    return err * err;
  };
  const sum = (errors: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < errors.length; i++) total += errors[i]!;
    return total;
  };
  const errors = new Float64Array(fitRows.length);
  for (let i = 0; i < fitRows.length; i++) errors[i] = rowError(i);
  let best = sum(errors);
  const trial = new Float64Array(fitRows.length);
  for (let step = 0.3; step > 0.01; ) {
    let improved = false;
    for (const k of knobs) {
      for (const dir of [1, -1]) {
        const value = k.read(table);
        const [lo, hi] = k.bounds;
        const moved = value * (1 + dir * step) + (k.additive ? dir * step : 0);
        const candidate = Math.max(lo, Math.min(hi, moved));
        if (candidate === value) continue;
        k.write(table, candidate);
        evaluations++;
        trial.set(errors);
        for (const i of reach.get(k)!) trial[i] = rowError(i);
        const l = sum(trial);
        if (l < best - 1e-12) {
          best = l;
          errors.set(trial);
          improved = true;
        } else {
          k.write(table, value);
        }
      }
    }
    if (!improved) step /= 2;
  }
  for (const k of knobs) k.write(table, Math.round(k.read(table) * 1000) / 1000);
  return { squared: best, evaluations };
}
