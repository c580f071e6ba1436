import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { BudgetState, PanelPersistedState } from '../src/core/protocol/panel';
import { BudgetView } from './budgetView';
import { CapsuleView } from './capsuleView';
import { PanelClient } from './panelClient';
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
  onApply: () => client.command('applyCapsule', {}),
  onCopy: () => client.command('copyCapsule', {}),
  onDiscard: () => client.command('discardCapsule', {}),
});

const serving = new ServingView(app, { onInputsChange: (inputs) => client.command('setServing', inputs) });

const render = (state: BudgetState) => {
  budget.render(state);
  capsule.render(state);
  serving.render(state);
};

client.onNotification('state', (state) => {
  render(state);
  if (state.source) save({ source: state.source.range ? { uri: state.source.uri, range: state.source.range } : { uri: state.source.uri } });
});

void client.request('ready', { persisted }).then(render);
