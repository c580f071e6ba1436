/**
 * The planner's default candidate space and budgets. Data only, so the extension host can
 * read them without loading the simulator (which runs in the worker).
 */
import type { DeploymentMode } from '../sim/simulate';

export const PLAN_DEFAULTS = {
  gpus: ['a100-80gb', 'h100-sxm'],
  maxGpus: 8,
  families: ['llama-2-13b-soft'],
  /** The precisions with published quality (bf16 scores as fp16 and would only double the rows). */
  precisions: ['fp16', 'int8', 'w4a16', 'w4a8'],
  modes: ['colocated', 'disaggregated', 'llumnix'] as DeploymentMode[],
  attainment: 0.9,
  /** Vision families only: HiRED's visual-token budget (1 keeps every visual token). */
  visualTokenBudget: 1,
} as const;
