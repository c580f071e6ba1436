import * as vscode from 'vscode';
import { formatUsd } from '../core/format/numbers';
import { BudgetPanel, type PanelDeps } from './budgetPanel';
import type { CatalogService } from './catalogService';
import { CommandIds } from './commandIds';
import { SettingKeys, updateSetting } from './settings';
import { captureEditor } from './textSource';

export function registerCommands(deps: PanelDeps & { catalog: CatalogService }): vscode.Disposable[] {
  const { log, catalog } = deps;
  return [
    vscode.commands.registerCommand(CommandIds.countTokens, () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage('Prompt Capsule: open a file and select the prompt to count.', 'Open File').then((c) => {
          if (c === 'Open File') void vscode.commands.executeCommand('workbench.action.files.openFile');
        });
        return;
      }
      const captured = captureEditor(editor);
      if (captured.source.characters === 0) {
        void vscode.window.showInformationMessage('Prompt Capsule: the document is empty; type or paste a prompt, then count it.');
        return;
      }
      log.info(`count: ${captured.source.fileName} (${captured.source.scope}, ${captured.source.characters} characters)`);
      BudgetPanel.show(deps, captured);
    }),

    vscode.commands.registerCommand(CommandIds.openBudgetPanel, () => {
      const editor = vscode.window.activeTextEditor;
      BudgetPanel.show(deps, editor ? captureEditor(editor) : undefined);
    }),

    vscode.commands.registerCommand(CommandIds.selectModel, async () => {
      const active = catalog.activeModel().id;
      type Item = vscode.QuickPickItem & { id?: string };
      const items: Item[] = [];
      let provider = '';
      for (const m of catalog.current.models) {
        if (m.provider !== provider) {
          provider = m.provider;
          items.push({ label: provider, kind: vscode.QuickPickItemKind.Separator });
        }
        items.push({
          id: m.id,
          label: `${m.id === active ? '$(check) ' : ''}${m.name}`,
          description: `${m.id} · in ${formatUsd(m.inputPerMTok)} / out ${formatUsd(m.outputPerMTok)} per 1M`,
          detail: `${m.contextWindow.toLocaleString('en-US')} context · ${m.tokenizerExact ? m.tokenizer : 'estimated count'} · prices as of ${m.asOf}`,
        });
      }
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Prompt Capsule: price prompts for which model?',
        placeHolder: 'Type to filter by name, provider or id',
        matchOnDescription: true,
      });
      if (picked?.id) {
        await updateSetting(SettingKeys.activeModel, picked.id);
        log.info(`active model: ${picked.id}`);
      }
    }),

    vscode.commands.registerCommand(CommandIds.planModelBudget, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.getText().length === 0) {
        void vscode.window.showInformationMessage('Prompt Capsule: select the prompt to plan for in an editor (the plan is for its tokens).');
        return;
      }
      const captured = captureEditor(editor);
      log.info(`plan: ${captured.source.fileName} (${captured.source.scope}, ${captured.source.characters} characters)`);
      const panel = BudgetPanel.show(deps, captured);
      // The card has the progress bar and Cancel; the status bar shows that planning runs.
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Planning model budget' }, () => panel.openPlan());
    }),

    vscode.commands.registerCommand(CommandIds.showLog, () => log.show()),
  ];
}
