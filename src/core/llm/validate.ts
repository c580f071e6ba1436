/**
 * A candidate capsule from the model is never trusted: it passes only when it is within
 * the token limit, holds every marker exactly once, every protected item verbatim
 * (constraint phrases up to case and spacing), and nothing that looks like a marker it
 * invented. Otherwise it is rejected with the reason, and another candidate (or the
 * built-in capsule) is used.
 */
import type { MarkedBlock, MustKeepItem } from './spans';

export type Verdict = { passed: true } | { passed: false; reason: string };

const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

const quote = (s: string) => `"${s.length > 60 ? `${s.slice(0, 57)}…` : s}"`;

/** Checks a candidate as the model wrote it (markers not yet restored). */
export function validateCandidate(candidate: string, blocks: readonly MarkedBlock[], mustKeep: readonly MustKeepItem[]): Verdict {
  if (candidate.trim() === '') return { passed: false, reason: 'empty reply' };
  for (const block of blocks) {
    const n = count(candidate, block.marker);
    if (n === 0) return { passed: false, reason: `${block.marker} (a ${block.kind}) is missing` };
    if (n > 1) return { passed: false, reason: `${block.marker} appears ${n} times` };
  }
  const known = new Set(blocks.map((b) => b.marker));
  for (const marker of candidate.match(/⟦[^⟧]*⟧/g) ?? []) {
    if (!known.has(marker)) return { passed: false, reason: `${marker} is not a marker of this prompt (altered or invented)` };
  }
  const loose = normalize(candidate);
  for (const item of mustKeep) {
    const kept = item.kind === 'constraint' ? loose.includes(normalize(item.text)) : candidate.includes(item.text);
    if (!kept) return { passed: false, reason: `${item.kind === 'constraint' ? 'constraint' : item.kind} ${quote(item.text)} ${item.kind === 'constraint' ? 'lost' : 'missing or altered'}` };
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
