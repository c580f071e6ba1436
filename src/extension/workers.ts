import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TokenCounts } from '../core/count/liveCounter';
import type { TokenizerId } from '../core/tokens/tokenizer';
import type { CancellationLike } from '../core/worker/cancellation';
import { WorkerClient } from '../core/worker/client';

/**
 * Two worker threads: one lane for interactive counting (status bar, panel), so a long
 * job on the other lane never delays the count the user is looking at.
 */
export class Workers implements vscode.Disposable {
  readonly interactive: WorkerClient;
  readonly heavy: WorkerClient;

  constructor(extensionUri: vscode.Uri) {
    const script = path.join(extensionUri.fsPath, 'dist', 'worker.js');
    this.interactive = new WorkerClient(script);
    this.heavy = new WorkerClient(script);
  }

  countTokens(text: string, tokenizers: TokenizerId[], cancellation?: CancellationLike): Promise<TokenCounts> {
    return this.interactive.run('countTokens', { text, tokenizers }, cancellation);
  }

  dispose(): void {
    this.interactive.dispose();
    this.heavy.dispose();
  }
}
