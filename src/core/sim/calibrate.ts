import { AllReduceLibrary, BUNDLED_CALIBRATION, CalibrationTable, DEFAULT_EFFICIENCY, EngineKnob, EngineProfile, HardwareProfile } from './calibration';
import { getServingModel } from './catalog';
import { ACTIVATION_BYTES } from './latency';
import { median } from './metrics';
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
/**
 * An engine's kernels against the hardware profile's (EngineProfile.scale): from half as
 * fast to twice as fast; the scaled efficiency is capped at 1 wherever it is used.
 */
const SCALE_BOUNDS: [number, number] = [0.5, 2];
/** What the fit writes into an engine profile; the rest of the profile is data. */
const FITTED_ENGINE_FIELDS = ['stepOverheadMs', 'layerOverheadUs', 'allReduceUs', 'customAllReduceUs', 'perSequenceUs', 'eagerLayerOverheadUs', 'scale', 'scaleByArchitecture'] as const;
/** Per-layer cost outside a CUDA graph: from none to 2 ms (Python launching each kernel). */
const EAGER_LAYER_BOUNDS: [number, number] = [0, 2000];
/**
 * Stage 2 halves its step after at most this many sweeps over the knobs: an engine's knobs
 * trade off against each other (weight vs KV streaming vs per-sequence cost), and coordinate
 * descent crawls along such valleys (4,445 evaluations, a minute per engine, uncapped) for
 * a last fraction of a percent.
 */
const STAGE2_SWEEPS_PER_STEP = 4;
/** Offline rows simulate this many requests while stage 2 searches (see descend). */
const STAGE2_OFFLINE_REQUESTS = 1024;

interface Knob {
  read(t: CalibrationTable): number;
  write(t: CalibrationTable, v: number): void;
  bounds: [number, number];
  /** Knobs that may sit at 0 also move by an absolute step. */
  additive: boolean;
  name: string;
  /** The hardware profile or engine profile the knob belongs to. */
  owner: string;
  /** Narrows the rows the knob moves (default: all of the owner's rows). */
  reaches?: (row: ValidationRow) => boolean;
}

export interface FitResult {
  table: CalibrationTable;
  /** Root-mean-square of ln(predicted / measured) over the calibration rows. */
  rmsLogError: number;
  rows: number;
  evaluations: number;
}

/**
 * Stage results by the rows they were fitted to, so that cross-validation folds which leave
 * out rows of one engine reuse the stages those rows never reached (each stage is
 * deterministic in its rows).
 */
export type FitCache = Map<string, StageResult>;

interface StageResult {
  profiles: CalibrationTable['profiles'];
  engines: CalibrationTable['engines'];
  squared: number;
  evaluations: number;
}

