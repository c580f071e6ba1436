/**
 * The request for a capsule, with an explicit length limit (in tokens and in words, as
 * Nano-Capsulator's length constraint does) and the items to copy exactly.
 */
import type { PreparedPrompt } from './spans';

/** Bump when the wording changes: it is part of the cache key. */
export const INSTRUCTION_VERSION = 1;

// English prose runs about 0.75 words per token (o200k_base, the dev prompts: 0.73).
const WORDS_PER_TOKEN = 0.75;

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export function wordLimit(tokenLimit: number): number {
  return Math.max(1, Math.floor(tokenLimit * WORDS_PER_TOKEN));
}

export function capsuleMessages(prepared: PreparedPrompt, tokenLimit: number): ChatMessage[] {
  const rules = [
    `Write at most ${wordLimit(tokenLimit)} words (about ${tokenLimit} tokens). Shorter is better when nothing is lost.`,
    'Keep every instruction, every constraint (what must, must not, never, only, at most), the role, and the required output format. Drop filler, politeness and repetition.',
    'Write plain sentences a model will follow exactly as it would follow the original; keep its language, its Markdown headings and list structure where they carry meaning.',
  ];
  if (prepared.mustKeep.length > 0) {
    rules.push(`Copy each of these items exactly, character for character:\n${prepared.mustKeep.map((item) => `- ${item.text}`).join('\n')}`);
  }
  if (prepared.blocks.length > 0) {
    rules.push(
      `Each marker such as ${prepared.blocks[0]!.marker} stands for a block of code or data. Copy every marker exactly once, on its own line where the block belongs; never change, split or invent a marker.`,
    );
  }
  rules.push('Reply with the compressed prompt only: no preface, no explanation, no code fence around it.');
  const system = [
    'You compress prompts for LLM applications into shorter "capsules" that keep their meaning.',
    'Rules:',
    ...rules.map((rule, i) => `${i + 1}. ${rule}`),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: prepared.masked },
  ];
}
