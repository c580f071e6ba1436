import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelEntry } from '../../core/catalog/types';
import { capsuleSavings, describeSavings, type Savings } from '../../core/cost/savings';
import { formatCount, formatPercent, formatUsd } from '../../core/format/numbers';
import type { CapsuleActionRequest } from '../../core/capsule/pending';
import { estimateProbeCost } from '../../core/llm/probe';
import { binaryInputMessage, detectBinary } from '../../core/text/binary';
import { CancelledError } from '../../core/worker/cancellation';
import type { CatalogService } from '../catalogService';
import { CommandIds } from '../commandIds';
import { EndpointError } from '../../core/llm/errors';
import type { LocalModelService } from '../local/localModelService';
import { isLocalModelError, showLocalModelError } from '../local/localModelCommands';
import { LlmNotConfiguredError, type LlmService } from '../llm/llmService';
import { readCompressionSettings, SettingKeys, updateSetting, type CompressionBackend, type CompressionSettings } from '../settings';
import { MAX_COMPRESS_CHARACTERS, type CapsuleService, type CapsuleSource, type PendingCapsule } from './capsuleService';
import { PREVIEW_SCHEME, PreviewContentProvider } from './previewContent';

export const CAPSULE_PENDING_CONTEXT = 'promptCapsule.capsulePending';

/** Savings of a pending capsule for the active model. */
export function savingsFor(pending: PendingCapsule, model: ModelEntry): Savings {
  const report = pending.result.report;
  return capsuleSavings({ originalTokens: report.originalTokens, capsuleTokens: report.capsuleTokens, tokenizer: pending.tokenizer }, model);
}

interface CompressionChoice {
  rate: number;
  backend: CompressionBackend;
}

/**
 * The rate, and the compressor under a separator: picking a compressor switches the
 * setting and shows the rates again (the current one is checked).
 */
async function pickCompression(settings: CompressionSettings, llmLabel: string | undefined, localLabel: string): Promise<CompressionChoice | undefined> {
  if (!settings.askForRate) return { rate: settings.rate, backend: settings.backend };
  let backend = settings.backend;
  type Item = vscode.QuickPickItem & { rate?: number; backend?: CompressionBackend };
  for (;;) {
    const presets = [0.7, 0.5, 0.33, 0.25].filter((r) => Math.abs(r - settings.rate) > 1e-9);
    const mark = (b: CompressionBackend) => (b === backend ? '$(check) ' : '');
    const items: Item[] = [
      { label: `Keep ${formatPercent(settings.rate)} of the tokens`, description: 'setting promptCapsule.compression.rate', rate: settings.rate },
      ...presets.map((rate) => ({ label: `Keep ${formatPercent(rate)} of the tokens`, rate })),
      { label: 'Other rate…', description: 'a fraction between 0.05 and 1' },
      { label: 'Compressor', kind: vscode.QuickPickItemKind.Separator },
      { label: `${mark('builtin')}Built-in`, description: 'no model, offline, deterministic', backend: 'builtin' },
      { label: `${mark('onnx')}Local model`, description: `${localLabel}: scores words in context, offline`, backend: 'onnx' },
      { label: `${mark('llm')}LLM`, description: llmLabel ?? 'not set up: pick to open its settings', backend: 'llm' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `Compress: how much of the prompt to keep? (${backend === 'llm' ? `LLM: ${llmLabel ?? 'not set up'}` : backend === 'onnx' ? `local model: ${localLabel}` : 'built-in compressor'})`,
      placeHolder: 'Rate = fraction of tokens kept (as in LLMLingua)',
    });
    if (!picked) return undefined;
    if (picked.backend) {
      if (picked.backend === 'llm' && !llmLabel) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'promptCapsule.llm');
        return undefined;
      }
      backend = picked.backend;
      await updateSetting(SettingKeys.compressionBackend, backend);
      continue;
    }
    if (picked.rate !== undefined) return { rate: picked.rate, backend };
    const typed = await vscode.window.showInputBox({
      title: 'Compress: rate',
      prompt: 'Fraction of tokens to keep, e.g. 0.4',
      value: String(settings.rate),
      validateInput: (v) => {
        const n = Number(v);
        return v.trim() !== '' && Number.isFinite(n) && n >= 0.05 && n <= 1 ? undefined : 'Enter a number between 0.05 and 1';
      },
    });
    return typed === undefined ? undefined : { rate: Number(typed), backend };
  }
}

function fileNameOf(document: vscode.TextDocument): string {
  return document.isUntitled ? document.uri.path : path.basename(document.uri.fsPath || document.uri.path);
}

