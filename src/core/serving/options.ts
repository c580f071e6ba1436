/**
 * The Serving card's choices, from the simulator's catalog data only: the extension
 * host imports this without loading the simulator itself (that runs in the worker).
 */
import { GPUS, MODELS, PRECISIONS } from '../sim/catalog';
import type { DeploymentMode } from '../sim/simulate';

export const SERVING_MODES: readonly DeploymentMode[] = ['colocated', 'disaggregated', 'llumnix'];

export const SERVING_OPTIONS = {
  models: MODELS.map((m) => ({ id: m.id, name: m.name })),
  gpus: GPUS.map((g) => ({ id: g.id, name: g.name })),
  precisions: PRECISIONS.map((p) => ({ id: p.id, name: p.id })),
  modes: SERVING_MODES,
};
