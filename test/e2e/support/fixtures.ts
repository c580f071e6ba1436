import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

export const CAPSULE_PROMPT_FILE = 'support-reply.md';

// A realistic, wordy prompt for the capsulator: filler to drop, and what it must keep
// byte for byte (placeholders, URLs, numbers, a "must never" constraint). The first
// line is short and unique, for right-clicks on it.
export const CAPSULE_PROMPT = [
  '# Support reply prompt',
  '',
  'You are a friendly and helpful customer support assistant for Acme Cloud. Your job is to write a reply to the customer named {{name}} about their open ticket.',
  '',
  'Please make sure that you always read the whole ticket carefully before you start writing your answer, and please make sure that you really understand what the customer is actually asking about.',
  '',
  'Background: the customer is on the Pro plan, which costs 49 USD per month and includes up to 3 projects. The full pricing is explained at https://acme.example.com/pricing and the refund policy is at https://acme.example.com/refunds.',
  '',
  'When you write the reply, it is very important that you keep the tone warm, polite and professional, and that you basically try to be as clear and as concise as you possibly can.',
  '',
  'You must never promise a refund or a discount yourself; if the customer asks for one, tell them that the billing team will contact them within 2 business days.',
  '',
  'Finally, sign the reply with the name of the assistant, which is {{agent_name}}, and do not add any other signature.',
  '',
].join('\n');

export const CAPSULE_PROMPT_FIRST_LINE = '# Support reply prompt';

/** What a capsule of CAPSULE_PROMPT must still contain, as written in the prompt. */
export const CAPSULE_MUST_KEEP = ['{{name}}', '{{agent_name}}', 'https://acme.example.com/pricing', 'https://acme.example.com/refunds', '49'];
/** The key words of the "must never" constraint sentence. */
export const CAPSULE_CONSTRAINT_WORDS = ['never', 'promise', 'refund'];

export const WORKSPACE_SETTINGS_FILE = '.vscode/settings.json';

/**
 * Workspace settings for the capsule tests. VS Code for the Web (code-server) defaults
 * `files.autoSave` to "afterDelay", which would save an applied capsule behind the
 * test's back; off, as on desktop, a test saves explicitly and reads the file from disk.
 * `askForRate: false` skips the rate quick pick (the setting's rate, 0.5, is used).
 */
export function capsuleWorkspaceSettings({ askForRate }: { askForRate: boolean }): string {
  const settings: Record<string, unknown> = { 'files.autoSave': 'off' };
  if (!askForRate) settings['promptCapsule.compression.askForRate'] = false;
  return JSON.stringify(settings, null, 2);
}

/**
 * A fresh workspace folder per test: VS Code keeps per-workspace state (open editors,
 * panels to restore), and tests must not inherit each other's.
 */
export function createWorkspace(label: string, files: Record<string, string | Buffer> = { [PROMPT_FILE]: PROMPT_TEXT }): string {
  const folder = mkdtempSync(path.join(tmpdir(), `capsule-e2e-${label}-`));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return folder;
}
