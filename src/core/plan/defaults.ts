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
  /**
   * Engine profiles (data/calibration.json) a candidate may run on; 'current' is the
   * simulator's default (today's vLLM and NIM). The planner offers today's engines only:
   * the historical profiles (tensorrt-llm-0.5, -0.10, -0.12, distserve) exist to check old
   * tables; 'tensorrt-llm' is TensorRT-LLM 1.0.
   */
  engines: ['current'],
  engineChoices: ['current', 'tensorrt-llm', 'lmdeploy', 'sglang'],
  /** Vision families only: HiRED's visual-token budget (1 keeps every visual token). */
  visualTokenBudget: 1,
} as const;
