import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelEntry } from '../../core/catalog/types';
import { capsuleSavings, describeSavings, type Savings } from '../../core/cost/savings';
import { formatCount, formatPercent } from '../../core/format/numbers';
import { CancelledError } from '../../core/worker/cancellation';
import type { CatalogService } from '../catalogService';
import { CommandIds } from '../commandIds';
import { readCompressionSettings } from '../settings';
import { MAX_COMPRESS_CHARACTERS, type CapsuleService, type CapsuleSource, type PendingCapsule } from './capsuleService';
import { PREVIEW_SCHEME, PreviewContentProvider } from './previewContent';

export const CAPSULE_PENDING_CONTEXT = 'promptCapsule.capsulePending';

/** Savings of a pending capsule for the active model. */
export function savingsFor(pending: PendingCapsule, model: ModelEntry): Savings {
  const report = pending.result.report;
  return capsuleSavings({ originalTokens: report.originalTokens, capsuleTokens: report.capsuleTokens, tokenizer: pending.tokenizer }, model);
}

async function pickRate(defaultRate: number, ask: boolean): Promise<number | undefined> {
  if (!ask) return defaultRate;
  type Item = vscode.QuickPickItem & { rate?: number };
  const presets = [0.7, 0.5, 0.33, 0.25].filter((r) => Math.abs(r - defaultRate) > 1e-9);
  const items: Item[] = [
    { label: `Keep ${formatPercent(defaultRate)} of the tokens`, description: 'setting promptCapsule.compression.rate', rate: defaultRate },
    ...presets.map((rate) => ({ label: `Keep ${formatPercent(rate)} of the tokens`, rate })),
    { label: 'Other rate…', description: 'a fraction between 0.05 and 1' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Compress: how much of the prompt to keep?', placeHolder: 'Rate = fraction of tokens kept (as in LLMLingua)' });
  if (!picked) return undefined;
  if (picked.rate !== undefined) return picked.rate;
  const typed = await vscode.window.showInputBox({
    title: 'Compress: rate',
    prompt: 'Fraction of tokens to keep, e.g. 0.4',
    value: String(defaultRate),
    validateInput: (v) => {
      const n = Number(v);
      return v.trim() !== '' && Number.isFinite(n) && n >= 0.05 && n <= 1 ? undefined : 'Enter a number between 0.05 and 1';
    },
  });
  return typed === undefined ? undefined : Number(typed);
}

function fileNameOf(document: vscode.TextDocument): string {
  return document.isUntitled ? document.uri.path : path.basename(document.uri.fsPath || document.uri.path);
}

async function closePreviewTabs(): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PREVIEW_SCHEME);
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

export interface CompressDeps {
  capsules: CapsuleService;
  catalog: CatalogService;
  preview: PreviewContentProvider;
  log: vscode.LogOutputChannel;
}

/** Runs a compression with progress and cancellation, then opens the diff preview. */
export async function compressAndPreview(deps: CompressDeps, source: CapsuleSource, rate: number): Promise<PendingCapsule | undefined> {
  const model = deps.catalog.activeModel();
  const characters = source.document.offsetAt(source.range.end) - source.document.offsetAt(source.range.start);
  if (characters === 0) {
    void vscode.window.showInformationMessage('Prompt Capsule: there is nothing to compress here.');
    return undefined;
  }
  if (characters > MAX_COMPRESS_CHARACTERS) {
    void vscode.window.showWarningMessage(
      `Prompt Capsule: the text has ${formatCount(characters)} characters; compression works on up to ${formatCount(MAX_COMPRESS_CHARACTERS)}. Select a part of it.`,
    );
    return undefined;
  }
  let pending: PendingCapsule;
  try {
    pending = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Compressing ${source.fileName} to ${formatPercent(rate)}…`, cancellable: true },
      (_progress, token) => deps.capsules.compress(source, rate, model.tokenizer, token),
    );
  } catch (error) {
    if (error instanceof CancelledError || (error as Error).name === 'AbortError') {
      void vscode.window.showInformationMessage('Prompt Capsule: compression cancelled; nothing changed.');
      return undefined;
    }
    deps.log.error(`compression failed: ${(error as Error).stack ?? error}`);
    void vscode.window.showErrorMessage(`Prompt Capsule: compression failed: ${(error as Error).message}`, 'Show Log').then((c) => c && deps.log.show());
    return undefined;
  }
  await openPreview(deps, pending);
  const report = pending.result.report;
  const savings = describeSavings(savingsFor(pending, model));
  const budget = report.withinBudget ? '' : ` Target not reached: ${report.budgetNote ?? 'protected content exceeds it'}.`;
  void vscode.window.showInformationMessage(`Capsule ready: ${savings}.${budget}`, 'Apply', 'Discard').then((choice) => {
    if (choice === 'Apply') void vscode.commands.executeCommand(CommandIds.applyCapsule);
    if (choice === 'Discard') void vscode.commands.executeCommand(CommandIds.discardCapsule);
  });
  return pending;
}

/**
 * Opens the diff beside the prompt's editor: in its group when the prompt is visible,
 * so a compression started from the Budget Panel does not cover the panel.
 */
export async function openPreview(deps: CompressDeps, pending: PendingCapsule): Promise<void> {
  const uris = PreviewContentProvider.uris(pending.id, pending.fileName);
  deps.preview.set(uris.original, pending.original);
  deps.preview.set(uris.capsule, pending.result.capsule);
  const r = pending.result.report;
  const sourceEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === pending.documentUri.toString());
  await vscode.commands.executeCommand('vscode.diff', uris.original, uris.capsule, `${pending.fileName}: original ↔ capsule (${formatCount(r.originalTokens)} → ${formatCount(r.capsuleTokens)} tokens)`, {
    preview: true,
    viewColumn: sourceEditor?.viewColumn ?? vscode.ViewColumn.Active,
  });
}

export function registerCompressCommands(deps: CompressDeps): vscode.Disposable[] {
  const setPendingContext = (value: boolean) => void vscode.commands.executeCommand('setContext', CAPSULE_PENDING_CONTEXT, value);
  const compressFrom = async (editor: vscode.TextEditor | undefined, whole: boolean) => {
    if (!editor) {
      void vscode.window.showInformationMessage('Prompt Capsule: open the prompt in an editor first.');
      return;
    }
    const selection = editor.selection;
    if (!whole && selection.isEmpty) {
      void vscode.window.showInformationMessage('Prompt Capsule: select the prompt to compress, or run "Capsule: Compress File".', 'Compress File').then((c) => {
        if (c) void vscode.commands.executeCommand(CommandIds.compressFile);
      });
      return;
    }
    const document = editor.document;
    const range = whole ? new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)) : selection;
    const settings = readCompressionSettings();
    const rate = await pickRate(settings.rate, settings.askForRate);
    if (rate === undefined) return;
    await compressAndPreview(deps, { document, range, scope: whole ? 'document' : 'selection', fileName: fileNameOf(document) }, rate);
  };

  return [
    deps.capsules.onDidChange((pending) => setPendingContext(pending !== undefined)),
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, deps.preview),
    deps.capsules.onDidChange((pending) => {
      // Keep an open diff in step with the panel's rate slider.
      if (!pending) return;
      const uris = PreviewContentProvider.uris(pending.id, pending.fileName);
      deps.preview.set(uris.capsule, pending.result.capsule);
    }),
    vscode.commands.registerCommand(CommandIds.compressSelection, () => compressFrom(vscode.window.activeTextEditor, false)),
    vscode.commands.registerCommand(CommandIds.compressFile, () => compressFrom(vscode.window.activeTextEditor, true)),
    vscode.commands.registerCommand(CommandIds.applyCapsule, async () => {
      const pending = deps.capsules.current;
      const outcome = await deps.capsules.apply();
      if (!outcome.applied) {
        void vscode.window.showWarningMessage(`Prompt Capsule: ${outcome.reason}`);
        return;
      }
      await closePreviewTabs();
      deps.preview.clear();
      if (pending) {
        const editor = await vscode.window.showTextDocument(pending.documentUri, { preserveFocus: false });
        const start = pending.range.start;
        const end = editor.document.positionAt(editor.document.offsetAt(start) + pending.result.capsule.length);
        editor.selection = new vscode.Selection(start, end);
      }
      void vscode.window.showInformationMessage('Capsule applied. Undo (Ctrl+Z) restores the original.');
    }),
    vscode.commands.registerCommand(CommandIds.discardCapsule, async () => {
      deps.capsules.discard();
      await closePreviewTabs();
      deps.preview.clear();
    }),
  ];
}
