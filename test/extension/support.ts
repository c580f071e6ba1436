import * as vscode from 'vscode';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { PromptCapsuleApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'prompt-capsule.prompt-capsule';
export const BUDGET_PANEL_VIEW_TYPE = 'promptCapsule.budgetPanel';

export type CapsuleApi = PromptCapsuleApi;

export async function activateExtension(): Promise<{ extension: vscode.Extension<CapsuleApi>; api: CapsuleApi }> {
  const extension = vscode.extensions.getExtension<CapsuleApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  const api = await extension.activate();
  return { extension, api };
}

/** Reference count straight from the tokenizer library; special-token strings are text. */
export function o200kTokenCount(text: string): number {
  return encode(text, { disallowedSpecial: new Set() }).length;
}

export function cl100kTokenCount(text: string): number {
  return encodeCl100k(text, { disallowedSpecial: new Set() }).length;
}

/** Writes `content` to `name` in the first workspace folder and shows it in an editor. */
export async function showWorkspaceFile(name: string, content: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension tests need a workspace folder');
  const uri = vscode.Uri.joinPath(folder.uri, name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document);
}

export function budgetPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(BUDGET_PANEL_VIEW_TYPE));
}
