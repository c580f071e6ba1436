import * as vscode from 'vscode';
import { registerBudgetPanelSerializer, BudgetPanel } from './budgetPanel';
import { CatalogService } from './catalogService';
import { registerCommands } from './commands';
import { StatusBarController, type StatusSnapshot } from './statusBar';
import { Workers } from './workers';

/** What activate() returns: a small API, used by the extension's own API-level tests. */
export interface PromptCapsuleApi {
  statusSnapshot(): StatusSnapshot | undefined;
  budgetPanelState(): unknown;
}

/**
 * Activation is cheap on purpose: no tokenizer, model or simulator loads here. They
 * live in the worker bundle (dist/worker.js), which starts on the first count.
 */
export function activate(context: vscode.ExtensionContext): PromptCapsuleApi {
  const log = vscode.window.createOutputChannel('Prompt Capsule', { log: true });
  const workers = new Workers(context.extensionUri);
  const catalog = new CatalogService(log);
  const deps = { extensionUri: context.extensionUri, catalog, workers, log, memento: context.globalState };
  const statusBar = new StatusBarController(catalog, workers, log);
  context.subscriptions.push(log, workers, catalog, statusBar, registerBudgetPanelSerializer(deps), ...registerCommands(deps), {
    dispose: () => BudgetPanel.active?.dispose(),
  });
  void catalog.reload();
  log.info(`activated (${context.extension.packageJSON.version as string})`);
  return {
    statusSnapshot: () => statusBar.current,
    budgetPanelState: () => BudgetPanel.active?.viewState,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
