/** Latency summary in milliseconds. */
export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
}

export function summarize(values: readonly number[]): LatencyStats {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const v of sorted) total += v;
  return {
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

/**
 * Summary of values that each stand for `weights[i]` samples (inter-token gaps: one decode
 * iteration's gap is the gap of every sequence it decoded); nearest-rank percentiles over the
 * weighted samples.
 */
export function summarizeWeighted(values: readonly number[], weights: readonly number[]): LatencyStats {
  const order = ascendingOrder(values);
  let total = 0;
  let sum = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    total += weights[i]!;
    sum += values[i]! * weights[i]!;
  }
  if (total <= 0) return { mean: Number.NaN, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN };
  // One walk up the sorted values finds the three nearest-rank percentiles.
  const ranks = [50, 90, 99].map((p) => Math.max(1, Math.ceil((p / 100) * total)));
  const found: number[] = [];
  let seen = 0;
  for (let k = 0; k < order.length && found.length < ranks.length; k++) {
    const i = order[k]!;
    seen += weights[i]!;
    while (found.length < ranks.length && seen >= ranks[found.length]!) found.push(values[i]!);
  }
  const last = values[order[order.length - 1]!]!;
  return { mean: sum / total, p50: found[0] ?? last, p90: found[1] ?? last, p99: found[2] ?? last };
}

/**
 * Indices of `values` in ascending order of value. A simulation records hundreds of thousands
 * of gaps, and a comparator sort of indices is slow there: each value (rounded to 1e-6 of its
 * unit, ms here: a nanosecond) and its index are packed into one double and sorted natively,
 * where they fit in 53 bits; values within that rounding keep their index order.
 */
function ascendingOrder(values: readonly number[]): Uint32Array | number[] {
  const n = values.length;
  const slots = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  let max = 0;
  let min = 0;
  for (const v of values) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (min < 0 || !(Math.round(max * 1e6) * slots + slots < Number.MAX_SAFE_INTEGER)) {
    return values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.round(values[i]! * 1e6) * slots + i;
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % slots;
  return order;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
