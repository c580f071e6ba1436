import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { keyStaysInField } from '../src/core/protocol/fieldKeys';
import type { BudgetState, PanelPersistedState } from '../src/core/protocol/panel';
import { BudgetView } from './budgetView';
import { CapsuleView } from './capsuleView';
import { PanelClient } from './panelClient';
import { PlanView } from './planView';
import { ServingView } from './servingView';
import { vscodeApi } from './vscodeApi';

const api = vscodeApi<PanelPersistedState>();
const client = new PanelClient(api);
const app = document.getElementById('app')!;

let persisted: PanelPersistedState = api.getState() ?? { sort: { column: 'perCallUsd', descending: false } };
const save = (patch: Partial<PanelPersistedState>) => {
  persisted = { ...persisted, ...patch };
  api.setState(persisted);
};

const budget = new BudgetView(app, persisted.sort, {
  onUsageChange: (usage) => client.command('setUsage', usage),
  onSortChange: (sort) => save({ sort }),
  onSetActiveModel: (modelId) => client.command('setActiveModel', { modelId }),
  onOpenSettings: () => client.command('openSettings', {}),
});

const capsule = new CapsuleView(app, {
  onCompress: (rate) => client.command('compress', { rate }),
  onSetCompressor: (backend) => client.command('setCompressor', { backend }),
  onApply: (capsuleId) => client.command('applyCapsule', { capsuleId }),
  onCopy: (capsuleId) => client.command('copyCapsule', { capsuleId }),
  onDiscard: (capsuleId) => client.command('discardCapsule', { capsuleId }),
  onProbe: (capsuleId) => client.command('probeCapsule', { capsuleId }),
  onCancelCompress: () => client.command('cancelCompress', {}),
});

const serving = new ServingView(app, {
  onInputsChange: (inputs) => client.command('setServing', inputs),
  onCancel: () => client.command('cancelServing', {}),
  onRerun: () => client.command('rerunServing', {}),
});

const plan = new PlanView(app, {
  onInputsChange: (inputs) => client.command('setPlan', inputs),
  onCancel: () => client.command('cancelPlan', {}),
  onRerun: () => client.command('rerunPlan', {}),
  onSimulate: (candidateId) => client.command('simulateCandidate', { candidateId }),
});

const render = (state: BudgetState) => {
  budget.render(state);
  capsule.render(state);
  serving.render(state);
  plan.render(state);
};

client.onNotification('state', (state) => {
  render(state);
  if (state.source) save({ source: state.source.range ? { uri: state.source.uri, range: state.source.range } : { uri: state.source.uri } });
});

// Editing keys typed into a text field stay in the panel: VS Code forwards every keydown
// to the workbench, which may still believe the prompt editor has focus (see fieldKeys.ts).
// This listener runs before VS Code's own on the window, and stops only those keys.
const TEXT_INPUT_TYPES = new Set(['text', 'number', 'search', 'email', 'url', 'tel', 'password']);
document.addEventListener('keydown', (event) => {
  const origin = event.composedPath()[0];
  const editable =
    (origin instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(origin.type)) || origin instanceof HTMLTextAreaElement || (origin instanceof HTMLElement && origin.isContentEditable);
  if (editable && keyStaysInField(event)) event.stopPropagation();
});

void client.request('ready', { persisted }).then(render);
