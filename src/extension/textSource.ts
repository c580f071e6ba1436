import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SourceInfo, TextRangeInfo } from '../core/protocol/panel';

/** What the user is looking at: the selections' text, or the whole document when none. */
export interface CapturedText {
  key: string;
  source: SourceInfo;
  getText(): string;
}

export function toRangeInfo(range: vscode.Range): TextRangeInfo {
  return {
    startLine: range.start.line,
    startCharacter: range.start.character,
    endLine: range.end.line,
    endCharacter: range.end.character,
  };
}

export function fromRangeInfo(info: TextRangeInfo): vscode.Range {
  return new vscode.Range(info.startLine, info.startCharacter, info.endLine, info.endCharacter);
}

export function describeRange(range: TextRangeInfo | undefined): string {
  if (!range) return 'whole document';
  return `lines ${range.startLine + 1}:${range.startCharacter + 1}–${range.endLine + 1}:${range.endCharacter + 1}`;
}

function fileNameOf(document: vscode.TextDocument): string {
  return document.isUntitled ? document.uri.path : path.basename(document.uri.fsPath || document.uri.path);
}

export function captureDocumentRange(document: vscode.TextDocument, range?: vscode.Range): CapturedText {
  const scope = range && !range.isEmpty ? 'selection' : 'document';
  const effective = scope === 'selection' ? document.validateRange(range!) : undefined;
  const source: SourceInfo = {
    uri: document.uri.toString(),
    fileName: fileNameOf(document),
    scope,
    // offsetAt instead of getText().length: this runs on every keystroke, before the debounce.
    characters: effective
      ? document.offsetAt(effective.end) - document.offsetAt(effective.start)
      : document.offsetAt(document.lineAt(document.lineCount - 1).range.end),
  };
  if (effective) source.range = toRangeInfo(effective);
  const rangeKey = effective ? `${effective.start.line}:${effective.start.character}-${effective.end.line}:${effective.end.character}` : 'all';
  return {
    key: `${document.uri.toString()}@${document.version}#${rangeKey}`,
    source,
    getText: () => (effective ? document.getText(effective) : document.getText()),
  };
}

/**
 * Selections of an editor: with several non-empty selections their texts are counted
 * together (joined by newlines), as they would be pasted into one prompt.
 */
export function captureEditor(editor: vscode.TextEditor): CapturedText {
  const selections = editor.selections.filter((s) => !s.isEmpty);
  if (selections.length <= 1) return captureDocumentRange(editor.document, selections[0]);
  const document = editor.document;
  const sorted = [...selections].sort((a, b) => a.start.compareTo(b.start));
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const characters = sorted.reduce((n, s) => n + document.offsetAt(s.end) - document.offsetAt(s.start), 0);
  return {
    key: `${document.uri.toString()}@${document.version}#${sorted.map((s) => `${s.start.line}:${s.start.character}-${s.end.line}:${s.end.character}`).join(',')}`,
    source: {
      uri: document.uri.toString(),
      fileName: fileNameOf(document),
      scope: 'selection',
      range: toRangeInfo(new vscode.Range(first.start, last.end)),
      characters,
    },
    getText: () => sorted.map((s) => document.getText(s)).join('\n'),
  };
}
