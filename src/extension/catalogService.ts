import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildCatalog, type Catalog } from '../core/catalog/catalog';
import type { ModelEntry } from '../core/catalog/types';
import { readSettings, SETTINGS_SECTION, SettingKeys, type CapsuleSettings } from './settings';

/**
 * The model catalog as the user configured it: bundled rows, an optional price file
 * (LiteLLM's or ours) and rows from settings. Rebuilt when those settings change.
 */
export class CatalogService implements vscode.Disposable {
  private catalog: Catalog = buildCatalog();
  private settings: CapsuleSettings = readSettings();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private warnedAbout = '';

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS_SECTION)) void this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
    );
  }

  get current(): Catalog {
    return this.catalog;
  }

  get currentSettings(): CapsuleSettings {
    return this.settings;
  }

  /** The model the status bar prices, falling back to the first row if the id is unknown. */
  activeModel(): ModelEntry {
    return this.catalog.get(this.settings.activeModel) ?? this.catalog.models[0]!;
  }

  async reload(): Promise<void> {
    this.settings = readSettings();
    const problems = [...this.settings.problems];
    let externalFile: { json: unknown; path: string; modifiedDate: string } | undefined;
    if (this.settings.catalogFile) {
      try {
        externalFile = await this.readCatalogFile(this.settings.catalogFile);
      } catch (error) {
        problems.push(`${SETTINGS_SECTION}.${SettingKeys.catalogFile}: ${(error as Error).message}`);
      }
    }
    this.catalog = buildCatalog({ externalFile, overrides: this.settings.models });
    for (const p of this.catalog.problems) problems.push(`model '${p.id}': ${p.problems.join('; ')}`);
    if (!this.catalog.get(this.settings.activeModel)) {
      problems.push(`${SETTINGS_SECTION}.${SettingKeys.activeModel}: unknown model '${this.settings.activeModel}'`);
    }
    this.log.info(`catalog: ${this.catalog.models.length} models${externalFile ? ` (with ${externalFile.path})` : ''}`);
    for (const p of problems) this.log.warn(p);
    this.warnOnce(problems);
    this.changed.fire();
  }

  private async readCatalogFile(setting: string): Promise<{ json: unknown; path: string; modifiedDate: string }> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const isRelative = !path.isAbsolute(setting) && !setting.startsWith('~');
    if (isRelative && !vscode.workspace.isTrusted) {
      throw new Error('a workspace file is only read in a trusted workspace');
    }
    const expanded = setting.startsWith('~') ? path.join(process.env.HOME ?? '', setting.slice(1)) : setting;
    const uri = isRelative && folder ? vscode.Uri.joinPath(folder, expanded) : vscode.Uri.file(expanded);
    const [bytes, stat] = await Promise.all([vscode.workspace.fs.readFile(uri), vscode.workspace.fs.stat(uri)]);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (error) {
      throw new Error(`${uri.fsPath} is not valid JSON (${(error as Error).message})`);
    }
    return { json, path: uri.fsPath, modifiedDate: new Date(stat.mtime).toISOString().slice(0, 10) };
  }

  private warnOnce(problems: string[]): void {
    const key = problems.join('\n');
    if (!key || key === this.warnedAbout) return;
    this.warnedAbout = key;
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (+${problems.length - 1} more in the log)` : '';
    void vscode.window
      .showWarningMessage(`Prompt Capsule settings: ${first}${more}`, 'Open Settings', 'Show Log')
      .then((choice) => {
        if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_SECTION);
        if (choice === 'Show Log') this.log.show(true);
      });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
