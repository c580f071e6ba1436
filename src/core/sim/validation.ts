import validationFile from './data/validation.json';
import { BUNDLED_CALIBRATION, CalibrationTable } from './calibration';
import { EngineTraits, decodeShape, prefillShape } from './latency';
import { median } from './metrics';
import { SimulationConfig, SimulationResult, buildLatencyModel, simulate } from './simulate';
import { benchServingRandomRequests, benchServingTrace } from './benchServing';
import { LengthSpec, WorkloadSpec } from './workload';

export type ValidationScenario =
  /** One prefill iteration of `batch` prompts of `input` tokens (time to first token, no queueing). */
  | { kind: 'prefill'; batch: number; input: number }
  /** One decode iteration of `batch` sequences each holding `context` tokens. */
  | { kind: 'decode-step'; batch: number; context: number }
  /** A static batch: `batch` requests start together and run to completion. */
  | { kind: 'static-batch'; batch: number; input: number; output: number }
  /** A closed loop of `concurrency` clients with fixed lengths. */
  | { kind: 'concurrency'; concurrency: number; input: number; output: number }
  /**
   * `requests` requests of fixed lengths all queued at once, served with in-flight batching
   * (TensorRT-LLM's offline throughput benchmarks): at most `maxBatch` sequences and
   * `maxNumTokens` tokens per iteration, prompts in chunks.
   */
  | {
      kind: 'offline';
      requests: number;
      input: number;
      output: number;
      maxBatch?: number;
      maxNumTokens?: number;
      /**
       * TensorRT-LLM capacity scheduler: 'guaranteed-no-evict' admits a request only when the KV
       * of its input + output fits (trtllm-bench's default), 'max-utilization' admits on the prompt
       * and pauses requests when the cache runs out. Unset: the engine profile's kvReservation.
       */
      schedulerPolicy?: 'guaranteed-no-evict' | 'max-utilization';
      /** kv_cache_free_gpu_mem_fraction the run used. Unset: the engine profile's. */
      kvFreeMemoryFraction?: number;
      /**
       * false: prompts are not chunked (trtllm-bench 1.0's default, enable_chunked_prefill off):
       * whole prompts share each iteration's maxNumTokens with the decodes. Unset: chunked.
       */
      chunkedPrefill?: boolean;
    }
  /**
   * A serving benchmark run against the engine as it is launched (its own batching and memory
   * settings, data/calibration.json): `requests` requests with lengths drawn from `input` and
   * `output` (sglang.bench_serving's random dataset: prompts uniform over [1, L], outputs over
   * [0, L], an empty one simulated as one token, so the specs say [1, L]), all sent at once
   * (`rate` unset) or as a Poisson process of `rate` requests per second. `memoryFraction`:
   * the launch set the share of each GPU's memory for weights and KV itself (SGLang's
   * --mem-fraction-static) instead of taking the engine's default for its TP degree.
   * `benchServingDraws`: the client drew the requests from NumPy's legacy generator
   * (sglang.bench_serving's random dataset, with this seed and range ratio, `input.max` and
   * `output.max` its lengths): the simulation replays those lengths and send times
   * (benchServing.ts) instead of a fresh sample.
   */
  | {
      kind: 'serving';
      requests: number;
      input: LengthSpec;
      output: LengthSpec;
      rate?: number;
      ignoreEos?: boolean;
      memoryFraction?: number;
      benchServingDraws?: { seed: number; rangeRatio: number };
    };

export type ValidationMetric =
  | 'ttftMs'
  | 'iterationMs'
  | 'outputTokensPerSec'
  | 'outputTokensPerSecPerGpu'
  | 'batchLatencyMs'
  | 'ttftMeanMs'
  | 'tpotMeanMs'
  | 'ttftMedianMs'
  /** Median gap between consecutive tokens of a reply (a streaming client's ITL). */
  | 'itlMedianMs'
  | 'e2eMeanMs';

/** What every published measurement states: where it comes from and what ran. */
export interface PublishedSetup {
  id: string;
  source: string;
  url: string;
  engine: string;
  model: string;
  gpu: string;
  precision: string;
  tp: number;
  /** The source line the figures were read from. */
  quote?: string;
  assumptions?: string;
}

