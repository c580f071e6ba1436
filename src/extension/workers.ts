import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TokenCounts } from '../core/count/liveCounter';
import type { TokenizerId } from '../core/tokens/tokenizer';
import type { CancellationLike } from '../core/worker/cancellation';
import { WorkerClient } from '../core/worker/client';

/**
 * Three worker threads, one per kind of work, so none waits behind another: counting
 * (status bar, panel) on `interactive`, compression the user asked for on `heavy`, and the
 * Serving card's background estimates on `simulation`.
 */
export class Workers implements vscode.Disposable {
  readonly interactive: WorkerClient;
  readonly heavy: WorkerClient;
  readonly simulation: WorkerClient;

  constructor(extensionUri: vscode.Uri) {
    const script = path.join(extensionUri.fsPath, 'dist', 'worker.js');
    this.interactive = new WorkerClient(script);
    this.heavy = new WorkerClient(script);
    this.simulation = new WorkerClient(script);
  }

  countTokens(text: string, tokenizers: TokenizerId[], cancellation?: CancellationLike): Promise<TokenCounts> {
    return this.interactive.run('countTokens', { text, tokenizers }, cancellation);
  }

  dispose(): void {
    this.interactive.dispose();
    this.heavy.dispose();
    this.simulation.dispose();
  }
}
