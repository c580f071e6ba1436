import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'prompt-capsule-preview';

/**
 * Read-only documents for the diff preview: `prompt-capsule-preview:/<id>/original/<name>`
 * and `.../capsule/<name>`, where <id> is the capsule's: a diff shows one capsule, and the
 * Apply/Discard actions in its title act on that one.
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

  /** The capsule id a preview URI belongs to (the diff title's actions receive that URI). */
  static capsuleIdOf(uri: vscode.Uri): number | undefined {
    if (uri.scheme !== PREVIEW_SCHEME) return undefined;
    const id = Number(/^\/(\d+)\//.exec(uri.path)?.[1]);
    return Number.isSafeInteger(id) ? id : undefined;
  }

  /** Drops both sides of a capsule that is no longer pending. */
  forget(id: number): void {
    const prefix = `/${id}/`;
    for (const key of [...this.contents.keys()]) {
      if (vscode.Uri.parse(key).path.startsWith(prefix)) this.contents.delete(key);
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}