export interface ValidationRow extends PublishedSetup {
  scenario: ValidationScenario;
  metric: ValidationMetric;
  measured: number;
  role: 'calibration' | 'holdout';
  /** Which engine profile of data/calibration.json the measured engine belongs to. */
  engineProfile: string;
  /** Known limits of the measured engine version, applied when predicting this row. */
  engineTraits?: EngineTraits & { basis?: string };
}

export interface ValidationOutcome {
  row: ValidationRow;
  predicted: number;
  /** (predicted - measured) / measured, in percent. */
  errorPct: number;
}

export interface ValidationReport {
  outcomes: ValidationOutcome[];
  count: number;
  medianAbsErrorPct: number;
  maxAbsErrorPct: number;
  calibrationMedianAbsErrorPct: number;
  holdoutMedianAbsErrorPct: number;
  holdoutMaxAbsErrorPct: number;
}

export const VALIDATION_ROWS: readonly ValidationRow[] = (validationFile as { rows: ValidationRow[] }).rows;

/** Closed-loop requests per client in concurrency rows: enough for a steady state. */
const REQUESTS_PER_CLIENT = 4;
/**
 * Closed-loop rows: a benchmark client's next request reaches the engine this long after the
 * last token of its previous reply (the stream back to a Python client and a new request
 * through it). What matters is that it is after the engine has started its next iteration,
 * which it does as soon as it has streamed that token, so the new request waits for the one
 * after; the value itself, an assumption, adds only itself to each client's cycle. Seen in
 * LMDeploy's table: 16 clients with one-token prompts wait about two decode steps for a first
 * token (7B: 21 ms), one step with a 0 ms turnaround (13 ms predicted), two with 1 ms (19.5 ms).
 */
const CLIENT_TURNAROUND_MS = 1;
/** TensorRT-LLM's default per-iteration token budget (max_num_tokens). */
const INFLIGHT_BATCH_TOKENS = 8192;
/** Offline rows whose source does not state max_batch_size (trtllm-bench tunes it): an assumption. */
const OFFLINE_MAX_BATCH = 2048;
/**
 * Offline rows simulate at most this many of their requests: the published runs (2,000 to
 * 30,000 requests) are in a steady state long before their end, and the throughput of the
 * first 4,096 is the same within a fraction of a percent while costing far less to simulate.
 */
const OFFLINE_REQUESTS = 4096;

export interface PredictOptions {
  /**
   * Offline rows simulate at most this many requests (default OFFLINE_REQUESTS). The
   * calibration fit uses fewer and scales by the full-count ratio it refreshes as it goes.
   */
  offlineRequests?: number;
}

/** What a serving benchmark's figure reads from the simulation (validation scenario kind 'serving'). */
const SERVING_METRICS: Partial<Record<ValidationMetric, (result: SimulationResult) => number>> = {
  ttftMedianMs: (r) => r.ttftMs.p50,
  ttftMeanMs: (r) => r.ttftMs.mean,
  itlMedianMs: (r) => r.itlMs!.p50,
  tpotMeanMs: (r) => r.tpotMs.mean,
  e2eMeanMs: (r) => r.e2eMs.mean,
  outputTokensPerSec: (r) => r.throughput.outputTokensPerSec,
};

