import * as vscode from 'vscode';
import type { CapsuleResult, CompressOptions } from '../../core/capsule';
import { PendingCapsules, type CapsuleActionRequest, type CapsuleTarget } from '../../core/capsule/pending';
import type { TokenizerId } from '../../core/tokens/tokenizer';
import type { ProbeReport } from '../../core/llm/probe';
import type { LlmCapsule, LlmService } from '../llm/llmService';
import type { LocalModelService } from '../local/localModelService';
import type { LocalRunInfo } from '../../core/onnx/service';
import type { CompressionBackend } from '../settings';
import type { Workers } from '../workers';

/** A capsule waiting for the user's Apply or Discard. */
export interface PendingCapsule {
  /** New for every capsule, also when the panel's slider re-makes one at another rate. */
  id: number;
  documentUri: vscode.Uri;
  documentKey: string;
  /** The document version the capsule was made from; Apply refuses any other. */
  documentVersion: number;
  range: vscode.Range;
  scope: 'selection' | 'document';
  fileName: string;
  original: string;
  rate: number;
  tokenizer: TokenizerId;
  backend: CompressionBackend;
  result: CapsuleResult;
  /** The LLM backend's candidates, choice, fallback and usage (backend 'llm'). */
  llm?: LlmCapsule;
  /** Which sub-model of the local model made it, where, and why (backend 'onnx'). */
  local?: LocalRunInfo;
  /** The probe check's result, once run. */
  probe?: ProbeReport;
}

export interface CapsuleSource {
  document: vscode.TextDocument;
  range: vscode.Range;
  scope: 'selection' | 'document';
  fileName: string;
}

export type ApplyOutcome = { applied: true; capsule: PendingCapsule } | { applied: false; reason: string };

/** What changed: capsules that stopped being pending, and the one that became pending. */
export interface CapsuleChange {
  added?: PendingCapsule;
  ended: number[];
}

// Past this the compressor still works, but the diff editor and panel would struggle.
export const MAX_COMPRESS_CHARACTERS = 5_000_000;

/**
 * Owns the pending capsules, one per document: makes them (in the worker), re-makes one at
 * another rate, applies one as a single edit, or discards it. Every action names the
 * capsule it acts on (see core/capsule/pending.ts for the rule).
 */
export class CapsuleService implements vscode.Disposable {
  private readonly capsules = new PendingCapsules<PendingCapsule>();
  private readonly endWaiters = new Map<number, Array<() => void>>();
  private latest: PendingCapsule | undefined;
  private readonly changed = new vscode.EventEmitter<CapsuleChange>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly workers: Workers,
    private readonly llm: LlmService,
    private readonly local: LocalModelService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Runs one backend on the text; the LLM backend falls back to the built-in one in the worker. */
  private async run(backend: CompressionBackend, text: string, options: CompressOptions, token?: vscode.CancellationToken): Promise<Pick<PendingCapsule, 'result' | 'llm' | 'local'>> {
    const builtin = (t: string, o: CompressOptions) => this.workers.heavy.run('compress', { text: t, options: o }, token);
    if (backend === 'builtin') return { result: await builtin(text, options) };
    if (backend === 'onnx') {
      const { local, ...result } = await this.local.compress(text, options, token);
      return { result, local };
    }
    const llm = await this.llm.compress(text, options, token);
    return { result: { capsule: llm.capsule, report: llm.report }, llm };
  }

  /** The most recently made capsule that is still pending. */
  get current(): PendingCapsule | undefined {
    return this.latest && this.capsules.byId(this.latest.id) ? this.latest : this.capsules.all.at(-1);
  }

  get all(): PendingCapsule[] {
    return this.capsules.all;
  }

  byId(id: number): PendingCapsule | undefined {
    return this.capsules.byId(id);
  }

  forDocument(uri: string): PendingCapsule | undefined {
    return this.capsules.forDocument(uri);
  }

  resolve(request: CapsuleActionRequest): CapsuleTarget<PendingCapsule> {
    return this.capsules.resolve(request);
  }

  /** Resolves once the capsule is applied, discarded or replaced (at once if it is not pending). */
  whenEnded(id: number): Promise<void> {
    if (!this.capsules.byId(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.endWaiters.get(id) ?? [];
      list.push(resolve);
      this.endWaiters.set(id, list);
    });
  }

