/** How index.ts runs a benchmark, or a part of one, in a fresh child process. */
export const BENCH_CHILD_FLAG = '--bench-child';
/** The capsulator's first pass, timed once per fresh process (capsule.bench.ts). */
export const FIRST_PASS_TASK = 'capsule-first-pass';
