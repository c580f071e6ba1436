/**
 * A set of prompts for the edge/cloud split: a JSONL file ({"id": ..., "prompt": "..."} per
 * line, or "text", or a bare string) or a folder of .txt/.md/.prompt files. Read with Node's
 * fs (the CLI and the extension host both call it); a problem the user can fix is a
 * PromptSetError that says which line or file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { binaryInputMessage, detectBinary } from '../text/binary';

export class PromptSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptSetError';
  }
}

export interface PromptItem {
  id: string;
  text: string;
}

const PROMPT_FILE = /\.(txt|md|prompt)$/i;

/** Reads `target` (absolute); `label` names it in messages. */
export function readPromptSet(target: string, label = target): PromptItem[] {
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new PromptSetError(`cannot read '${label}': no such file or folder`);
  }
  const prompts: PromptItem[] = [];
  if (isDir) {
    for (const name of readdirSync(target).filter((n) => PROMPT_FILE.test(n) && statSync(path.join(target, n)).isFile()).sort()) {
      const text = readFileSync(path.join(target, name), 'utf8');
      const verdict = detectBinary(text);
      if (verdict.binary) throw new PromptSetError(binaryInputMessage(name, verdict));
      if (text.trim()) prompts.push({ id: name, text });
    }
  } else {
    let text: string;
    try {
      text = readFileSync(target, 'utf8');
    } catch (error) {
      throw new PromptSetError(`cannot read '${label}': ${(error as Error).message}`);
    }
    for (const [n, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new PromptSetError(`${label} line ${n + 1} is not JSON`);
      }
      const fields = typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : {};
      const prompt = typeof record === 'string' ? record : (fields['prompt'] ?? fields['text']);
      if (typeof prompt !== 'string') throw new PromptSetError(`${label} line ${n + 1} has no string "prompt"`);
      const id = fields['id'];
      if (prompt.trim()) prompts.push({ id: typeof id === 'string' || typeof id === 'number' ? String(id) : `line ${n + 1}`, text: prompt });
    }
  }
  if (prompts.length === 0) throw new PromptSetError(`${label} holds no prompts${isDir ? ' (.txt, .md or .prompt files)' : ''}`);
  return prompts;
}
