import { formatFixed } from '../src/core/format/numbers';

/** A duration as the cards write it: "12.3 ms", "2,114 ms" or "12.5 s". */
export const ms = (x: number): string => (x >= 10_000 ? `${formatFixed(x / 1000, 1)} s` : `${formatFixed(x, x >= 100 ? 0 : 1)} ms`);
