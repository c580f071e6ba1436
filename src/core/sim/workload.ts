import { Rng, exponential, gamma, substream, uniformInt } from '../random';

/** How requests arrive. Open-loop arrival times are drawn for rate 1 and then scaled by 1/rate,
 * so two runs with the same seed and different rates see the same pattern compressed in time. */
export type ArrivalSpec =
  | { kind: 'poisson'; rate: number }
  /** Gamma inter-arrival times with this coefficient of variation (cv > 1: burstier than Poisson). */
  | { kind: 'gamma'; rate: number; cv: number }
  /** A fixed number of clients, each sending its next request when the previous one finishes. */
  | { kind: 'closed'; concurrency: number; thinkTimeMs?: number }
  /** Everything arrives at t = 0 (maximum-throughput batch job). */
  | { kind: 'offline' }
  /** Send times replayed in order, in seconds from the start: one for each request. */
  | { kind: 'times'; seconds: readonly number[] };

export type LengthSpec =
  | { kind: 'fixed'; tokens: number }
  | { kind: 'uniform'; min: number; max: number }
  /** P(min + k - 1) proportional to k^-theta for k = 1..max-min+1 (Vidur's Zipf, unscrambled). */
  | { kind: 'zipf'; min: number; max: number; theta: number };

export interface TraceRow {
  input: number;
  output: number;
}

export interface WorkloadSpec {
  requests: number;
  arrival: ArrivalSpec;
  input: LengthSpec;
  output: LengthSpec;
  /** Token counts replayed in order (cycling); replaces input/output when present. */
  trace?: readonly TraceRow[];
  /** Share of requests marked high priority (Llumnix favours them). */
  highPriorityFraction?: number;
  seed: number;
}

export interface PlannedRequest {
  /** Seconds from the start; NaN for closed-loop requests (sent when a client frees up). */
  arrival: number;
  input: number;
  output: number;
  highPriority: boolean;
}

const STREAM_ARRIVALS = 1;
const STREAM_INPUT = 2;
const STREAM_OUTPUT = 3;
const STREAM_PRIORITY = 4;

export function planRequests(spec: WorkloadSpec): PlannedRequest[] {
  const n = spec.requests;
  const arrivals = arrivalTimes(spec.arrival, n, substream(spec.seed, STREAM_ARRIVALS));
  const inputs = spec.trace ? null : lengthSampler(spec.input, substream(spec.seed, STREAM_INPUT));
  const outputs = spec.trace ? null : lengthSampler(spec.output, substream(spec.seed, STREAM_OUTPUT));
  const priorityRng = substream(spec.seed, STREAM_PRIORITY);
  const highShare = spec.highPriorityFraction ?? 0;
  const plans: PlannedRequest[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = spec.trace ? spec.trace[i % spec.trace.length]! : null;
    plans[i] = {
      arrival: arrivals[i]!,
      input: row ? row.input : inputs!(),
      output: row ? row.output : outputs!(),
      highPriority: highShare > 0 && priorityRng.next() < highShare,
    };
  }
  return plans;
}

function arrivalTimes(spec: ArrivalSpec, n: number, rng: Rng): number[] {
  const times = new Array<number>(n);
  switch (spec.kind) {
    case 'offline':
      times.fill(0);
      return times;
    case 'closed':
      times.fill(Number.NaN);
      return times;
    case 'times': {
      if (spec.seconds.length < n) throw new RangeError(`${n} requests need ${n} send times, not ${spec.seconds.length}`);
      const replayed = spec.seconds.slice(0, n);
      // The cluster takes arrivals in order (cluster.ts), so a replay must be one.
      replayed.forEach((t, i) => {
        if (!(Number.isFinite(t) && t >= 0 && (i === 0 || t >= replayed[i - 1]!))) throw new RangeError(`send time ${i} (${t} s) is not a finite time at or after the one before it`);
      });
      return replayed;
    }
    case 'poisson':
    case 'gamma': {
      const shape = spec.kind === 'gamma' ? 1 / (spec.cv * spec.cv) : 1;
      let t = 0;
      for (let i = 0; i < n; i++) {
        // First request at t = 0 so a run's duration is not padded by an idle start.
        if (i > 0) t += spec.kind === 'gamma' ? gamma(rng, shape, 1 / shape) : exponential(rng, 1);
        times[i] = t / spec.rate;
      }
      return times;
    }
  }
}

function lengthSampler(spec: LengthSpec, rng: Rng): () => number {
  switch (spec.kind) {
    case 'fixed':
      return () => spec.tokens;
    case 'uniform':
      return () => uniformInt(rng, spec.min, spec.max);
    case 'zipf': {
      const count = spec.max - spec.min + 1;
      const cdf = new Float64Array(count);
      let total = 0;
      for (let k = 1; k <= count; k++) {
        total += Math.pow(k, -spec.theta);
        cdf[k - 1] = total;
      }
      return () => {
        const u = rng.next() * total;
        let lo = 0;
        let hi = count - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! < u) lo = mid + 1;
          else hi = mid;
        }
        return spec.min + lo;
      };
    }
  }
}

/**
 * A JSONL trace of token counts, one request per line. Accepts the field names used by
 * common traces: input/output, input_tokens/output_tokens, prompt_tokens/completion_tokens,
 * num_prefill_tokens/num_decode_tokens (Vidur).
 */
export function parseTrace(jsonl: string): TraceRow[] {
  const rows: TraceRow[] = [];
  const lines = jsonl.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`trace line ${i + 1}: not JSON`);
    }
    const record = value as Record<string, unknown>;
    const input = pick(record, ['input', 'input_tokens', 'prompt_tokens', 'num_prefill_tokens']);
    const output = pick(record, ['output', 'output_tokens', 'completion_tokens', 'num_decode_tokens']);
    if (input === undefined || output === undefined) {
      throw new Error(`trace line ${i + 1}: needs input and output token counts`);
    }
    rows.push({ input: Math.max(1, Math.round(input)), output: Math.max(1, Math.round(output)) });
  }
  if (rows.length === 0) throw new Error('trace is empty');
  return rows;
}

function pick(record: Record<string, unknown>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = record[name];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return undefined;
}
