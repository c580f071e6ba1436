/**
 * The planner's relative quality (0..1 of the full model at 16-bit) of a sub-model depth
 * and a precision, from published results (data/quality.json: the table, its source and
 * how it maps to the scale). Depth and precision multiply: the published results measure
 * each alone, and nothing published measures them together.
 */
import data from './data/quality.json';

export interface QualityEstimate {
  relative: number;
  /** How it was worked out, with the sources, for the Plan card and --json. */
  basis: string[];
}

type Family = (typeof data.subModels.families)[number];

const preference = (d: { wins: number; losses: number; ties: number }) => (d.wins + d.ties / 2) / (d.wins + d.losses + d.ties);

export function subModelFamilies(): readonly Family[] {
  return data.subModels.families;
}

/** Relative quality of a published sub-model depth; undefined for depths the paper did not evaluate. */
export function depthQuality(family: string, layers: number): QualityEstimate | undefined {
  const f = data.subModels.families.find((x) => x.family === family);
  const row = f?.depths.find((d) => d.layers === layers);
  if (!f || !row) return undefined;
  const full = f.depths.find((d) => d.layers === f.layers)!;
  const relative = Math.min(1, preference(row) / preference(full));
  return { relative, basis: [`depth ${layers}/${f.layers}: ${relative.toFixed(3)} (${f.scale.split(':')[0]}; ${f.source})`, ...(layers <= 12 ? [f.caveat] : [])] };
}

/** 16-bit precisions are the reference; others need a published row (fp8 has none here yet). */
const FULL_QUALITY = new Set(['fp16', 'bf16', 'fp32']);

/** "llama-2-13b" and "Llama-2-13B" -> "llama-2": the family a size belongs to. */
const familyOf = (name: string) => name.toLowerCase().replace(/-\d+(\.\d+)?b$/, '');

/**
 * Relative quality of a precision, from the published rows of its setting: those of the base
 * model's own family when there are any (W8A8 costs 1-2B mobile models far more than Llama-2),
 * else all of them.
 */
export function precisionQuality(precision: string, baseModel?: string): QualityEstimate | undefined {
  if (FULL_QUALITY.has(precision)) return { relative: 1, basis: [`${precision}: the reference (1)`] };
  const setting = data.precisions.settings.find((s) => s.precision === precision);
  if (!setting) return undefined;
  const own = baseModel === undefined ? [] : setting.rows.filter((r) => familyOf(r.model) === familyOf(baseModel));
  const rows = own.length > 0 ? own : setting.rows;
  const ratios = rows.map((r) => Math.min(1, r.fp16 / r.quantized));
  const relative = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const sources = [...new Set(rows.map((r) => r.source))].join('; ');
  return {
    relative,
    basis: [`${setting.setting}: ${relative.toFixed(3)}, the mean 16-bit / quantized perplexity (at most 1 each) over ${rows.map((r) => `${r.model} (${r.method})`).join(', ')}${own.length > 0 ? `, the rows of ${baseModel}'s family` : ''}; ${sources}`],
  };
}

/** Depth x precision; undefined when either has no published figure. `baseModel` picks the precision rows. */
export function candidateQuality(family: string | undefined, layers: number | undefined, precision: string, baseModel?: string): QualityEstimate | undefined {
  const base = baseModel ?? data.subModels.families.find((f) => f.family === family)?.baseModel;
  const p = precisionQuality(precision, base);
  if (!p) return undefined;
  if (family === undefined || layers === undefined) return p;
  const d = depthQuality(family, layers);
  if (!d) return undefined;
  return { relative: d.relative * p.relative, basis: [...d.basis, ...p.basis] };
}