export function predictRow(row: ValidationRow, calibration?: CalibrationTable, options: PredictOptions = {}): number {
  const base = rowSetup(row, calibration);
  const s = row.scenario;
  switch (s.kind) {
    case 'prefill': {
      const latency = buildLatencyModel({ ...base, ...emptyRun() }, row.tp);
      return latency.iterationSeconds(prefillShape(new Array<number>(s.batch).fill(s.input))) * 1000;
    }
    case 'decode-step': {
      const latency = buildLatencyModel({ ...base, ...emptyRun() }, row.tp);
      return latency.iterationSeconds(decodeShape(s.batch, s.batch * s.context)) * 1000;
    }
    case 'static-batch': {
      const result = simulate({
        ...base,
        deployment: { mode: 'colocated', tensorParallel: row.tp },
        // A static batch: every prompt prefilled in one iteration, whatever the engine does in flight.
        scheduler: { maxBatch: s.batch, maxBatchedTokens: Number.POSITIVE_INFINITY, chunkedPrefill: false },
        workload: {
          requests: s.batch,
          arrival: { kind: 'offline' },
          input: { kind: 'fixed', tokens: s.input },
          output: { kind: 'fixed', tokens: s.output },
          seed: 1,
        },
      });
      if (row.metric === 'batchLatencyMs') return result.makespanSec * 1000;
      const perGroup = result.throughput.outputTokensPerSec;
      return row.metric === 'outputTokensPerSecPerGpu' ? perGroup / row.tp : perGroup;
    }
    case 'offline': {
      const result = simulate({
        ...base,
        deployment: { mode: 'colocated', tensorParallel: row.tp },
        ...(s.kvFreeMemoryFraction !== undefined ? { memory: { kvFreeMemoryFraction: s.kvFreeMemoryFraction } } : {}),
        scheduler: {
          ...(s.schedulerPolicy !== undefined ? { reserveFullSequence: s.schedulerPolicy === 'guaranteed-no-evict' } : {}),
          chunkedPrefill: true,
          ...(s.chunkedPrefill === false ? { wholePrompts: true } : {}),
          chunkTokens: s.maxNumTokens ?? INFLIGHT_BATCH_TOKENS,
          maxBatch: s.maxBatch ?? OFFLINE_MAX_BATCH,
          maxBatchedTokens: s.maxNumTokens ?? INFLIGHT_BATCH_TOKENS,
        },
        workload: {
          // Enough requests for the steady state; the throughput of more is the same.
          requests: Math.min(s.requests, options.offlineRequests ?? OFFLINE_REQUESTS),
          arrival: { kind: 'offline' },
          input: { kind: 'fixed', tokens: s.input },
          output: { kind: 'fixed', tokens: s.output },
          seed: 1,
        },
      });
      return row.metric === 'outputTokensPerSecPerGpu' ? result.throughput.outputTokensPerSec / row.tp : result.throughput.outputTokensPerSec;
    }
    case 'concurrency': {
      // The engine's own batching (simulate() applies the profile's scheduler: engineScheduler),
      // room for every client, and TensorRT-LLM's chunk where the profile names none; an engine
      // without batching data gets in-flight batching with chunks.
      const batching = (calibration ?? BUNDLED_CALIBRATION).engines[row.engineProfile]?.batching;
      const scheduler = batching
        ? { maxBatch: Math.max(batching.maxBatch, s.concurrency), chunkTokens: batching.chunkTokens ?? INFLIGHT_BATCH_TOKENS }
        : { chunkedPrefill: true, chunkTokens: INFLIGHT_BATCH_TOKENS, maxBatch: Math.max(256, s.concurrency) };
      const result = simulate({
        ...base,
        deployment: { mode: 'colocated', tensorParallel: row.tp },
        scheduler,
        workload: {
          requests: Math.max(8, s.concurrency * REQUESTS_PER_CLIENT),
          arrival: { kind: 'closed', concurrency: s.concurrency, thinkTimeMs: CLIENT_TURNAROUND_MS },
          input: { kind: 'fixed', tokens: s.input },
          output: { kind: 'fixed', tokens: s.output },
          seed: 1,
        },
      });
      if (row.metric === 'ttftMeanMs') return result.ttftMs.mean;
      if (row.metric === 'tpotMeanMs') return result.tpotMs.mean;
      return result.throughput.outputTokensPerSec;
    }
    case 'serving': {
      const result = simulate(servingSimulation(row, s, calibration));
      const read = SERVING_METRICS[row.metric];
      if (!read) throw new Error(`row ${row.id}: a serving run does not measure ${row.metric}`);
      return read(result);
    }
  }
}

/** What every row's simulation shares: the published setup, the engine and its calibration. */
function rowSetup(row: ValidationRow, calibration: CalibrationTable | undefined) {
  return { model: row.model, gpu: row.gpu, precision: row.precision, calibration, engineProfile: row.engineProfile, engine: row.engineTraits };
}

/**
 * The simulation a serving row's benchmark run maps to: the engine's own scheduler and memory
 * settings (simulate() applies the profile's), with what the launch and the client changed.
 */
