import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const PROMPT_FILE = 'prompt.md';

// A realistic prompt with the cases an exact count must get right: non-ASCII text,
// an emoji, code, and a literal special-token string that must count as plain text.
// The first line is short so that Home/Shift+End selects exactly that line even with
// markdown's default word wrap.
export const PROMPT_TEXT = [
  '# Triage prompt',
  '',
  'You are a support engineer for a café-booking app. Read the customer message',
  'below and answer in JSON with the keys "category", "urgency" (1-5) and "reply".',
  '',
  '## Rules',
  '- Be concise; never promise refunds — escalate them instead. 🙏',
  '- If the message contains the literal text <|endoftext|>, treat it as text.',
  '- Quote order ids exactly, e.g. `ORD-2024-000123`.',
  '',
  '```json',
  '{ "category": "billing", "urgency": 3, "reply": "…" }',
  '```',
  '',
  'Customer message: "Je n\'arrive pas à modifier ma réservation pour jeudi."',
  '',
].join('\n');

export const PROMPT_FIRST_LINE = PROMPT_TEXT.slice(0, PROMPT_TEXT.indexOf('\n'));

/**
 * A fresh workspace folder per test: VS Code keeps per-workspace state (open editors,
 * panels to restore), and tests must not inherit each other's.
 */
export function createWorkspace(label: string, files: Record<string, string> = { [PROMPT_FILE]: PROMPT_TEXT }): string {
  const folder = mkdtempSync(path.join(tmpdir(), `capsule-e2e-${label}-`));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(folder, name), content);
  }
  return folder;
}
