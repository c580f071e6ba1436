/**
 * The requests `sglang.bench_serving --dataset-name random` sends, replayed exactly: its prompt
 * and output lengths and its Poisson arrival times come from NumPy's legacy global generator
 * (`np.random.seed(args.seed)`, seed 1 by default), so a published run's requests can be drawn
 * again instead of a fresh sample from the same distribution (the lengths exactly; a send time
 * to within a unit in the last place, see `exponential`). With a few hundred requests a
 * fresh sample's mean output can differ from the run's by 4% (DataCrunch's 300-request runs
 * drew a mean of 534.5 tokens where [0, 1024] averages 512), which moves a mean latency by as
 * much. The sums of the lengths this draws equal the `total_input_tokens` and
 * `total_output_tokens` every DataCrunch SGLang run printed (tested).
 *
 * What the client does (sglang 0.4, python/sglang/bench_serving.py): `sample_random_requests`
 * draws `input_lens = np.random.randint(max(int(input_len * range_ratio), 1), input_len + 1,
 * size=n)`, then `output_lens = np.random.randint(int(output_len * range_ratio), output_len + 1,
 * size=n)` (ShareGPT text is only cut or repeated to those lengths, with Python's `random`);
 * `get_request` sends request 0 at once and draws `np.random.exponential(1 / rate)` after each
 * request it yields (none when the rate is infinite).
 */
import { TraceRow } from './workload';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** NumPy's legacy `RandomState`: MT19937 seeded by init_genrand, as `np.random.seed(int)` does. */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError('seed must be an integer in [0, 2^32 - 1]');
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing bits to doubles.
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** genrand_int32: the next tempered 32-bit output. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** random_sample(): 53 random bits from two outputs, as NumPy's legacy double. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * randint(low, high, size) with the default int64 dtype: values in [low, high), each by
   * masked rejection on 32-bit outputs (the smallest all-ones mask covering the range, redrawn
   * while above it), which is what legacy RandomState does for a range under 2^32.
   */
  randint(low: number, high: number, size: number): number[] {
    const range = high - 1 - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range < 0) throw new RangeError(`randint: empty range [${low}, ${high})`);
    if (range > 0xfffffffe) throw new RangeError('randint: ranges of 2^32 and more are not replayed');
    const out = new Array<number>(size);
    if (range === 0) return out.fill(low);
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    for (let i = 0; i < size; i++) {
      let value: number;
      do value = (this.nextUint32() & mask) >>> 0;
      while (value > range);
      out[i] = low + value;
    }
    return out;
  }

  /**
   * exponential(scale): -log(1 - random_sample()) x scale (legacy_standard_exponential). Within
   * one unit in the last place of NumPy's: V8's Math.log and the C library's log NumPy calls
   * round differently for a few per cent of arguments.
   */
  exponential(scale: number): number {
    return -Math.log(1 - this.nextDouble()) * scale;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % N]! & LOWER_MASK);
      mt[i] = (mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    this.index = 0;
  }
}

export interface BenchServingRandomRun {
  /** --num-prompts */
  requests: number;
  /** --random-input-len and --random-output-len */
  inputLen: number;
  outputLen: number;
  /** --random-range-ratio (0 in sglang 0.4's default: lengths from [1, L] and [0, L]) */
  rangeRatio: number;
  /** --request-rate; unset: infinite (everything sent at once) */
  rate?: number;
  /** --seed (default 1) */
  seed: number;
}

export interface BenchServingRequests {
  /** Each request's prompt and output length as drawn (an output may be 0). */
  inputs: number[];
  outputs: number[];
  /** Send time of each request in seconds from the first; all 0 at an infinite rate. */
  arrivals: number[];
}

/** The lengths and send times `sglang.bench_serving --dataset-name random` draws for a run. */
export function benchServingRandomRequests(run: BenchServingRandomRun): BenchServingRequests {
  const rng = new NumpyRandomState(run.seed);
  // Python's int() truncates toward zero; the lengths are non-negative here.
  const inputs = rng.randint(Math.max(Math.trunc(run.inputLen * run.rangeRatio), 1), run.inputLen + 1, run.requests);
  const outputs = rng.randint(Math.trunc(run.outputLen * run.rangeRatio), run.outputLen + 1, run.requests);
  const arrivals = new Array<number>(run.requests).fill(0);
  if (run.rate !== undefined && Number.isFinite(run.rate)) {
    let t = 0;
    for (let i = 1; i < run.requests; i++) {
      t += rng.exponential(1 / run.rate);
      arrivals[i] = t;
    }
  }
  return { inputs, outputs, arrivals };
}

/**
 * The run as the simulator's trace: a request asked for no output tokens (max_new_tokens 0,
 * one request in about a thousand at range ratio 0) still takes a prefill and returns one
 * step's response; the simulator's requests have at least one output token.
 */
export function benchServingTrace(requests: BenchServingRequests): TraceRow[] {
  return requests.inputs.map((input, i) => ({ input, output: Math.max(1, requests.outputs[i]!) }));
}