/** Closes the diff tabs of the given capsules (all capsules' when `ids` is undefined). */
async function closePreviewTabs(ids?: readonly number[]): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => {
      if (!(t.input instanceof vscode.TabInputTextDiff) || t.input.modified.scheme !== PREVIEW_SCHEME) return false;
      const id = PreviewContentProvider.capsuleIdOf(t.input.modified);
      return ids === undefined || (id !== undefined && ids.includes(id));
    });
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

export interface CompressDeps {
  capsules: CapsuleService;
  catalog: CatalogService;
  preview: PreviewContentProvider;
  log: vscode.LogOutputChannel;
  llm: LlmService;
  local: LocalModelService;
}

/**
 * Why this text cannot be compressed (empty, binary, too long), or undefined. Checked
 * before anything is asked of the user.
 */
export function compressRefusal(text: string, fileName: string): { message: string; level: 'info' | 'warning' } | undefined {
  if (text.trim().length === 0) return { level: 'info', message: `Prompt Capsule: ${fileName} has nothing to compress here; type or paste a prompt first.` };
  if (text.length > MAX_COMPRESS_CHARACTERS) {
    return {
      level: 'warning',
      message: `Prompt Capsule: the text has ${formatCount(text.length)} characters; compression works on up to ${formatCount(MAX_COMPRESS_CHARACTERS)}. Select a part of it.`,
    };
  }
  const verdict = detectBinary(text);
  if (verdict.binary) return { level: 'warning', message: `Prompt Capsule: ${binaryInputMessage(fileName, verdict)}` };
  return undefined;
}

function showRefusal(refusal: { message: string; level: 'info' | 'warning' }): void {
  if (refusal.level === 'info') void vscode.window.showInformationMessage(refusal.message);
  else void vscode.window.showWarningMessage(refusal.message);
}

/**
 * Runs a compression with progress and cancellation, then opens the diff preview. The
 * caller has refused text that cannot be compressed (compressRefusal) before asking for
 * the rate.
 */
async function compressAndPreview(deps: CompressDeps, source: CapsuleSource, rate: number, backend: CompressionBackend): Promise<PendingCapsule | undefined> {
  const model = deps.catalog.activeModel();
  let pending: PendingCapsule;
  try {
    pending = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Compressing ${source.fileName} to ${formatPercent(rate)}${backend === 'llm' ? ` with ${deps.llm.describe() ?? 'the LLM backend'}` : backend === 'onnx' ? ` with the ${deps.local.describe()}` : ''}…`,
        cancellable: true,
      },
      (_progress, token) => deps.capsules.compress(source, rate, model.tokenizer, token, backend),
    );
  } catch (error) {
    // (An EndpointError of kind 'cancelled' is named 'AbortError'.)
    if (error instanceof CancelledError || (error as Error).name === 'AbortError') {
      void vscode.window.showInformationMessage('Prompt Capsule: compression cancelled; nothing changed.');
      return undefined;
    }
    if (error instanceof LlmNotConfiguredError || error instanceof EndpointError) {
      showLlmError(error);
      return undefined;
    }
    if (isLocalModelError(error)) {
      deps.log.warn(`local model: ${error.message}`);
      showLocalModelError(error);
      return undefined;
    }
    deps.log.error(`compression failed: ${(error as Error).stack ?? error}`);
    void vscode.window.showErrorMessage(`Prompt Capsule: compression failed: ${(error as Error).message}`, 'Show Log').then((c) => c && deps.log.show());
    return undefined;
  }
  // The notification does not wait for the diff: on a large document VS Code's diff
  // computation alone can take seconds.
  const opened = openPreview(deps, pending);
  showCapsuleReady(deps, pending, model);
  await opened;
  return pending;
}

/** An LLM backend failure, with the action that fixes it. */
export function showLlmError(error: LlmNotConfiguredError | EndpointError): void {
  const openSettings = 'Open Settings';
  const actions: string[] =
    error instanceof LlmNotConfiguredError
      ? [openSettings, 'Use Local Model Server']
      : error.kind === 'auth' || error.kind === 'forbidden'
        ? ['Set API Key', openSettings]
        : error.kind === 'connection' || error.kind === 'not-found' || error.kind === 'timeout'
          ? [openSettings, 'Use Local Model Server']
          : [openSettings];
  void vscode.window.showErrorMessage(`Prompt Capsule: ${error.message} Nothing changed.`, ...actions).then((choice) => {
    if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'promptCapsule.llm');
    if (choice === 'Set API Key') void vscode.commands.executeCommand(CommandIds.setApiKey);
    if (choice === 'Use Local Model Server') void vscode.commands.executeCommand(CommandIds.useLocalModelServer);
  });
}

/** "gpt-4o-mini, candidate 2 of 3" or "built-in fallback: ..." for an LLM capsule. */
export function describeLlmChoice(pending: PendingCapsule): string {
  if (pending.local) return ` Local model depth ${pending.local.depth}/${pending.local.maxDepth} ${pending.local.precision} on ${pending.local.provider}.`;
  const llm = pending.llm;
  if (!llm) return '';
  if (llm.fallback) return ` Built-in capsule used: ${llm.fallbackReason}.`;
  return ` ${llm.model}, candidate ${llm.chosen! + 1} of ${llm.candidates.length}${llm.cached ? ', from the cache' : ''}.`;
}

/** A command link for a notification message: `[label](command:id?[args])`. */
function commandLink(label: string, command: string, args: unknown[]): string {
  return `[${label}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}

/**
 * "Capsule ready" with Apply and Discard for exactly this capsule. VS Code has no API to
 * close a message notification, so this is a progress notification (which closes when its
 * task ends) whose task ends when the capsule is applied, discarded or replaced: an
 * outdated notification never stays up offering to act on a capsule that is gone.
 */
function showCapsuleReady(deps: CompressDeps, pending: PendingCapsule, model: ModelEntry): void {
  const report = pending.result.report;
  const savings = describeSavings(savingsFor(pending, model));
  const budget = (report.withinBudget ? '' : ` Target not reached: ${report.budgetNote ?? 'protected content exceeds it'}.`) + describeLlmChoice(pending);
  const actions = `${commandLink('Apply', CommandIds.applyCapsule, [pending.id])} · ${commandLink('Discard', CommandIds.discardCapsule, [pending.id])}`;
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Capsule ready', cancellable: false }, (progress) => {
    // A full bar: the work is done, the notification waits for the user's choice.
    progress.report({ increment: 100, message: `${pending.fileName}: ${savings}.${budget} ${actions}` });
    return deps.capsules.whenEnded(pending.id);
  });
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
  const sourceEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === pending.documentKey);
  await vscode.commands.executeCommand('vscode.diff', uris.original, uris.capsule, `${pending.fileName}: original ↔ capsule (${formatCount(r.originalTokens)} → ${formatCount(r.capsuleTokens)} tokens)`, {
    preview: true,
    viewColumn: sourceEditor?.viewColumn ?? vscode.ViewColumn.Active,
  });
}

