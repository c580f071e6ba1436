/**
 * The optional check, Nano-Capsulator's reward at run time: ask the target model the
 * same probe questions once with the original prompt and once with the capsule as the
 * system prompt, and measure how far the answers agree. The questions are the user's,
 * or generated from the prompt by the same model. Its cost is estimated before it runs.
 */
import { estimateCost } from '../cost/cost';
import type { ModelEntry } from '../catalog/types';
import type { LlmEndpoint } from './endpoint';
import { EndpointError } from './errors';
import { cosine, contentWords } from './score';

/** Two answers agree when their similarity reaches this (embeddings or word overlap). */
export const AGREEMENT_THRESHOLD = { embeddings: 0.9, words: 0.5 } as const;
export const PROBE_ANSWER_TOKENS = 200;
const QUESTION_TOKENS = 30;

export interface ProbeAnswer {
  question: string;
  original: string;
  capsule: string;
  similarity: number;
  agree: boolean;
}

export interface ProbeReport {
  questions: string[];
  answers: ProbeAnswer[];
  /** Share of questions whose two answers agree. */
  agreement: number;
  meanSimilarity: number;
  measure: 'embeddings' | 'word-overlap';
  promptTokens: number;
  completionTokens: number;
}

/** What the check will cost at most, before it runs (null when the model has no price). */
export function estimateProbeCost(originalTokens: number, capsuleTokens: number, questions: number, generate: boolean, model: ModelEntry | undefined): { tokens: number; usd: number | null } {
  const perQuestionIn = originalTokens + capsuleTokens + 2 * QUESTION_TOKENS;
  const input = questions * perQuestionIn + (generate ? originalTokens + 60 : 0);
  const output = questions * 2 * PROBE_ANSWER_TOKENS + (generate ? questions * QUESTION_TOKENS : 0);
  const usd = model ? estimateCost(model, input, { callsPerDay: 1, outputTokens: output }).perCallUsd : null;
  return { tokens: input + output, usd };
}

/** Jaccard overlap of the two answers' content words. */
export function wordOverlap(a: string, b: string): number {
  const wa = contentWords(a);
  const wb = contentWords(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared);
}

export function parseQuestions(reply: string, count: number): string[] {
  return reply
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((line) => line.length > 3)
    .slice(0, count);
}

export async function probeAgreement(
  original: string,
  capsule: string,
  endpoint: LlmEndpoint,
  options: { questions?: string[]; count?: number },
  signal?: AbortSignal,
): Promise<ProbeReport> {
  let promptTokens = 0;
  let completionTokens = 0;
  const ask = async (system: string, user: string, maxTokens: number) => {
    const reply = await endpoint.complete(
      [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      1,
      maxTokens,
      signal,
    );
    promptTokens += reply.promptTokens;
    completionTokens += reply.completionTokens;
    return reply.texts[0] ?? '';
  };
  let questions = options.questions?.filter((q) => q.trim() !== '') ?? [];
  if (questions.length === 0) {
    const count = options.count ?? 3;
    const reply = await ask(
      `You write test questions for an assistant configured with the system prompt below. Write ${count} short, different questions a real user would send it, one per line, nothing else.\n\n---\n${original}`,
      `Write ${count} questions.`,
      count * QUESTION_TOKENS + 20,
    );
    questions = parseQuestions(reply, count);
    if (questions.length === 0) throw new EndpointError('malformed', `${endpoint.config.model} wrote no probe questions.`);
  }
  const answers: ProbeAnswer[] = [];
  for (const question of questions) {
    const [fromOriginal, fromCapsule] = await Promise.all([ask(original, question, PROBE_ANSWER_TOKENS), ask(capsule, question, PROBE_ANSWER_TOKENS)]);
    answers.push({ question, original: fromOriginal, capsule: fromCapsule, similarity: 0, agree: false });
  }
  let measure: ProbeReport['measure'] = 'word-overlap';
  if (endpoint.config.embeddingsModel) {
    const { vectors } = await endpoint.embed(answers.flatMap((a) => [a.original, a.capsule]), signal);
    answers.forEach((a, i) => (a.similarity = cosine(vectors[2 * i]!, vectors[2 * i + 1]!)));
    measure = 'embeddings';
  } else {
    for (const a of answers) a.similarity = wordOverlap(a.original, a.capsule);
  }
  const threshold = measure === 'embeddings' ? AGREEMENT_THRESHOLD.embeddings : AGREEMENT_THRESHOLD.words;
  for (const a of answers) a.agree = a.similarity >= threshold;
  return {
    questions,
    answers,
    agreement: answers.filter((a) => a.agree).length / answers.length,
    meanSimilarity: answers.reduce((sum, a) => sum + a.similarity, 0) / answers.length,
    measure,
    promptTokens,
    completionTokens,
  };
}

