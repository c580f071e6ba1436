/**
 * The Serving card's number fields (core/format/numberField.ts does the checking).
 */
import { parseNumberField, type FieldParse } from '../format/numberField';
import { SERVING_LIMITS } from '../protocol/panel';

export type { FieldParse };
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

/** Parses what the user typed into one field, or says what is allowed. */
export function parseServingField(field: ServingNumberField, raw: string): FieldParse {
  return parseNumberField({ ...SERVING_FIELDS[field], ...SERVING_LIMITS[field] }, raw);
}
