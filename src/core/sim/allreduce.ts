import allReduceFile from './data/allreduce.json';

/** [message bytes, microseconds] points of one measured all-reduce curve, sizes ascending. */
export type AllReduceCurve = readonly (readonly [number, number])[];

/** Measured all-reduce libraries (data/allreduce.json `library`). */
export type MeasuredAllReduceLibrary = 'tensorrt-llm-auto' | 'sglang-custom-graph' | 'sglang-custom-eager';

interface CurveEntry {
  library: MeasuredAllReduceLibrary;
  gpu: string;
  ranks: Partial<Record<string, [number, number][]>>;
  source: string;
}

/**
 * Each curve as the simulator reads it, keyed by library, GPU and ranks. Timings of small
 * messages are noisy (a point can read slower than the next larger size, which cannot take
 * less time): each point is the least time measured at its size or any larger one, the
 * curve's lower monotone envelope. Built once, at load.
 */
const ENVELOPES: ReadonlyMap<string, AllReduceCurve> = new Map(
  (allReduceFile as unknown as { curves: CurveEntry[] }).curves.flatMap((c) =>
    Object.entries(c.ranks).map(([ranks, points]) => [curveKey(c.library, c.gpu, Number(ranks)), lowerEnvelope(points ?? [])] as const),
  ),
);

function curveKey(library: MeasuredAllReduceLibrary, gpu: string, ranks: number): string {
  return `${library}|${gpu}|${ranks}`;
}

function lowerEnvelope(points: readonly (readonly [number, number])[]): AllReduceCurve {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const envelope: [number, number][] = [];
  let least = Number.POSITIVE_INFINITY;
  for (let i = sorted.length - 1; i >= 0; i--) {
    least = Math.min(least, sorted[i]![1]);
    envelope.push([sorted[i]![0], least]);
  }
  return envelope.reverse();
}

/** The measured curve of `library` on `gpu` at `ranks` GPUs (its lower envelope), or undefined where none was measured. */
export function measuredAllReduceCurve(library: MeasuredAllReduceLibrary | undefined, gpu: string, ranks: number): AllReduceCurve | undefined {
  if (library === undefined || ranks < 2) return undefined;
  const curve = ENVELOPES.get(curveKey(library, gpu, ranks));
  return curve && curve.length > 0 ? curve : undefined;
}

/**
 * Microseconds of one all-reduce of `bytes` on a measured curve: log-log interpolation between
 * the two nearest sizes; the smallest size's time below it (a launch-bound floor); above the
 * largest, that size's time scaled by size (its bandwidth).
 */
export function allReduceMicros(curve: AllReduceCurve, bytes: number): number {
  const first = curve[0]!;
  const last = curve[curve.length - 1]!;
  if (bytes <= first[0]) return first[1];
  if (bytes >= last[0]) return (last[1] * bytes) / last[0];
  let i = 1;
  while (curve[i]![0] < bytes) i++;
  const [x0, y0] = curve[i - 1]!;
  const [x1, y1] = curve[i]!;
  const f = Math.log(bytes / x0) / Math.log(x1 / x0);
  return y0 * (y1 / y0) ** f;
}
