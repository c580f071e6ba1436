import * as vscode from 'vscode';
import { registerBudgetPanelSerializer, BudgetPanel } from './budgetPanel';
import { CapsuleService } from './capsule/capsuleService';
import { registerLlmCommands } from './llm/llmCommands';
import { LlmService } from './llm/llmService';
import { LocalModelService } from './local/localModelService';
import { registerLocalModelCommands } from './local/localModelCommands';
import { registerCompressCommands } from './capsule/compressCommands';
import { PreviewContentProvider } from './capsule/previewContent';
import { CatalogService } from './catalogService';
import { registerCommands } from './commands';
import { registerSplitCommand } from './plan/splitCommand';
import { StatusBarController, type StatusSnapshot } from './statusBar';
import { Workers } from './workers';

/** What activate() returns: a small API, used by the extension's own API-level tests. */
export interface PromptCapsuleApi {
  statusSnapshot(): StatusSnapshot | undefined;
  budgetPanelState(): unknown;
  /** The most recently made capsule still pending. */
  pendingCapsule(): { id: number; fileName: string; capsule: string; originalTokens: number; capsuleTokens: number } | undefined;
  /** Every pending capsule (one per document). */
  pendingCapsules(): Array<{ id: number; fileName: string; documentUri: string }>;
}

/**
 * Activation is cheap on purpose: no tokenizer, model or simulator loads here. They
 * live in the worker bundle (dist/worker.js), which starts on the first count.
 */
export function activate(context: vscode.ExtensionContext): PromptCapsuleApi {
  const log = vscode.window.createOutputChannel('Prompt Capsule', { log: true });
  const workers = new Workers(context.extensionUri);
  const catalog = new CatalogService(log);
  const llm = new LlmService(context.secrets, context.globalState, workers, log);
  context.subscriptions.push(llm);
  const local = new LocalModelService(context.extensionUri, context.globalStorageUri, workers, log);
  context.subscriptions.push(local);
  const capsules = new CapsuleService(workers, llm, local, log);
  const preview = new PreviewContentProvider();
  const deps = { extensionUri: context.extensionUri, catalog, workers, log, memento: context.globalState, capsules, preview, llm, local };
  const statusBar = new StatusBarController(catalog, workers, log, local);
  context.subscriptions.push(log, workers, catalog, statusBar, capsules, preview, registerBudgetPanelSerializer(deps), ...registerCommands(deps), ...registerCompressCommands(deps), ...registerLlmCommands(llm, log), ...registerLocalModelCommands(local, log), registerSplitCommand({ workers, local, catalog, log }), {
    dispose: () => BudgetPanel.active?.dispose(),
  });
  void catalog.reload();
  log.info(`activated (${context.extension.packageJSON.version as string})`);
  return {
    statusSnapshot: () => statusBar.current,
    budgetPanelState: () => BudgetPanel.active?.viewState,
    pendingCapsule: () => {
      const p = capsules.current;
      return p && { id: p.id, fileName: p.fileName, capsule: p.result.capsule, originalTokens: p.result.report.originalTokens, capsuleTokens: p.result.report.capsuleTokens };
    },
    pendingCapsules: () => capsules.all.map((p) => ({ id: p.id, fileName: p.fileName, documentUri: p.documentKey })),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
