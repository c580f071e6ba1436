import * as vscode from 'vscode';
import { hostedLatency } from '../../core/plan/hosted';
import { PromptSetError, readPromptSet } from '../../core/plan/promptSet';
import { describeSplit } from '../../core/plan/split';
import type { SplitRunReport } from '../../core/plan/splitRun';
import type { CatalogService } from '../catalogService';
import { CommandIds } from '../commandIds';
import { isLocalModelError, showLocalModelError } from '../local/localModelCommands';
import type { LocalModelService } from '../local/localModelService';
import { readPlanSettings, readSplitSettings, SETTINGS_SECTION } from '../settings';
import type { Workers } from '../workers';

interface SplitDeps {
  workers: Workers;
  local: LocalModelService;
  catalog: CatalogService;
  log: vscode.LogOutputChannel;
}

/** The report as Markdown: the sentences of the CLI, then each prompt's route. */
function markdown(report: SplitRunReport, source: string): string {
  const l = report.localModel;
  const rows = report.routes.map((r) => `| ${r.id.replace(/\|/g, '\\|')} | ${r.meanEntropyBits === null ? '—' : r.meanEntropyBits.toFixed(2)} | ${r.route} |`);
  return [
    `# Edge/cloud split of ${source}`,
    '',
    `Local model ${l.model}, depth ${l.depth}, ${l.precision} (one decode step ${l.stepMs.toFixed(1)} ms); cloud model ${report.cloudModel}; ${report.outputTokens} output tokens per request.`,
    '',
    ...describeSplit(report).map((line) => `- ${line}`),
    '',
    ...report.notes.map((n) => `> ${n}`),
    '',
    '| prompt | mean entropy (bits) | route |',
    '|---|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * "Capsule: Split Prompts Between Local Model and Cloud": a JSONL file or a folder of prompts,
 * routed by the local model's entropy (promptCapsule.split.* settings), measured in the
 * worker with progress and Cancel; the report opens as a Markdown document. Returns the
 * report (the extension's tests read it).
 */
export function registerSplitCommand(deps: SplitDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.splitPrompts, async (target?: vscode.Uri): Promise<SplitRunReport | undefined> => {
    const { log } = deps;
    let uri = target;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Prompts to split between the local model and the cloud',
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: false,
        openLabel: 'Split',
        filters: { 'Prompts (JSONL, one {"prompt": ...} per line)': ['jsonl'], 'All files': ['*'] },
      });
      uri = picked?.[0];
      if (!uri) return undefined;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Prompt Capsule: the split reads prompts from this machine\'s files; pick a local JSONL file or folder.');
      return undefined;
    }
    const settings = readSplitSettings();
    for (const problem of settings.problems) log.warn(`setting ignored: ${problem}`);
    const cloud = deps.catalog.current.get(settings.cloudModel);
    if (!cloud) {
      void vscode.window.showErrorMessage(`Prompt Capsule: the split's cloud model '${settings.cloudModel}' is not in the price catalog.`, 'Open Settings').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.split`);
      });
      return undefined;
    }
    let prompts;
    try {
      prompts = readPromptSet(uri.fsPath, vscode.workspace.asRelativePath(uri));
    } catch (error) {
      if (!(error instanceof PromptSetError)) throw error;
      void vscode.window.showErrorMessage(`Prompt Capsule: ${error.message}.`);
      return undefined;
    }
    let report: SplitRunReport;
    try {
      const request = deps.local.request();
      const space = readPlanSettings().space;
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Splitting ${prompts.length} prompts between the local model and ${cloud.name}`, cancellable: true },
        (progress, token) =>
          deps.workers.heavy.run(
            'splitPrompts',
            {
              prompts,
              request,
              options: {
                cloud,
                cloudLatency: hostedLatency(cloud.id, space),
                outputTokens: settings.outputTokens,
                ...(settings.thresholdBits > 0 ? { thresholdBits: settings.thresholdBits } : {}),
              },
            },
            token,
            (p) => progress.report({ message: `${p.done} of ${p.total} prompts measured`, increment: 100 / p.total }),
          ),
      );
    } catch (error) {
      if ((error as Error).name === 'AbortError') return undefined;
      if (isLocalModelError(error)) {
        showLocalModelError(error as Error);
        return undefined;
      }
      log.error(`split failed: ${(error as Error).stack ?? error}`);
      void vscode.window.showErrorMessage(`Prompt Capsule: the split failed: ${(error as Error).message}`);
      return undefined;
    }
    log.info(`split: ${report.local.prompts} local, ${report.cloud.prompts} cloud (${cloud.id}), threshold ${report.thresholdBits.toFixed(2)} bits`);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown(report, vscode.workspace.asRelativePath(uri)) });
    await vscode.window.showTextDocument(document, { preview: false });
    return report;
  });
}