export interface FitOptions {
  /** Reuses stage results fitted to the same rows (cross-validation folds). */
  cache?: FitCache;
  /**
   * Runs stage 2 only for these own-rows engines; the others keep their defaults. A fold
   * that predicts only some engines' rows needs only their profiles: no other engine's
   * profile reaches a prediction of them, except through a borrowed all-reduce latency
   * (borrowAllReduceLatency): the engines one of these borrows from are fitted too.
   */
  engines?: ReadonlySet<string>;
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
 * Stage 2 then fits, one engine at a time, the fixed costs and the kernel scales
 * (`EngineProfile.scale` for the kinds in `fitKnobs`; `scaleByArchitecture`, one per
 * architecture its rows run on, for those in `fitKnobsByArchitecture`) of each `own-rows`
 * engine on that engine's own calibration rows, with the hardware profiles held at stage 1: an engine's
 * whole-system throughput rows cannot drag the shared kernel efficiencies (a joint fit did:
 * docs/research/sim-fidelity.md, round 1, change 3).
 */
export function fitCalibration(rows: readonly ValidationRow[], base: CalibrationTable = BUNDLED_CALIBRATION, options: FitOptions = {}): FitResult {
  const { cache } = options;
  const calibrationRows = rows.filter((r) => r.role === 'calibration');
  const ownRows = (engine: string) => base.engines[engine]?.fixedCostsFit === 'own-rows';
  for (const [name, engine] of Object.entries(base.engines)) {
    // A kind fitted both ways would fall back to the global scale where an architecture has
    // no rows, instead of the profile's own kernels.
    const both = (engine.fitKnobs ?? []).filter((kind) => engine.fitKnobsByArchitecture?.includes(kind));
    if (both.length > 0) throw new Error(`engine profile '${name}' fits ${both.join(', ')} both globally (fitKnobs) and per architecture (fitKnobsByArchitecture)`);
  }
  const stage1Rows = calibrationRows.filter((r) => !ownRows(r.engineProfile));
  // Start from the defaults, not from the bundled fit, so the bundled numbers are reproducible.
  const table: CalibrationTable = { ...structuredClone(base), profiles: {}, engines: {} };
  // Fixed costs and kernel scales are refitted; the rest of an engine profile is data (how it
  // schedules, which kernels it has), kept as it is.
  for (const [name, engine] of Object.entries(base.engines)) {
    const data: EngineProfile = structuredClone(engine);
    for (const knob of FITTED_ENGINE_FIELDS) delete data[knob];
    // Fixed costs the profile holds are data, not fitted.
    Object.assign(data, engine.heldFixedCosts ?? {});
    table.engines[name] = data;
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
  const ownRowsOf = (engine: string) => calibrationRows.filter((r) => r.engineProfile === engine);
  const engineKnobs = (engine: string, ownRowsStage: boolean): Knob[] => {
    table.engines[engine] ??= {};
    const held = base.engines[engine]?.heldFixedCosts ?? {};
    const fixed: Knob[] = (Object.keys(ENGINE_BOUNDS) as EngineKnob[]).filter((name) => held[name] === undefined).map((name) => ({
      name: `${engine}.${name}`,
      owner: engine,
      bounds: ENGINE_BOUNDS[name],
      additive: name !== 'allReduceUs',
      read: (t) => t.engines[engine]![name] ?? DEFAULT_EFFICIENCY[name],
      write: (t, v) => {
        (t.engines[engine] as EngineProfile)[name] = v;
      },
    }));
    // The latency of the engine's custom all-reduce kernels, where some of its rows run builds
    // that take them for the row's main iterations (exercisesCustomAllReduce): those rows only.
    if (ownRowsOf(engine).some(exercisesCustomAllReduce)) {
      fixed.push({
        name: `${engine}.customAllReduceUs`,
        owner: engine,
        reaches: exercisesCustomAllReduce,
        bounds: ENGINE_BOUNDS.allReduceUs,
        additive: false,
        read: (t) => t.engines[engine]!.customAllReduceUs ?? DEFAULT_EFFICIENCY.allReduceUs,
        write: (t, v) => {
          (t.engines[engine] as EngineProfile).customAllReduceUs = v;
        },
      });
    }
    // An engine that runs some iterations outside CUDA graphs pays its own per-layer cost there.
    if (base.engines[engine]?.cudaGraphMaxBatch !== undefined) {
      fixed.push({
        name: `${engine}.eagerLayerOverheadUs`,
        owner: engine,
        bounds: EAGER_LAYER_BOUNDS,
        additive: true,
        read: (t) => t.engines[engine]!.eagerLayerOverheadUs ?? t.engines[engine]!.layerOverheadUs ?? DEFAULT_EFFICIENCY.layerOverheadUs,
        write: (t, v) => {
          (t.engines[engine] as EngineProfile).eagerLayerOverheadUs = v;
        },
      });
    }
    if (!ownRowsStage) return fixed;
    // An own-rows engine also fits how its kernels compare with the hardware profile's, for
    // the kernel kinds its data names (fitKnobs): its rows say how fast its kernels are,
    // which the kernel-level rows of other engines cannot.
    const extra: Knob[] = (base.engines[engine]?.fitKnobs ?? []).map((kind) => ({
      name: `${engine}.scale.${kind}`,
      owner: engine,
      bounds: SCALE_BOUNDS,
      additive: false,
      read: (t) => t.engines[engine]!.scale?.[kind] ?? 1,
      write: (t, v) => {
        const profile = t.engines[engine] as EngineProfile;
        profile.scale = { ...profile.scale, [kind]: v };
      },
    }));
    // Kinds fitted per architecture: one knob for each architecture its rows here run on.
    const architectures = [...new Set(ownRowsOf(engine).map((r) => table.gpuProfiles[r.gpu]).filter((p): p is string => p !== undefined))].sort();
    const perArchitecture: Knob[] = architectures.flatMap((architecture) =>
      (base.engines[engine]?.fitKnobsByArchitecture ?? []).map((kind) => ({
        name: `${engine}.scaleByArchitecture.${architecture}.${kind}`,
        owner: engine,
        reaches: (row: ValidationRow) => table.gpuProfiles[row.gpu] === architecture,
        bounds: SCALE_BOUNDS,
        additive: false,
        read: (t: CalibrationTable) => t.engines[engine]!.scaleByArchitecture?.[architecture]?.[kind] ?? 1,
        write: (t: CalibrationTable, v: number) => {
          const profile = t.engines[engine] as EngineProfile;
          const current = profile.scaleByArchitecture ?? {};
          profile.scaleByArchitecture = { ...current, [architecture]: { ...current[architecture], [kind]: v } };
        },
      })),
    );
    return [...fixed, ...extra, ...perArchitecture];
  };
  const stage1Engines = [...new Set(stage1Rows.map((r) => r.engineProfile))].sort();
  for (const engine of stage1Engines) knobs.push(...engineKnobs(engine, false));
  const stage1Key = `1:${stage1Rows.map((r) => r.id).join(',')}`;
  const stage1 = cached(cache, stage1Key, table, () => descend(table, knobs, stage1Rows), stage1Engines, true);
  let squared = stage1.squared;
  let evaluations = stage1.evaluations;
  // Stage 2: each own-rows engine on its own rows, the hardware profiles as stage 1 left them.
  const stage2Engines = [...new Set(calibrationRows.filter((r) => ownRows(r.engineProfile)).map((r) => r.engineProfile))].sort();
  const multiGpuEngines = new Set(calibrationRows.filter((r) => r.tp > 1).map((r) => r.engineProfile));
  // An engine that borrows its all-reduce latency borrows it from every engine of its library
  // fitted on multi-GPU rows, so those are fitted too, as in the bundled fit.
  const libraryOf = (engine: string) => allReduceLibraryOf(base, engine);
  const calibrated = new Set(calibrationRows.map((r) => r.engineProfile));
  // An engine whose builds take custom all-reduce kernels, with no calibration row here that
  // exercises them, borrows their latency from the engines on custom kernels.
  const customTakers = new Set(rows.filter((r) => (r.engineTraits?.customAllReduceMaxBytes ?? 0) > 0).map((r) => r.engineProfile));
  const customIdentified = new Set(calibrationRows.filter(exercisesCustomAllReduce).map((r) => r.engineProfile));
  const wanted = [...(options.engines ?? [])];
  const lendingLibraries = new Set<AllReduceLibrary>();
  if (wanted.some((e) => calibrated.has(e) && !multiGpuEngines.has(e) && libraryOf(e) === 'nccl')) lendingLibraries.add('nccl');
  if (wanted.some((e) => customTakers.has(e) && !customIdentified.has(e))) lendingLibraries.add('custom');
  const lends = (e: string) => {
    const library = libraryOf(e);
    return library !== undefined && lendingLibraries.has(library);
  };
  const stage2Fitted = stage2Engines.filter((e) => (options.engines?.has(e) ?? true) || lends(e));
  for (const engine of stage2Fitted) {
    const own = ownRowsOf(engine);
    const key = `${stage1Key}|2:${engine}:${own.map((r) => r.id).join(',')}`;
    const stage2 = cached(cache, key, table, () => descend(table, engineKnobs(engine, true), own, STAGE2_SWEEPS_PER_STEP, STAGE2_OFFLINE_REQUESTS), [engine], false);
    squared += stage2.squared;
    evaluations += stage2.evaluations;
  }
  const fitted = [...stage1Engines, ...stage2Fitted];
  borrowAllReduceLatency(table, base, fitted, multiGpuEngines);
  borrowCustomAllReduceLatency(
    table,
    base,
    fitted.filter((e) => customTakers.has(e) && !customIdentified.has(e)),
    fitted.filter((e) => multiGpuEngines.has(e)),
  );
  return { table, rmsLogError: Math.sqrt(squared / Math.max(1, calibrationRows.length)), rows: calibrationRows.length, evaluations };
}

/**
 * The row runs a multi-GPU build whose custom all-reduce kernels take the messages of its main
 * iterations (EngineTraits.customAllReduceMaxBytes): the decode steps of its batch, or the one
 * prefill of a first-token row. A fit identifies the custom latency only from such rows; a
 * row whose messages all exceed the workspace (a 2,048-token prefill at TP8) says nothing
 * about it, and a fit with none of them borrows the latency (borrowCustomAllReduceLatency).
 */
export function exercisesCustomAllReduce(row: ValidationRow): boolean {
  const maxBytes = row.engineTraits?.customAllReduceMaxBytes ?? 0;
  if (row.tp < 2 || maxBytes <= 0) return false;
  const s = row.scenario;
  const tokens =
    s.kind === 'prefill'
      ? s.batch * s.input
      : s.kind === 'concurrency'
        ? s.concurrency
        : s.kind === 'offline'
          ? Math.min(s.requests, s.maxBatch ?? s.requests)
          : s.kind === 'serving'
            ? s.requests
            : s.batch;
  return tokens * getServingModel(row.model).hidden * ACTIVATION_BYTES <= maxBytes;
}

const allReduceLibraryOf = (base: CalibrationTable, engine: string) => base.engines[engine]?.allReduceLibrary?.name;

/**
 * An engine whose calibration rows all run on one GPU cannot tell its all-reduce latency: its
 * knob never moves from the default (20 us, a guess). Where its profile names the library
 * its all-reduces go through, it takes the median latency of the engines fitted here on
 * multi-GPU rows that use the same library (LMDeploy v0.1 and TensorRT-LLM 0.5 both call
 * ncclAllReduce). Engines do differ: vLLM's and later TensorRT-LLM's custom all-reduce
 * kernels fit 14-111 us per all-reduce with what runs beside them, NCCL's 52 us, so a median
 * over all engines would be worse than the default for some (round 10,
 * docs/research/sim-fidelity.md). Without it, LMDeploy's 70B at TP4 was predicted 30-44% fast
 * whenever cross-validation left out that setup, its only multi-GPU one.
 */
export function borrowAllReduceLatency(table: CalibrationTable, base: CalibrationTable, fitted: readonly string[], multiGpuEngines: ReadonlySet<string>): void {
  for (const engine of fitted) {
    const library = allReduceLibraryOf(base, engine);
    // Custom kernels differ by engine and carry what runs beside them: only NCCL's latency is lent.
    if (library !== 'nccl' || multiGpuEngines.has(engine)) continue;
    const latency = lentLatency(table, base, library, fitted.filter((e) => multiGpuEngines.has(e)));
    if (latency !== undefined) (table.engines[engine] as EngineProfile).allReduceUs = latency;
  }
}

/**
 * Engines whose builds take custom all-reduce kernels for small messages (TensorRT-LLM 0.9's
 * rows in the 0.5 profile) but whose calibration rows here never exercise them take the
 * median latency of the engines fitted on multi-GPU rows whose all-reduces go through such
 * kernels (allReduceLibrary 'custom': today's vLLM and TensorRT-LLM). Without it, they would
 * pay NCCL's latency for every message.
 */
export function borrowCustomAllReduceLatency(table: CalibrationTable, base: CalibrationTable, borrowers: readonly string[], multiGpuFitted: readonly string[]): void {
  const latency = lentLatency(table, base, 'custom', multiGpuFitted);
  if (latency === undefined) return;
  for (const engine of borrowers) (table.engines[engine] as EngineProfile).customAllReduceUs = latency;
}

/**
 * The median all-reduce latency of the given fitted multi-GPU engines on `library` (none:
 * undefined). An engine whose all-reduce time is measured (allReduceLibrary.measured) does not
 * lend: its allReduceUs is only its own cost beside the measured collective, not a latency.
 */
function lentLatency(table: CalibrationTable, base: CalibrationTable, library: AllReduceLibrary, multiGpuFitted: readonly string[]): number | undefined {
  const lenders = multiGpuFitted.filter((e) => allReduceLibraryOf(base, e) === library && base.engines[e]?.allReduceLibrary?.measured === undefined);
  if (lenders.length === 0) return undefined;
  return Math.round(median(lenders.map((e) => table.engines[e]?.allReduceUs ?? DEFAULT_EFFICIENCY.allReduceUs)) * 1000) / 1000;
}

/**
 * Runs a stage, or replays its result from the cache: the stage writes the hardware profiles
 * (stage 1) and the given engines' profiles into `table`.
 */
function cached(
  cache: FitCache | undefined,
  key: string,
  table: CalibrationTable,
  run: () => { squared: number; evaluations: number },
  engines: readonly string[],
  writesProfiles: boolean,
): { squared: number; evaluations: number } {
  const hit = cache?.get(key);
  if (hit) {
    if (writesProfiles) table.profiles = structuredClone(hit.profiles);
    for (const engine of engines) table.engines[engine] = structuredClone(hit.engines[engine]!);
    return { squared: hit.squared, evaluations: 0 };
  }
  const result = run();
  cache?.set(key, {
    profiles: writesProfiles ? structuredClone(table.profiles) : {},
    engines: Object.fromEntries(engines.map((engine) => [engine, structuredClone(table.engines[engine]!)])),
    ...result,
  });
  return result;
}

/**
 * Coordinate descent of `knobs` (written into `table`) on the summed squared log error of
 * `fitRows`; values are rounded to 3 decimals at the end. Returns the final sum.
 */
function descend(
  table: CalibrationTable,
  knobs: readonly Knob[],
  fitRows: readonly ValidationRow[],
  maxSweepsPerStep = Number.POSITIVE_INFINITY,
  fastOfflineRequests?: number,
): { squared: number; evaluations: number } {
  for (const k of knobs) k.write(table, k.read(table));
  // Each knob moves only the rows it reaches (a GPU architecture's rows, an engine's rows):
  // only those are predicted again, the others keep their error. The total is summed over
  // all rows in the same order every time, so the fit is the same as recomputing them all.
  const reach = new Map<Knob, number[]>();
  for (const k of knobs) {
    const rows: number[] = [];
    fitRows.forEach((row, i) => {
      if ((row.engineProfile === k.owner || table.gpuProfiles[row.gpu] === k.owner) && (k.reaches?.(row) ?? true)) rows.push(i);
    });
    reach.set(k, rows);
  }
  let evaluations = 1;
  // With `fastOfflineRequests`, offline rows simulate fewer requests while searching, scaled by
  // the ratio of the full-count to the reduced-count prediction, which is refreshed whenever
  // the step halves (the ratio moves little with the knobs; the simulation cost is linear in
  // the requests).
  const fast = fastOfflineRequests !== undefined ? { offlineRequests: fastOfflineRequests } : undefined;
  const ratio = new Float64Array(fitRows.length).fill(1);
  const refreshRatios = () => {
    if (!fast) return;
    fitRows.forEach((row, i) => {
      if (row.scenario.kind === 'offline' && row.scenario.requests > fast.offlineRequests) ratio[i] = predictRow(row, table) / predictRow(row, table, fast);
    });
  };
  const rowError = (i: number): number => {
    const err = Math.log((predictRow(fitRows[i]!, table, fast) * ratio[i]!) / fitRows[i]!.measured);
    return err * err;
  };
  refreshRatios();
  const sum = (errors: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < errors.length; i++) total += errors[i]!;
    return total;
  };
  const errors = new Float64Array(fitRows.length);
  for (let i = 0; i < fitRows.length; i++) errors[i] = rowError(i);
  let best = sum(errors);
  const trial = new Float64Array(fitRows.length);
  let sweeps = 0;
  for (let step = 0.3; step > 0.01; ) {
    let improved = false;
    sweeps++;
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
    if (!improved || sweeps >= maxSweepsPerStep) {
      step /= 2;
      sweeps = 0;
      if (fast) {
        refreshRatios();
        for (let i = 0; i < fitRows.length; i++) errors[i] = rowError(i);
        best = sum(errors);
      }
    }
  }
  for (const k of knobs) k.write(table, Math.round(k.read(table) * 1000) / 1000);
  return { squared: best, evaluations };
}