export function servingSimulation(row: ValidationRow, s: Extract<ValidationScenario, { kind: 'serving' }>, calibration?: CalibrationTable): SimulationConfig {
  return {
    ...rowSetup(row, calibration),
    deployment: { mode: 'colocated', tensorParallel: row.tp },
    interTokenLatency: row.metric === 'itlMedianMs',
    // The benchmark forces each output to its length and the engine plans on it.
    ...(s.ignoreEos ? { scheduler: { knownOutputs: true } } : {}),
    // A fraction the launch set replaces the profile's by TP degree.
    ...(s.memoryFraction !== undefined ? { memory: { gpuMemoryUtilization: s.memoryFraction } } : {}),
    workload: s.benchServingDraws ? replayedWorkload(s, s.benchServingDraws) : {
      requests: s.requests,
      arrival: s.rate === undefined ? { kind: 'offline' } : { kind: 'poisson', rate: s.rate },
      input: s.input,
      output: s.output,
      seed: 1,
    },
  };
}

/** The requests a bench_serving run sent, as the client drew them. */
function replayedWorkload(s: Extract<ValidationScenario, { kind: 'serving' }>, draws: { seed: number; rangeRatio: number }): WorkloadSpec {
  if (s.input.kind !== 'uniform' || s.output.kind !== 'uniform') throw new Error('a replayed bench_serving run draws uniform lengths');
  const sent = benchServingRandomRequests({ requests: s.requests, inputLen: s.input.max, outputLen: s.output.max, rangeRatio: draws.rangeRatio, rate: s.rate, seed: draws.seed });
  return {
    requests: s.requests,
    arrival: s.rate === undefined ? { kind: 'offline' } : { kind: 'times', seconds: sent.arrivals },
    input: s.input,
    output: s.output,
    trace: benchServingTrace(sent),
    seed: 1,
  };
}

function emptyRun(): Pick<SimulationConfig, 'deployment' | 'workload'> {
  return {
    deployment: { mode: 'colocated' },
    workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 },
  };
}

export function runValidation(rows: readonly ValidationRow[] = VALIDATION_ROWS, calibration?: CalibrationTable): ValidationReport {
  const outcomes = rows.map((row) => {
    const predicted = predictRow(row, calibration);
    return { row, predicted, errorPct: ((predicted - row.measured) / row.measured) * 100 };
  });
  const abs = (list: ValidationOutcome[]) => list.map((o) => Math.abs(o.errorPct));
  const holdout = outcomes.filter((o) => o.row.role === 'holdout');
  const calib = outcomes.filter((o) => o.row.role === 'calibration');
  return {
    outcomes,
    count: outcomes.length,
    medianAbsErrorPct: median(abs(outcomes)),
    maxAbsErrorPct: Math.max(...abs(outcomes)),
    calibrationMedianAbsErrorPct: median(abs(calib)),
    holdoutMedianAbsErrorPct: median(abs(holdout)),
    holdoutMaxAbsErrorPct: Math.max(...abs(holdout)),
  };
}

/** Plain-text table: one line per row with its error, then the summary. */
export function formatValidationReport(report: ValidationReport): string {
  const lines: string[] = [];
  lines.push('| row | role | measured | predicted | error |');
  lines.push('|---|---|---:|---:|---:|');
  for (const o of report.outcomes) {
    lines.push(`| ${o.row.id} | ${o.row.role} | ${fmt(o.row.measured)} | ${fmt(o.predicted)} | ${o.errorPct >= 0 ? '+' : ''}${o.errorPct.toFixed(1)}% |`);
  }
  lines.push('');
  lines.push(
    `${report.count} published measurements: median absolute error ${report.medianAbsErrorPct.toFixed(1)}%, ` +
      `max ${report.maxAbsErrorPct.toFixed(1)}%; holdout rows only: median ${report.holdoutMedianAbsErrorPct.toFixed(1)}%, ` +
      `max ${report.holdoutMaxAbsErrorPct.toFixed(1)}%; calibration rows: median ${report.calibrationMedianAbsErrorPct.toFixed(1)}%.`,
  );
  return lines.join('\n');
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}
