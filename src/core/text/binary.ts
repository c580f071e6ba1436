/**
 * Is this text really a binary file opened as text? VS Code decodes an executable or an
 * image opened with "Open Anyway" as UTF-8: NUL bytes survive as U+0000, and most other
 * bytes become control characters or U+FFFD. Compressing that (or counting it as a
 * prompt) only produces noise, so the CLI and the extension refuse it with this reason.
 */

export interface BinaryVerdict {
  binary: boolean;
  /** Why, in words a message can end with: "it contains NUL bytes". */
  reason?: string;
}

// Share of control characters and undecodable bytes above which text is not a prompt.
// Real prompts have none besides tab, line breaks and the odd ANSI escape.
export const MAX_CONTROL_SHARE = 0.1;
// A handful of stray control characters in a short text is a pasting accident, not a binary.
const MIN_CONTROL_COUNT = 4;

function isSuspicious(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c && code !== 0x0b && code !== 0x1b;
  return code === 0x7f || (code >= 0x80 && code <= 0x9f) || code === 0xfffd;
}

export function detectBinary(text: string): BinaryVerdict {
  if (text.indexOf('\u0000') !== -1) return { binary: true, reason: 'it contains NUL bytes' };
  let suspicious = 0;
  for (let i = 0; i < text.length; i++) if (isSuspicious(text.charCodeAt(i))) suspicious++;
  if (suspicious >= MIN_CONTROL_COUNT && suspicious / text.length > MAX_CONTROL_SHARE) {
    const share = Math.round((suspicious / text.length) * 100);
    return { binary: true, reason: `${share}% of its characters are control characters or undecodable bytes` };
  }
  return { binary: false };
}

/** The one message both the CLI and VS Code show for binary input. */
export function binaryInputMessage(name: string, verdict: BinaryVerdict): string {
  return `${name} looks like a binary file (${verdict.reason ?? 'not text'}); Prompt Capsule works on text prompts only.`;
}