  async compress(source: CapsuleSource, rate: number, tokenizer: TokenizerId, token?: vscode.CancellationToken, backend: CompressionBackend = 'builtin'): Promise<PendingCapsule> {
    const original = source.document.getText(source.range);
    const documentVersion = source.document.version;
    const started = Date.now();
    const { result, llm, local } = await this.run(backend, original, { rate, tokenizer }, token);
    this.log.info(
      `compress ${source.fileName} (${source.scope}, ${backend}) at rate ${rate}: ${result.report.originalTokens} -> ${result.report.capsuleTokens} tokens in ${Date.now() - started} ms`,
    );
    return this.add({
      id: this.capsules.allocateId(),
      documentUri: source.document.uri,
      documentKey: source.document.uri.toString(),
      documentVersion,
      range: source.range,
      scope: source.scope,
      fileName: source.fileName,
      original,
      rate,
      tokenizer,
      backend,
      result,
      ...(llm ? { llm } : {}),
      ...(local ? { local } : {}),
    });
  }

  /**
   * The same source at another rate (the panel's slider), from the text captured at first.
   * The result is a new capsule that replaces `id`; undefined when `id` ended meanwhile.
   */
  async recompress(id: number, rate: number, token?: vscode.CancellationToken): Promise<PendingCapsule | undefined> {
    const base = this.capsules.byId(id);
    if (!base) return undefined;
    const { result, llm, local } = await this.run(base.backend, base.original, { rate, tokenizer: base.tokenizer }, token);
    if (!this.capsules.byId(id)) return undefined; // applied, discarded or replaced meanwhile
    const { llm: _previous, local: _previousLocal, probe: _probe, ...rest } = base;
    return this.add({ ...rest, id: this.capsules.allocateId(), rate, result, ...(llm ? { llm } : {}), ...(local ? { local } : {}) });
  }

  /** Is the document still exactly as it was when the capsule was made? */
  isStale(pending: PendingCapsule): boolean {
    // Called on every panel update: the version check is O(1).
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === pending.documentKey);
    return !document || document.version !== pending.documentVersion;
  }

  /**
   * What Apply needs: the version and the text itself. A closed and reopened document
   * starts again at version 1, so an equal version alone proves nothing.
   */
  private changedSince(pending: PendingCapsule): boolean {
    if (this.isStale(pending)) return true;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === pending.documentKey)!;
    return document.getText(pending.range) !== pending.original;
  }

  /**
   * Replaces exactly the capsule's original range in one edit (so one undo restores it).
   * Refuses a capsule that is no longer pending, or whose document changed since.
   */
  async apply(id: number): Promise<ApplyOutcome> {
    const target = this.capsules.resolve({ capsuleId: id });
    if (target.kind !== 'capsule') return { applied: false, reason: target.kind === 'ended' || target.kind === 'none' ? target.message : 'Choose a capsule.' };
    const pending = target.capsule;
    if (this.changedSince(pending)) {
      return { applied: false, reason: `${pending.fileName} changed after the capsule was made. Compress again to get a capsule of the current text.` };
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.documentUri, pending.range, pending.result.capsule);
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) return { applied: false, reason: `VS Code refused the edit to ${pending.fileName}; the document is unchanged.` };
    this.log.info(`applied capsule #${pending.id} to ${pending.fileName}`);
    this.end(pending.id, 'applied');
    return { applied: true, capsule: pending };
  }

  /** Attaches a probe check to a pending capsule (the card shows it). */
  setProbe(id: number, probe: ProbeReport): boolean {
    const capsule = this.capsules.byId(id);
    if (!capsule) return false;
    capsule.probe = probe;
    this.changed.fire({ ended: [] });
    return true;
  }

  /** Drops a pending capsule; false (and nothing changes) when it was not pending. */
  discard(id: number): boolean {
    const ended = this.end(id, 'discarded');
    if (ended) this.log.info(`discarded capsule #${id}`);
    return ended;
  }

  private add(capsule: PendingCapsule): PendingCapsule {
    const replaced = this.capsules.add(capsule);
    this.latest = capsule;
    if (replaced) this.release(replaced.id);
    this.changed.fire({ added: capsule, ended: replaced ? [replaced.id] : [] });
    return capsule;
  }

  private end(id: number, fate: 'applied' | 'discarded'): boolean {
    if (!this.capsules.end(id, fate)) return false;
    this.release(id);
    this.changed.fire({ ended: [id] });
    return true;
  }

  private release(id: number): void {
    for (const resolve of this.endWaiters.get(id) ?? []) resolve();
    this.endWaiters.delete(id);
  }

  dispose(): void {
    for (const id of [...this.endWaiters.keys()]) this.release(id);
    this.changed.dispose();
  }
}
