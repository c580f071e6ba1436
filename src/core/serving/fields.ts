/**
 * The Serving card's number fields: what each accepts and the message for what it does
 * not. The panel checks every keystroke with this and never rewrites what was typed
 * ("-5" is an error, not 5); the host checks the same limits again (protocol/panel.ts).
 */
import { formatCount } from '../format/numbers';
import { SERVING_LIMITS } from '../protocol/panel';

export type ServingNumberField = keyof typeof SERVING_LIMITS;

interface FieldSpec {
  /** As the message names it: "the rate". */
  noun: string;
  unit: string;
  integer: boolean;
}

export const SERVING_FIELDS: Readonly<Record<ServingNumberField, FieldSpec>> = {
  rate: { noun: 'The rate', unit: 'req/s', integer: false },
  outputTokens: { noun: 'Output tokens', unit: 'tokens', integer: true },
  sloTtftMs: { noun: 'The TTFT SLO', unit: 'ms', integer: false },
  sloTpotMs: { noun: 'The TPOT SLO', unit: 'ms', integer: false },
  gpus: { noun: 'GPUs', unit: 'GPUs', integer: true },
};

export type FieldParse = { ok: true; value: number } | { ok: false; message: string };

// Plain decimals, optionally with thousands separators ("10,000") or an exponent ("1e3").
const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?$/i;

function rangeText(field: ServingNumberField): string {
  const { min, max } = SERVING_LIMITS[field];
  const spec = SERVING_FIELDS[field];
  const show = (n: number) => (Number.isInteger(n) ? formatCount(n) : String(n));
  return `${spec.integer ? 'a whole number' : 'a number'} from ${show(min)} to ${show(max)} ${spec.unit}`;
}

/** Parses what the user typed into one field, or says what is allowed. */
export function parseServingField(field: ServingNumberField, raw: string): FieldParse {
  const spec = SERVING_FIELDS[field];
  const text = raw.trim();
  const allowed = rangeText(field);
  if (text === '') return { ok: false, message: `${spec.noun} is empty: enter ${allowed}.` };
  if (!NUMBER.test(text) || !/\d/.test(text)) return { ok: false, message: `“${raw.trim()}” is not a number: enter ${allowed}.` };
  const value = Number(text.replace(/,/g, ''));
  if (!Number.isFinite(value)) return { ok: false, message: `“${text}” is not a number: enter ${allowed}.` };
  const { min, max } = SERVING_LIMITS[field];
  if (value < min) return { ok: false, message: `${spec.noun} must be at least ${min === Math.trunc(min) ? formatCount(min) : min} ${spec.unit}: enter ${allowed}.` };
  if (value > max) return { ok: false, message: `${spec.noun} must be at most ${formatCount(max)} ${spec.unit}: enter ${allowed}.` };
  if (spec.integer && !Number.isInteger(value)) return { ok: false, message: `${spec.noun} must be a whole number: enter ${allowed}.` };
  return { ok: true, value };
}
