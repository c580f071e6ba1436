import * as vscode from 'vscode';
import { formatPercent } from '../../core/format/numbers';
import type { Precision } from '../../core/onnx/manifest';
import { CommandIds } from '../commandIds';
import { SettingKeys, updateSetting } from '../settings';
import { LocalModelNotAllowedError, type LocalModelService } from './localModelService';

/** Errors of the local backend that the user can act on (others are logged as failures). */
export function isLocalModelError(error: unknown): error is Error {
  const name = (error as Error | undefined)?.name;
  return name === 'ModelPackageError' || name === 'ProviderUnavailableError' || name === 'LocalRequestError' || error instanceof LocalModelNotAllowedError;
}

/** A local model that cannot run, with the action that fixes it; the built-in backend still works. */
export function showLocalModelError(error: Error): void {
  const openSettings = 'Open Settings';
  const useBuiltin = 'Use Built-in';
  const useCpu = 'Use the CPU';
  const choose = 'Choose Local Sub-Model';
  const what = error.name === 'ModelPackageError' ? `the local model package cannot be used: ${error.message}` : error.message;
  const actions = error.name === 'ProviderUnavailableError' ? [useCpu, openSettings] : error.name === 'LocalRequestError' ? [choose, openSettings] : [openSettings, useBuiltin];
  void vscode.window.showErrorMessage(`Prompt Capsule: ${what.replace(/\.+$/, '')}. Nothing changed.`, ...actions).then((choice) => {
    if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'promptCapsule.localModel');
    if (choice === useBuiltin) void updateSetting(SettingKeys.compressionBackend, 'builtin');
    if (choice === useCpu) void updateSetting(SettingKeys.localModelProvider, 'cpu');
    if (choice === choose) void vscode.commands.executeCommand(CommandIds.chooseLocalSubModel);
  });
}

type SubModelItem = vscode.QuickPickItem & { depth?: number; precision?: Precision; action?: 'auto' | 'recalibrate' };

/**
 * "Capsule: Choose Local Sub-Model": every depth x precision with its measured time per 1k
 * tokens on this machine and its quality, plus "let the selector choose"; timing runs
 * first if this machine has no calibration (seconds).
 */
async function chooseSubModel(local: LocalModelService, log: vscode.LogOutputChannel, recalibrate = false): Promise<void> {
  let info;
  try {
    info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Timing each depth of the ${local.describe()} on this machine…`, cancellable: true },
      (progress, token) => local.info({ calibrate: true, recalibrate }, token, (done, total) => progress.report({ message: `${done} of ${total} variants`, increment: 100 / total })),
    );
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    if (isLocalModelError(error)) return showLocalModelError(error as Error);
    log.error(`local model calibration failed: ${(error as Error).stack ?? error}`);
    void vscode.window.showErrorMessage(`Prompt Capsule: timing the local model failed: ${(error as Error).message}`);
    return;
  }
  const settings = local.settings();
  const current = (depth: number, precision: Precision) => settings.depth === depth && settings.precision === precision;
  const items: SubModelItem[] = [
    {
      label: `${settings.depth === 0 ? '$(check) ' : ''}Automatic`,
      description: settings.qualityFloor > 0 ? `fastest with quality >= ${formatPercent(settings.qualityFloor)}` : `deepest within ${settings.latencyBudgetMs} ms (promptCapsule.localModel.latencyBudgetMs)`,
      action: 'auto',
    },
    { label: 'Variants', kind: vscode.QuickPickItemKind.Separator },
  ];
  for (const d of info.depths) {
    for (const precision of info.precisions) {
      const ms = d.msPer1kTokens[precision];
      const quality = d.quality[precision];
      items.push({
        label: `${current(d.depth, precision) ? '$(check) ' : ''}Depth ${d.depth} of ${info.depths.length}, ${precision}`,
        description: [ms !== undefined ? `${ms.toFixed(1)} ms per 1k tokens` : 'not timed', quality !== undefined ? `quality ${formatPercent(quality)}` : 'quality not measured'].join(' · '),
        depth: d.depth,
        precision,
      });
    }
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(sync) Time every variant again', description: info.calibration ? `last timed ${info.calibration.measuredAt.slice(0, 16).replace('T', ' ')} on ${info.provider}` : '', action: 'recalibrate' });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Local sub-model: ${info.manifest.id} on ${info.provider}`,
    placeHolder: 'Shallower depths run fewer layers of the same model: faster, less accurate',
  });
  if (!picked) return;
  if (picked.action === 'recalibrate') return chooseSubModel(local, log, true);
  if (picked.action === 'auto') {
    await updateSetting(SettingKeys.localModelDepth, 0);
    await updateSetting(SettingKeys.localModelPrecision, 'auto');
    void vscode.window.showInformationMessage('Prompt Capsule: the selector picks the local sub-model for each prompt.');
    return;
  }
  await updateSetting(SettingKeys.localModelDepth, picked.depth);
  await updateSetting(SettingKeys.localModelPrecision, picked.precision);
  void vscode.window.showInformationMessage(`Prompt Capsule: the local model runs at depth ${picked.depth} of ${info.depths.length}, ${picked.precision}, until you choose Automatic.`);
}

export function registerLocalModelCommands(local: LocalModelService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [vscode.commands.registerCommand(CommandIds.chooseLocalSubModel, () => chooseSubModel(local, log))];
}
