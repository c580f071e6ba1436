/**
 * The Plan card's fields: what each accepts (PLAN_LIMITS, which the host checks again in
 * parsePlanInputs) and the message for what it does not (core/format/numberField.ts). As in the Serving card, what was
 * typed is never rewritten: "-5" is an error, not 5. The budgets that 0 turns off say so.
 */
import { parseNumberField, type FieldParse } from '../format/numberField';
import { PLAN_LIMITS, type PlanInputs } from '../protocol/panel';

export type PlanField = keyof PlanInputs;

export interface PlanFieldSpec {
  key: PlanField;
  /** The field's label. */
  label: string;
  /** As a message names it: "The rate". */
  noun: string;
  unit: string;
  integer: boolean;
  /** 0 turns this budget off. */
  zeroIsOff: boolean;
  /** Shown under the label (what 0 means, what the budget applies to). */
  hint?: string;
}

/** In the order the form shows them: the load, then the budgets. */
export const PLAN_FIELDS: readonly PlanFieldSpec[] = [
  { key: 'rate', label: 'Rate (req/s)', noun: 'The rate', unit: 'req/s', integer: false, zeroIsOff: false },
  { key: 'outputTokens', label: 'Output tokens', noun: 'Output tokens', unit: 'tokens', integer: true, zeroIsOff: false },
  { key: 'sloTtftMs', label: 'TTFT SLO (ms)', noun: 'The TTFT SLO', unit: 'ms', integer: false, zeroIsOff: false },
  { key: 'sloTpotMs', label: 'TPOT SLO (ms)', noun: 'The TPOT SLO', unit: 'ms', integer: false, zeroIsOff: false },
  { key: 'minQuality', label: 'Min quality (0 = off)', noun: 'The quality floor', unit: '', integer: false, zeroIsOff: true, hint: '0..1 of the full model' },
  { key: 'maxCostPer1kUsd', label: 'Max $ / 1k req (0 = off)', noun: 'The cost cap', unit: 'USD', integer: false, zeroIsOff: true },
  { key: 'maxEnergyJ', label: 'Max J / req (0 = off)', noun: 'The energy cap', unit: 'J', integer: false, zeroIsOff: true },
  { key: 'maxGpus', label: 'Max GPUs', noun: 'Max GPUs', unit: 'GPUs', integer: true, zeroIsOff: false },
];

export const PLAN_FIELD_BY_KEY: Readonly<Record<PlanField, PlanFieldSpec>> = Object.fromEntries(PLAN_FIELDS.map((f) => [f.key, f])) as Record<PlanField, PlanFieldSpec>;

export type { FieldParse };

/** Parses what the user typed into one field, or says what is allowed. */
export function parsePlanField(key: PlanField, raw: string): FieldParse {
  const spec = PLAN_FIELD_BY_KEY[key];
  return parseNumberField({ noun: spec.noun, unit: spec.unit, integer: spec.integer, ...PLAN_LIMITS[key], ...(spec.zeroIsOff ? { minText: '0 (off)' } : {}) }, raw);
}