/**
 * What an Apply/Discard invocation names: a capsule id (notification links, the panel),
 * a preview URI (the diff title's actions pass their editor's resource), or nothing (the
 * palette: then the active editor decides).
 */
function actionRequest(arg: unknown): CapsuleActionRequest {
  if (typeof arg === 'number') return { capsuleId: arg };
  if (arg instanceof vscode.Uri) {
    const id = PreviewContentProvider.capsuleIdOf(arg);
    if (id !== undefined) return { capsuleId: id };
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (!active) return {};
  const previewId = PreviewContentProvider.capsuleIdOf(active);
  return previewId !== undefined ? { capsuleId: previewId } : { activeDocumentKey: active.toString() };
}

/** The capsule an action acts on, asking when several are pending; undefined after a message. */
async function targetCapsule(deps: CompressDeps, arg: unknown, verb: 'apply' | 'discard' | 'check'): Promise<PendingCapsule | undefined> {
  const target = deps.capsules.resolve(actionRequest(arg));
  switch (target.kind) {
    case 'capsule':
      return target.capsule;
    case 'ended':
    case 'none':
      void vscode.window.showInformationMessage(`Prompt Capsule: ${target.message}`);
      return undefined;
    case 'choose': {
      const picked = await vscode.window.showQuickPick(
        target.candidates.map((capsule) => ({
          label: capsule.fileName,
          description: `${formatCount(capsule.result.report.originalTokens)} → ${formatCount(capsule.result.report.capsuleTokens)} tokens`,
          detail: capsule.scope === 'selection' ? `selection, lines ${capsule.range.start.line + 1}–${capsule.range.end.line + 1}` : 'whole document',
          capsule,
        })),
        { title: `Prompt Capsule: ${verb} which capsule?`, placeHolder: 'Several capsules are pending, one per document' },
      );
      return picked?.capsule;
    }
  }
}

const PROBE_QUESTIONS = 3;

/**
 * The probe check of a capsule: the same questions to the LLM endpoint's model with the
 * original and with the capsule as the system prompt; its cost is shown before it runs.
 */
async function probeCapsule(deps: CompressDeps, capsule: PendingCapsule): Promise<void> {
  const settings = deps.llm.settings();
  if (settings.problems.length > 0) {
    showLlmError(new LlmNotConfiguredError(settings.problems));
    return;
  }
  const typed = await vscode.window.showInputBox({
    title: `Prompt Capsule: probe questions for ${capsule.fileName}`,
    prompt: `Questions a user would ask, separated by " | ". Leave empty to let ${settings.model} write ${PROBE_QUESTIONS}.`,
    ignoreFocusOut: true,
  });
  if (typed === undefined) return;
  const questions = typed.split('|').map((q) => q.trim()).filter(Boolean);
  const count = questions.length || PROBE_QUESTIONS;
  const report = capsule.result.report;
  const estimate = estimateProbeCost(report.originalTokens, report.capsuleTokens, count, questions.length === 0, deps.catalog.current.get(settings.model));
  const run = 'Run Check';
  const cost = estimate.usd === null ? `${settings.model} has no catalog price` : `about ${formatUsd(estimate.usd)}`;
  const go = await vscode.window.showInformationMessage(
    `Ask ${settings.model} ${count} question${count === 1 ? '' : 's'} with the original and with the capsule? At most about ${formatCount(estimate.tokens)} tokens (${cost}).`,
    { modal: true },
    run,
  );
  if (go !== run) return;
  try {
    const probe = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking the capsule of ${capsule.fileName} with ${count} probe questions…`, cancellable: true },
      (_progress, token) => deps.llm.probe(capsule.original, capsule.result.capsule, questions, count, token),
    );
    if (!deps.capsules.setProbe(capsule.id, probe)) {
      void vscode.window.showInformationMessage(
        `Prompt Capsule: the checked capsule of ${capsule.fileName} is no longer pending; its probe check: ${probe.answers.filter((a) => a.agree).length} of ${probe.answers.length} answers agreed.`,
      );
      return;
    }
    const agreeing = probe.answers.filter((a) => a.agree).length;
    void vscode.window.showInformationMessage(
      `Prompt Capsule: ${agreeing} of ${probe.answers.length} answers agree between the original and the capsule of ${capsule.fileName} (${probe.measure === 'embeddings' ? 'embedding similarity' : 'word overlap'}).`,
    );
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    if (error instanceof LlmNotConfiguredError || error instanceof EndpointError) showLlmError(error);
    else throw error;
  }
}

export function registerCompressCommands(deps: CompressDeps): vscode.Disposable[] {
  const compressFrom = async (whole: boolean) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      // A file VS Code shows as binary has a tab but no text editor: say so, not "open it".
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
      const message = uri
        ? `Prompt Capsule: ${path.basename(uri.path)} is not open as text (VS Code shows it as a binary file); Prompt Capsule works on text prompts only.`
        : 'Prompt Capsule: open the prompt in an editor first.';
      void vscode.window.showInformationMessage(message);
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
    const fileName = fileNameOf(document);
    // Refuse empty, huge or binary text before asking for a rate.
    const refusal = compressRefusal(document.getText(range), fileName);
    if (refusal) {
      showRefusal(refusal);
      return;
    }
    const choice = await pickCompression(readCompressionSettings(), deps.llm.describe(), deps.local.describe());
    if (!choice) return;
    await compressAndPreview(deps, { document, range, scope: whole ? 'document' : 'selection', fileName }, choice.rate, choice.backend);
  };

  return [
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, deps.preview),
    deps.capsules.onDidChange((change) => {
      void vscode.commands.executeCommand('setContext', CAPSULE_PENDING_CONTEXT, deps.capsules.all.length > 0);
      // A capsule that is no longer pending takes its diff with it.
      if (change.ended.length === 0) return;
      void closePreviewTabs(change.ended).then(() => change.ended.forEach((id) => deps.preview.forget(id)));
    }),
    vscode.commands.registerCommand(CommandIds.compressSelection, () => compressFrom(false)),
    vscode.commands.registerCommand(CommandIds.compressFile, () => compressFrom(true)),
    vscode.commands.registerCommand(CommandIds.applyCapsule, async (arg?: unknown) => {
      const capsule = await targetCapsule(deps, arg, 'apply');
      if (!capsule) return;
      const outcome = await deps.capsules.apply(capsule.id);
      if (!outcome.applied) {
        void vscode.window.showWarningMessage(`Prompt Capsule: ${outcome.reason}`);
        return;
      }
      await closePreviewTabs([capsule.id]);
      const editor = await vscode.window.showTextDocument(capsule.documentUri, { preserveFocus: false });
      const start = capsule.range.start;
      const end = editor.document.positionAt(editor.document.offsetAt(start) + capsule.result.capsule.length);
      editor.selection = new vscode.Selection(start, end);
      void vscode.window.showInformationMessage(`Capsule applied to ${capsule.fileName}. Undo (Ctrl+Z) restores the original.`);
    }),
    vscode.commands.registerCommand(CommandIds.probeCapsule, async (arg?: unknown) => {
      const capsule = await targetCapsule(deps, arg, 'check');
      if (capsule) await probeCapsule(deps, capsule);
    }),
    vscode.commands.registerCommand(CommandIds.discardCapsule, async (arg?: unknown) => {
      const capsule = await targetCapsule(deps, arg, 'discard');
      if (capsule && deps.capsules.discard(capsule.id)) await closePreviewTabs([capsule.id]);
    }),
  ];
}
