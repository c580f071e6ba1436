/**
 * One number field of a panel form: what it accepts and the message for what it does not.
 * The panel checks every keystroke with this and never rewrites what was typed ("-5" is an
 * error, not 5); the host checks the same limits again (protocol/panel.ts).
 */
import { formatCount } from './numbers';

export interface NumberFieldSpec {
  /** As a message names it: "The rate". */
  noun: string;
  /** "req/s", "ms"; empty for a plain number. */
  unit: string;
  integer: boolean;
  min: number;
  max: number;
  /** How the lowest value reads in the allowed range, when not `min` ("0 (off)"). */
  minText?: string;
}

export type FieldParse = { ok: true; value: number } | { ok: false; message: string };

// Plain decimals, optionally with thousands separators ("10,000") or an exponent ("1e3").
const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?$/i;

const show = (n: number) => (Number.isInteger(n) ? formatCount(n) : String(n));
const withUnit = (n: string, unit: string) => (unit ? `${n} ${unit}` : n);

/** "a whole number from 1 to 64 GPUs". */
export function allowedRange(spec: NumberFieldSpec): string {
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.minText ?? show(spec.min)} to ${withUnit(show(spec.max), spec.unit)}`;
}

/** Parses what the user typed, or says what is allowed. */
export function parseNumberField(spec: NumberFieldSpec, raw: string): FieldParse {
  const text = raw.trim();
  const allowed = allowedRange(spec);
  if (text === '') return { ok: false, message: `${spec.noun} is empty: enter ${allowed}.` };
  if (!NUMBER.test(text) || !/\d/.test(text)) return { ok: false, message: `“${text}” is not a number: enter ${allowed}.` };
  const value = Number(text.replace(/,/g, ''));
  if (!Number.isFinite(value)) return { ok: false, message: `“${text}” is not a number: enter ${allowed}.` };
  if (value < spec.min) return { ok: false, message: `${spec.noun} must be at least ${withUnit(show(spec.min), spec.unit)}: enter ${allowed}.` };
  if (value > spec.max) return { ok: false, message: `${spec.noun} must be at most ${withUnit(show(spec.max), spec.unit)}: enter ${allowed}.` };
  if (spec.integer && !Number.isInteger(value)) return { ok: false, message: `${spec.noun} must be a whole number: enter ${allowed}.` };
  return { ok: true, value };
}
