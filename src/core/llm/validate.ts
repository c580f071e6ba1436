/**
 * A candidate capsule from the model is never trusted: it passes only when it is within
 * the token limit, holds every marker exactly once, in the prompt's order and (for code
 * blocks) on a line of its own, every protected item verbatim (numbers as whole numbers,
 * constraint phrases up to case and spacing), and no placeholder or URL the prompt does
 * not have. Otherwise it is rejected with the reason, and another candidate (or the
 * built-in capsule) is used.
 */
import type { MarkedBlock, MustKeepItem } from './spans';

export type Verdict = { passed: true } | { passed: false; reason: string };

const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

const quote = (s: string) => `"${s.length > 60 ? `${s.slice(0, 57)}…` : s}"`;

/** A number item as a whole number: "49" is not found in "499", "1" not in "⟦BLOCK 1⟧" or "10". */
function hasNumber(text: string, item: string): boolean {
  return new RegExp(`(?<![\\p{N}.,])${escape(item)}(?![\\p{N}]|[.,]\\p{N})`, 'u').test(text);
}

// What a model could make up that a user would take as real: placeholders and links.
const INVENTED = /\{\{[^{}\n]{1,100}\}\}|\$\{[^{}\n]{1,100}\}|\bhttps?:\/\/[^\s<>"'`)\]]+/gu;

/**
 * Checks a candidate as the model wrote it (markers not yet restored) against the
 * prompt's blocks and items; `original` is the prompt, to tell invented spans apart.
 */
export function validateCandidate(candidate: string, blocks: readonly MarkedBlock[], mustKeep: readonly MustKeepItem[], original = ''): Verdict {
  if (candidate.trim() === '') return { passed: false, reason: 'empty reply' };
  let previous = -1;
  let previousMarker = '';
  for (const block of blocks) {
    const n = count(candidate, block.marker);
    if (n === 0) return { passed: false, reason: `${block.marker} (a ${block.kind}) is missing` };
    if (n > 1) return { passed: false, reason: `${block.marker} appears ${n} times` };
    const at = candidate.indexOf(block.marker);
    if (at < previous) return { passed: false, reason: `${block.marker} comes before ${previousMarker}; the prompt has them the other way round` };
    previous = at;
    previousMarker = block.marker;
    if (block.kind === 'code-fence') {
      const lineStart = candidate.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = candidate.indexOf('\n', at);
      const line = candidate.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
      if (line.trim() !== block.marker) return { passed: false, reason: `${block.marker} (a code block) is not on a line of its own` };
    }
  }
  const known = new Set(blocks.map((b) => b.marker));
  for (const marker of candidate.match(/⟦[^⟧]*⟧/g) ?? []) {
    if (!known.has(marker)) return { passed: false, reason: `${marker} is not a marker of this prompt (altered or invented)` };
  }
  // Items are looked for in the text around the markers, never inside a marker.
  const text = candidate.replace(/⟦[^⟧]*⟧/g, '\n');
  const loose = normalize(text);
  for (const item of mustKeep) {
    const kept = item.kind === 'constraint' ? loose.includes(normalize(item.text)) : item.kind === 'number' ? hasNumber(text, item.text) : text.includes(item.text);
    if (!kept) return { passed: false, reason: `${item.kind === 'constraint' ? 'constraint' : item.kind} ${quote(item.text)} ${item.kind === 'constraint' ? 'lost' : 'missing or altered'}` };
  }
  if (original) {
    for (const span of text.match(INVENTED) ?? []) {
      const bare = span.replace(/[.,;:!?]+$/, '');
      if (!original.includes(bare)) return { passed: false, reason: `${quote(bare)} is not in the prompt (invented)` };
    }
  }
  return { passed: true };
}

/**
 * What a model adds around the capsule despite the instruction: a fence around the whole
 * reply, or a "Capsule:" label. Removed only when the prompt itself does not start so.
 */
export function cleanReply(reply: string, original: string): string {
  let text = reply.trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n```$/.exec(text);
  if (fenced && !original.trimStart().startsWith('```')) text = fenced[1]!.trim();
  const labelled = /^(?:compressed prompt|capsule|here is the (?:compressed|shorter) prompt)\s*:\s*\n?/i.exec(text);
  if (labelled && !/^(?:compressed prompt|capsule)/i.test(original.trimStart())) text = text.slice(labelled[0].length).trimStart();
  return text;
}
