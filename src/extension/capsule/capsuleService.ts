import * as vscode from 'vscode';
import type { CapsuleResult } from '../../core/capsule';
import type { TokenizerId } from '../../core/tokens/tokenizer';
import type { Workers } from '../workers';

/** A capsule waiting for the user's Apply or Discard. */
export interface PendingCapsule {
  id: number;
  documentUri: vscode.Uri;
  /** The document version the capsule was made from; Apply refuses any other. */
  documentVersion: number;
  range: vscode.Range;
  scope: 'selection' | 'document';
  fileName: string;
  original: string;
  rate: number;
  tokenizer: TokenizerId;
  result: CapsuleResult;
}

export interface CapsuleSource {
  document: vscode.TextDocument;
  range: vscode.Range;
  scope: 'selection' | 'document';
  fileName: string;
}

export type ApplyOutcome = { applied: true } | { applied: false; reason: string };

// Past this the compressor still works, but the diff editor and panel would struggle.
export const MAX_COMPRESS_CHARACTERS = 5_000_000;

/**
 * Owns the one pending capsule: makes it (in the worker), re-makes it at another rate,
 * applies it as a single edit, or discards it. The diff preview and the panel's Capsule
 * card both show this state.
 */
export class CapsuleService implements vscode.Disposable {
  private pending: PendingCapsule | undefined;
  private nextId = 1;
  private readonly changed = new vscode.EventEmitter<PendingCapsule | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly workers: Workers,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get current(): PendingCapsule | undefined {
    return this.pending;
  }

  async compress(source: CapsuleSource, rate: number, tokenizer: TokenizerId, token?: vscode.CancellationToken): Promise<PendingCapsule> {
    const original = source.document.getText(source.range);
    const documentVersion = source.document.version;
    const started = Date.now();
    const result = await this.workers.heavy.run('compress', { text: original, options: { rate, tokenizer } }, token);
    this.log.info(
      `compress ${source.fileName} (${source.scope}) at rate ${rate}: ${result.report.originalTokens} -> ${result.report.capsuleTokens} tokens in ${Date.now() - started} ms`,
    );
    const pending: PendingCapsule = {
      id: this.pending?.documentUri.toString() === source.document.uri.toString() && this.pending.range.isEqual(source.range) ? this.pending.id : this.nextId++,
      documentUri: source.document.uri,
      documentVersion,
      range: source.range,
      scope: source.scope,
      fileName: source.fileName,
      original,
      rate,
      tokenizer,
      result,
    };
    this.pending = pending;
    this.changed.fire(pending);
    return pending;
  }

  /** Same source, another rate (the panel's slider). Uses the text captured at first. */
  async recompress(rate: number, token?: vscode.CancellationToken): Promise<PendingCapsule | undefined> {
    const base = this.pending;
    if (!base) return undefined;
    const result = await this.workers.heavy.run('compress', { text: base.original, options: { rate, tokenizer: base.tokenizer } }, token);
    if (this.pending !== base) return this.pending; // applied or replaced meanwhile
    this.pending = { ...base, rate, result };
    this.changed.fire(this.pending);
    return this.pending;
  }

  /** Is the document still exactly as it was when the capsule was made? */
  isStale(pending: PendingCapsule): boolean {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === pending.documentUri.toString());
    return !document || document.version !== pending.documentVersion;
  }

  /**
   * Replaces exactly the original range in one edit (so one undo restores it). Refuses
   * if the document changed since the capsule was made, rather than guess.
   */
  async apply(): Promise<ApplyOutcome> {
    const pending = this.pending;
    if (!pending) return { applied: false, reason: 'There is no capsule to apply.' };
    if (this.isStale(pending)) {
      return { applied: false, reason: `${pending.fileName} changed after the capsule was made. Compress again to get a capsule of the current text.` };
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.documentUri, pending.range, pending.result.capsule);
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) return { applied: false, reason: `VS Code refused the edit to ${pending.fileName}; the document is unchanged.` };
    this.log.info(`applied capsule to ${pending.fileName}`);
    this.pending = undefined;
    this.changed.fire(undefined);
    return { applied: true };
  }

  discard(): void {
    if (!this.pending) return;
    this.pending = undefined;
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
