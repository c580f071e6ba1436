import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'prompt-capsule-preview';

/**
 * Read-only documents for the diff preview: `prompt-capsule-preview:/<id>/original/<name>`
 * and `.../capsule/<name>`. Changing the rate re-fires the capsule side, so an open diff
 * updates in place.
 */
export class PreviewContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  static uris(id: number, fileName: string): { original: vscode.Uri; capsule: vscode.Uri } {
    const safe = encodeURIComponent(fileName);
    return {
      original: vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${id}/original/${safe}` }),
      capsule: vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${id}/capsule/${safe}` }),
    };
  }

  set(uri: vscode.Uri, content: string): void {
    const key = uri.toString();
    const had = this.contents.has(key);
    this.contents.set(key, content);
    if (had) this.changed.fire(uri);
  }

  clear(): void {
    this.contents.clear();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}
