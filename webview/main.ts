import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { PanelPersistedState } from '../src/core/protocol/panel';
import { BudgetView } from './budgetView';
import { PanelClient } from './panelClient';
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

client.onNotification('state', (state) => {
  budget.render(state);
  if (state.source) save({ source: state.source.range ? { uri: state.source.uri, range: state.source.range } : { uri: state.source.uri } });
});

void client.request('ready', { persisted }).then((state) => budget.render(state));
