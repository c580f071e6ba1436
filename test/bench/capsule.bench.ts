/**
 * Capsulator benchmark over the development prompts (test/data/prompts-dev.jsonl):
 * for rates 0.7 / 0.5 / 0.33, the built-in capsulator and three baselines at the same
 * token budget (head truncation, seeded random word drop, stopword removal) are
 * measured side by side: token ratio reached, share within budget (<= 5% over the
 * target), must-keep recall by class, JSON validity, BM25 retrieval@1 of the original
 * from its capsule, and throughput next to the tokenizer's own encode speed.
 *
 * The must-keep extractor here is deliberately simple and separate from the
 * compressor's protection code, so recall is not measured against itself.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compressPrompt, resolveTarget } from '../../src/core/capsule/index';
import { forgetSharedMemos } from '../../src/core/capsule/token-costs';
import { forgetMergeMemos } from '../../src/core/tokens/exact-count';
import stopwordData from '../../src/core/capsule/data/stopwords-en.json';
import { getTokenizer, type Tokenizer } from '../../src/core/tokens/tokenizer';
import { BENCH_CHILD_FLAG, FIRST_PASS_TASK } from './child';

export interface PromptRow {
  act: string;
  type: string;
  prompt: string;
}

const RATES = [0.7, 0.5, 0.33] as const;
const EXAMPLE_SEED = 20240601;
const RANDOM_DROP_SEED = 12345;
const EXAMPLE_COUNT = 10;
const EXAMPLE_CHARS = 420;

/** mulberry32: a tiny seeded PRNG, so baselines and examples are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadPrompts(): PromptRow[] {
  const file = path.resolve(__dirname, '../../../test/data/prompts-dev.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PromptRow);
}

// ---------------------------------------------------------------- must-keep items

export type MustKeepClass = 'numbers' | 'urls' | 'placeholders' | 'inline code' | 'code fences' | 'negations';
export const MUST_KEEP_CLASSES: readonly MustKeepClass[] = ['numbers', 'urls', 'placeholders', 'inline code', 'code fences', 'negations'];

// A fence opens and closes at the start of a line.
const FENCE_RE = /^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm;
const EXTRACTORS: Record<Exclude<MustKeepClass, 'code fences'>, RegExp> = {
  numbers: /\d+(?:[.,:]\d+)*/g,
  urls: /https?:\/\/[^\s)\]>"'`]+/g,
  placeholders: /\{\{[^{}\n]+\}\}|\$\{[^{}\n]+\}|\[[A-Z][A-Z0-9 _-]*\]|<[A-Z][A-Za-z0-9 _-]*>|%[sd]\b|\{[A-Za-z_][A-Za-z0-9_ ]*\}/g,
  'inline code': /`[^`\n]+`/g,
  negations: /\b(?:not|never|no|don't|cannot|can't|unless|without|only|must)\s+[A-Za-z]+/gi,
};

/** Distinct must-keep strings of a prompt, by class. */
export function mustKeepItems(text: string): Map<MustKeepClass, Set<string>> {
  const items = new Map<MustKeepClass, Set<string>>();
  const fences = text.match(FENCE_RE) ?? [];
  items.set('code fences', new Set(fences));
  const outside = text.replace(FENCE_RE, ' ');
  for (const [cls, re] of Object.entries(EXTRACTORS) as Array<[Exclude<MustKeepClass, 'code fences'>, RegExp]>) {
    let found: string[] = outside.match(re) ?? [];
    if (cls === 'urls') found = found.map((u) => u.replace(/[.,;:!?]+$/, ''));
    items.set(cls, new Set(found));
  }
  return items;
}

// ---------------------------------------------------------------- baselines

type Method = (text: string, target: number, tok: Tokenizer) => string;

const headTruncation: Method = (text, target, tok) => {
  const ids = tok.encode(text);
  return ids.length <= target ? text : tok.decode(ids.slice(0, target));
};

/** Keeps the first n whitespace-separated words of `order`, in text order, to fit the target. */
function fitByWordOrder(words: string[], dropOrder: number[], target: number, tok: Tokenizer): string {
  const render = (dropCount: number): string => {
    const dropped = new Set(dropOrder.slice(0, dropCount));
    return words.filter((_, i) => !dropped.has(i)).join(' ');
  };
  let lo = 0;
  let hi = dropOrder.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tok.count(render(mid)) <= target) hi = mid;
    else lo = mid + 1;
  }
  return render(lo);
}

const randomWordDrop: Method = (text, target, tok) => {
  const words = text.split(/\s+/).filter(Boolean);
  const rng = mulberry32(RANDOM_DROP_SEED);
  const order = words.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return fitByWordOrder(words, order, target, tok);
};

const STOPWORDS = new Set(stopwordData.words);
/** Removes NLTK stopwords; if that is not enough, truncates the rest at the head. */
const stopwordRemoval: Method = (text, target, tok) => {
  const kept = text
    .split(/(\s+)/)
    .filter((w) => !STOPWORDS.has(w.toLowerCase().replace(/[^\p{L}']/gu, '')))
    .join('')
    .replace(/[ \t]{2,}/g, ' ');
  return headTruncation(kept, target, tok);
};

// ---------------------------------------------------------------- BM25

const TERM = /[\p{L}\p{N}]+/gu;
function terms(text: string): string[] {
  return text.toLowerCase().match(TERM) ?? [];
}

export class Bm25Index {
  private readonly postings = new Map<string, Array<[number, number]>>();
  private readonly lengths: number[] = [];
  private readonly avgLength: number;
  constructor(docs: readonly string[], private readonly k1 = 1.2, private readonly b = 0.75) {
    docs.forEach((doc, d) => {
      const tf = new Map<string, number>();
      const ts = terms(doc);
      for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        const list = this.postings.get(t) ?? [];
        list.push([d, n]);
        this.postings.set(t, list);
      }
      this.lengths.push(ts.length);
    });
    this.avgLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, docs.length);
  }
  /** The best-scoring document (lowest index on ties) for the query. */
  top(query: string): number {
    const n = this.lengths.length;
    const scores = new Float64Array(n);
    for (const t of new Set(terms(query))) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const [d, tf] of list) {
        scores[d]! += (idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * this.lengths[d]!) / this.avgLength));
      }
    }
    let best = 0;
    for (let d = 1; d < n; d++) if (scores[d]! > scores[best]!) best = d;
    return best;
  }
}

// ---------------------------------------------------------------- readability and topic

const TOPIC_SHARE = 0.1;
const TOPIC_MIN = 5;

/**
 * Each prompt's most distinctive words: its top 10% (at least 5) distinct terms by
 * TF-IDF over the prompt set, function words and one-letter terms left out (issue 15).
 */
export function distinctiveTerms(docs: readonly string[]): Array<Set<string>> {
  const df = new Map<string, number>();
  const tfs = docs.map((doc) => {
    const tf = new Map<string, number>();
    for (const t of terms(doc)) if (t.length > 1 && !STOPWORDS.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return tf;
  });
  return tfs.map((tf) => {
    const ranked = [...tf].map(([t, n]) => [t, n * Math.log(docs.length / df.get(t)!)] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return new Set(ranked.slice(0, Math.max(TOPIC_MIN, Math.ceil(ranked.length * TOPIC_SHARE))).map(([t]) => t));
  });
}

export function distinctiveShare(top: ReadonlySet<string>, capsule: string): number {
  if (top.size === 0) return 1;
  const kept = new Set(terms(capsule));
  let n = 0;
  for (const t of top) if (kept.has(t)) n++;
  return n / top.size;
}

const LIST_ITEM = /^[ \t]*(?:>[ \t]?)*(?:[-*+•]|\d{1,9}[.)])[ \t]+(.*)$/gmu;

/** List items left in a text, and how many of them have at most one word. */
export function listItems(text: string): { items: number; short: number } {
  let items = 0;
  let short = 0;
  for (const m of text.matchAll(LIST_ITEM)) {
    items++;
    if ((m[1]!.match(TERM) ?? []).length <= 1) short++;
  }
  return { items, short };
}

// ---------------------------------------------------------------- measurement

export interface MethodStats {
  tokensIn: number;
  tokensOut: number;
  within: number;
  infeasible: number;
  withinFeasible: number;
  kept: Map<MustKeepClass, number>;
  total: Map<MustKeepClass, number>;
  jsonValid: number;
  jsonTotal: number;
  retrieved: number;
  prompts: number;
  distinctive: number;
  /** over the odd-numbered prompts only: those data/prompt-df.json did not count */
  distinctiveHeldOut: number;
  listItems: number;
  shortItems: number;
}

export function newStats(): MethodStats {
  return {
    tokensIn: 0, tokensOut: 0, within: 0, infeasible: 0, withinFeasible: 0,
    kept: new Map(MUST_KEEP_CLASSES.map((c) => [c, 0])), total: new Map(MUST_KEEP_CLASSES.map((c) => [c, 0])),
    jsonValid: 0, jsonTotal: 0, retrieved: 0, prompts: 0, distinctive: 0, distinctiveHeldOut: 0, listItems: 0, shortItems: 0,
  };
}

export function isJsonPrompt(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object';
  } catch {
    return false;
  }
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/**
 * Milliseconds of this process's CPU time (all threads: V8 compiles and collects garbage
 * on helper threads) and of wall time. CPU time is steadier on a shared machine and
 * counts all the work; wall time is what a caller waits when a spare core takes the
 * compiler's share.
 */
interface Clock {
  cpu: number;
  wall: number;
}

function now(): Clock {
  const { user, system } = process.cpuUsage();
  return { cpu: (user + system) / 1000, wall: performance.now() };
}

function since(start: Clock): Clock {
  const end = now();
  return { cpu: end.cpu - start.cpu, wall: end.wall - start.wall };
}

function add(a: Clock, b: Clock): Clock {
  return { cpu: a.cpu + b.cpu, wall: a.wall + b.wall };
}

function least(a: Clock, b: Clock): Clock {
  return { cpu: Math.min(a.cpu, b.cpu), wall: Math.min(a.wall, b.wall) };
}

/** Tokens per second, by CPU and by wall time. */
function perSecond(tokens: number, ms: Clock): Clock {
  return { cpu: tokens / (ms.cpu / 1000), wall: tokens / (ms.wall / 1000) };
}

const ZERO: Clock = { cpu: 0, wall: 0 };
const NEVER: Clock = { cpu: Infinity, wall: Infinity };

/** Fresh processes timed for the first pass, and rounds of the unseen measure: the median is reported. */
const FIRST_PASS_RUNS = 5;
const UNSEEN_ROUNDS = 3;

interface SidesTimed {
  tokens: number;
  encode: Clock;
  capsule: Clock;
}

/**
 * The first pass, in the fresh process this runs in (see index.ts): the tokenizer
 * encodes every prompt, then the capsulator compresses every prompt at rate 0.5, each
 * meeting them for the first time. Prints the timings as one JSON line.
 */
export async function runFirstPass(): Promise<void> {
  const originals = loadPrompts().map((p) => p.prompt);
  const tok = getTokenizer('o200k_base');
  tok.encode('load the encoding tables');
  let t0 = now();
  let tokens = 0;
  for (const text of originals) tokens += tok.encode(text).length;
  const encode = since(t0);
  // Load the word table first: that is start-up, not throughput.
  compressPrompt(originals[0]!, { rate: 0.5 });
  t0 = now();
  for (const text of originals) compressPrompt(text, { rate: 0.5 });
  const timed: SidesTimed = { tokens, encode, capsule: since(t0) };
  process.stdout.write(`${JSON.stringify(timed)}\n`);
}

/** runFirstPass in FIRST_PASS_RUNS fresh processes, one after the other. */
function measureFirstPasses(): SidesTimed[] {
  const runs: SidesTimed[] = [];
  for (let k = 0; k < FIRST_PASS_RUNS; k++) {
    const child = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'index.js'), BENCH_CHILD_FLAG, FIRST_PASS_TASK], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`first-pass run failed (exit ${child.status ?? child.signal})`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as SidesTimed);
  }
  return runs;
}

/** Whole processes timed for the batch row, each side in turn: the median is reported. */
const BATCH_RUNS = 5;

/**
 * What a user times in a terminal: `capsule compress --jsonl --rate 0.5` over every
 * prompt against a script that encodes the same lines (encode-jsonl.ts), each a whole
 * Node process, start-up and output included, alternating side by side.
 */
function measureBatchProcesses(prompts: readonly PromptRow[], tokens: number): SidesTimed[] {
  const input = prompts.map((p, id) => JSON.stringify({ id, prompt: p.prompt })).join('\n') + '\n';
  const cli = path.resolve(__dirname, '../../../dist/cli.js');
  const runs: SidesTimed[] = [];
  for (let k = 0; k < BATCH_RUNS; k++) {
    const encode = timeProcess([path.join(__dirname, 'encode-jsonl.js')], input);
    const capsule = timeProcess([cli, 'compress', '--jsonl', '--rate', '0.5'], input);
    runs.push({ tokens, encode, capsule });
  }
  return runs;
}

/** Wall time of a Node process run to its end, and its CPU time as it reports at exit (cpu-at-exit.ts). */
function timeProcess(args: readonly string[], input: string): Clock {
  const cpuFile = path.join(os.tmpdir(), `capsule-bench-cpu-${process.pid}.json`);
  fs.rmSync(cpuFile, { force: true });
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--require', path.join(__dirname, 'cpu-at-exit.js'), ...args], {
    input,
    env: { ...process.env, BENCH_CPU_FILE: cpuFile },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const wall = performance.now() - started;
  if (child.status !== 0) throw new Error(`${path.basename(args[0]!)} failed (exit ${child.status ?? child.signal})`);
  const { cpuMs } = JSON.parse(fs.readFileSync(cpuFile, 'utf8')) as { cpuMs: number };
  fs.rmSync(cpuFile);
  return { cpu: cpuMs, wall };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Speeds and the capsulator's share of encode speed over several timings: medians, and the range of the shares. */
interface SpeedSummary {
  encode: Clock;
  capsule: Clock;
  share: Clock;
  shareRange: { cpu: [number, number]; wall: [number, number] };
}

function summarize(runs: readonly SidesTimed[]): SpeedSummary {
  const speeds = runs.map((r) => ({ encode: perSecond(r.tokens, r.encode), capsule: perSecond(r.tokens, r.capsule) }));
  const shares = speeds.map((s) => ({ cpu: s.capsule.cpu / s.encode.cpu, wall: s.capsule.wall / s.encode.wall }));
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  return {
    encode: { cpu: median(speeds.map((s) => s.encode.cpu)), wall: median(speeds.map((s) => s.encode.wall)) },
    capsule: { cpu: median(speeds.map((s) => s.capsule.cpu)), wall: median(speeds.map((s) => s.capsule.wall)) },
    share: { cpu: median(shares.map((s) => s.cpu)), wall: median(shares.map((s) => s.wall)) },
    shareRange: { cpu: range(shares.map((s) => s.cpu)), wall: range(shares.map((s) => s.wall)) },
  };
}

const UNSEEN_FOLDS = 5;

/**
 * Tokens/s on prompts neither side has seen, in a process that has: shared memos, the
 * exact counter's merge memos and the tokenizer's merge cache are emptied, both sides
 * warm up on one fold of the prompts (every 5th), then each other fold is timed,
 * encode then capsule, in turn.
 * This is the extension's steady state: code compiled, a new prompt selected.
 */
function measureUnseenSpeed(texts: readonly string[], tok: Tokenizer): SidesTimed {
  forgetSharedMemos();
  forgetMergeMemos();
  // Loaded here, not at import: the token-counting bench times the encoding's first load.
  (require('gpt-tokenizer/encoding/o200k_base') as { clearMergeCache(): void }).clearMergeCache();
  const folds = Array.from({ length: UNSEEN_FOLDS }, (_, k) => texts.filter((_, i) => i % UNSEEN_FOLDS === k));
  for (const text of folds[0]!) tok.encode(text);
  for (const text of folds[0]!) compressPrompt(text, { rate: 0.5 });
  let encodeMs = ZERO;
  let capsuleMs = ZERO;
  let tokens = 0;
  for (const fold of folds.slice(1)) {
    let t0 = now();
    for (const text of fold) tokens += tok.encode(text).length;
    encodeMs = add(encodeMs, since(t0));
    t0 = now();
    for (const text of fold) compressPrompt(text, { rate: 0.5 });
    capsuleMs = add(capsuleMs, since(t0));
  }
  return { tokens, encode: encodeMs, capsule: capsuleMs };
}

/** Best-of-3 tokens/s for a warm encode, the exact count and the capsulator at each rate, interleaved. */
function measureSpeed(texts: readonly string[], totalTokens: number, tok: Tokenizer): { encode: Clock; count: Clock; capsule: Map<number, Clock> } {
  let bestEncode = NEVER;
  let bestCount = NEVER;
  const bestCapsule = new Map<number, Clock>(RATES.map((r) => [r, NEVER]));
  for (let round = 0; round < 3; round++) {
    let t0 = now();
    for (const text of texts) tok.encode(text);
    bestEncode = least(bestEncode, since(t0));
    t0 = now();
    for (const text of texts) tok.count(text);
    bestCount = least(bestCount, since(t0));
    for (const rate of RATES) {
      t0 = now();
      for (const text of texts) compressPrompt(text, { rate });
      bestCapsule.set(rate, least(bestCapsule.get(rate)!, since(t0)));
    }
  }
  return {
    encode: perSecond(totalTokens, bestEncode),
    count: perSecond(totalTokens, bestCount),
    capsule: new Map([...bestCapsule].map(([r, ms]) => [r, perSecond(totalTokens, ms)])),
  };
}

function truncate(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(0, chars);
  const at = cut.lastIndexOf(' ');
  // Never end inside a surrogate pair.
  const safe = at > chars * 0.6 ? cut.slice(0, at) : cut.replace(/[\uD800-\uDBFF]$/, '');
  return safe + ' …';
}

export async function run(): Promise<void> {
  const prompts = loadPrompts();
  const tok = getTokenizer('o200k_base');
  const originals = prompts.map((p) => p.prompt);
  // The first pass in fresh processes, before this one warms anything up.
  const firstPass = summarize(measureFirstPasses());
  const originalTokens = originals.map((t) => tok.encode(t).length);
  const totalTokens = originalTokens.reduce((a, b) => a + b, 0);
  const items = originals.map(mustKeepItems);
  const jsonFlags = originals.map(isJsonPrompt);
  const bm25 = new Bm25Index(originals);
  const topics = distinctiveTerms(originals);
  const originalItems = originals.map(listItems).reduce((a, b) => ({ items: a.items + b.items, short: a.short + b.short }));

  const batch = summarize(measureBatchProcesses(prompts, totalTokens));
  const unseen = summarize(Array.from({ length: UNSEEN_ROUNDS }, () => measureUnseenSpeed(originals, tok)));
  const speed = measureSpeed(originals, totalTokens, tok);

  const methods: Record<string, Method | undefined> = {
    capsule: undefined,
    'head truncation': headTruncation,
    'random word drop': randomWordDrop,
    'stopword removal': stopwordRemoval,
  };
  const lines: string[] = [];
  lines.push(`# Capsulator benchmark — ${prompts.length} dev prompts, ${totalTokens.toLocaleString('en-US')} o200k_base tokens`);
  lines.push('');
  lines.push('## Throughput (best of 3 interleaved rounds where repeated, one thread)');
  lines.push('');
  lines.push(
    'Capsule speed is original tokens per second. "First pass": each side meets the prompts for the first time in a fresh process (code not yet compiled, memos and caches cold); "whole process": what a terminal user times, `capsule compress --jsonl` over all prompts against a script encoding the same JSON lines (test/bench/encode-jsonl.ts), each a whole Node process with start-up and output, alternating; "unseen": prompts neither side has seen, in a process that has run (memos emptied, both sides warmed on every 5th prompt, the other four folds timed in turn); "warm": best of 3 repeat passes over prompts already seen, encode and capsule interleaved. Shares divide by the encode speed measured the same way: by CPU time of the process (all threads, V8\'s compiler and garbage collector included) and by wall time (what a caller waits with a spare core).',
  );
  lines.push('');
  lines.push('| what | tokens/s (CPU time) | share of encode speed, CPU time | share of encode speed, wall time |');
  lines.push('|---|---|---|---|');
  const row = (what: string, speed: Clock, encode: Clock): string =>
    `| ${what} | ${fmtInt(speed.cpu)} | ${fmt(speed.cpu / encode.cpu, 2)} | ${fmt(speed.wall / encode.wall, 2)} |`;
  const spread = ([low, high]: [number, number]): string => `(${fmt(low, 2)}–${fmt(high, 2)})`;
  const medianRow = (what: string, summary: SpeedSummary): string =>
    `| ${what} | ${fmtInt(summary.capsule.cpu)} | ${fmt(summary.share.cpu, 2)} ${spread(summary.shareRange.cpu)} | ${fmt(summary.share.wall, 2)} ${spread(summary.shareRange.wall)} |`;
  lines.push(`| tokenizer encode, first pass (median of ${FIRST_PASS_RUNS} fresh processes) | ${fmtInt(firstPass.encode.cpu)} | 1.00 | 1.00 |`);
  lines.push(medianRow('capsule at rate 0.5, first pass', firstPass));
  lines.push(`| encode script, whole process (median of ${BATCH_RUNS}) | ${fmtInt(batch.encode.cpu)} | 1.00 | 1.00 |`);
  lines.push(medianRow('`capsule compress --jsonl --rate 0.5`, whole process', batch));
  lines.push(`| tokenizer encode, unseen (median of ${UNSEEN_ROUNDS} rounds) | ${fmtInt(unseen.encode.cpu)} | 1.00 | 1.00 |`);
  lines.push(medianRow('capsule at rate 0.5, unseen', unseen));
  lines.push(row('tokenizer encode, warm', speed.encode, speed.encode));
  lines.push(row("exact count (the capsulator's counter), warm", speed.count, speed.encode));
  for (const rate of RATES) lines.push(row(`capsule at rate ${rate}, warm`, speed.capsule.get(rate)!, speed.encode));
  lines.push('');
  lines.push(
    `Shares of the first pass, whole-process and unseen rows: median over the runs, with their range in brackets (each run divides the capsulator's speed by the encode speed timed in the same process).`,
  );
  lines.push('');
  lines.push('## Quality at the same token budget');
  lines.push('');
  lines.push('| rate | method | ratio reached | within budget | infeasible | within (feasible) | numbers | URLs | placeholders | inline code | code fences | negations | JSON valid | retrieval@1 | distinctive words kept | (held-out half) | list items with <= 1 word |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  let examples: string[] = [];
  for (const rate of RATES) {
    for (const [name, method] of Object.entries(methods)) {
      const stats = newStats();
      const capsules: string[] = [];
      for (let i = 0; i < originals.length; i++) {
        const text = originals[i]!;
        const { target } = resolveTarget({ rate }, originalTokens[i]!);
        let capsule: string;
        let capsuleTokens: number;
        let feasible = true;
        if (method) {
          capsule = method(text, target, tok);
          capsuleTokens = tok.count(capsule);
        } else {
          const result = compressPrompt(text, { rate });
          capsule = result.capsule;
          capsuleTokens = result.report.capsuleTokens;
          feasible = result.report.withinBudget || !result.report.budgetNote?.startsWith('protected');
        }
        capsules.push(capsule);
        stats.tokensIn += originalTokens[i]!;
        stats.tokensOut += capsuleTokens;
        const within = capsuleTokens <= target * 1.05;
        if (within) stats.within++;
        if (!feasible) stats.infeasible++;
        else if (within) stats.withinFeasible++;
        stats.prompts++;
      }
      for (let i = 0; i < originals.length; i++) {
        const capsule = capsules[i]!;
        for (const [cls, set] of items[i]!) {
          stats.total.set(cls, stats.total.get(cls)! + set.size);
          let kept = 0;
          for (const item of set) if (capsule.includes(item)) kept++;
          stats.kept.set(cls, stats.kept.get(cls)! + kept);
        }
        if (jsonFlags[i]) {
          stats.jsonTotal++;
          if (isJsonPrompt(capsule)) stats.jsonValid++;
        }
        if (bm25.top(capsule) === i) stats.retrieved++;
        const distinctive = distinctiveShare(topics[i]!, capsule);
        stats.distinctive += distinctive;
        if (i % 2 === 1) stats.distinctiveHeldOut += distinctive;
        const left = listItems(capsule);
        stats.listItems += left.items;
        stats.shortItems += left.short;
      }
      const recall = MUST_KEEP_CLASSES.map((c) => `${fmt(stats.kept.get(c)! / stats.total.get(c)!)} (${stats.total.get(c)})`);
      const feasibleCount = stats.prompts - stats.infeasible;
      lines.push(
        `| ${rate} | ${name} | ${fmt(stats.tokensOut / stats.tokensIn)} | ${fmt(stats.within / stats.prompts)} | ${stats.infeasible} | ${fmt(stats.withinFeasible / Math.max(1, feasibleCount))} | ${recall.join(' | ')} | ${fmt(stats.jsonValid / Math.max(1, stats.jsonTotal))} (${stats.jsonTotal}) | ${fmt(stats.retrieved / stats.prompts)} | ${fmt(stats.distinctive / stats.prompts)} | ${fmt(stats.distinctiveHeldOut / Math.floor(stats.prompts / 2))} | ${fmt(stats.shortItems / Math.max(1, stats.listItems))} (${stats.listItems}) |`,
      );
      if (!method && rate === 0.5) examples = pickExamples(originals, capsules, originalTokens);
    }
  }
  lines.push('');
  lines.push(
    `Distinctive words kept: per prompt, the share of its top 10% terms (at least 5) by TF-IDF over the prompt set (function words left out) that the capsule still has, averaged over the prompts; held-out half: the same over the odd-numbered prompts, whose words the capsulator's prompt-domain document frequencies (data/prompt-df.json, built from the even-numbered ones) never counted. List items with <= 1 word: share of the list items left in the capsules (their count in brackets) that have at most one word; in the originals ${fmt(originalItems.short / originalItems.items)} of ${originalItems.items}.`,
  );
  lines.push('Recall cells: share kept (distinct items in the originals). Within budget: capsule tokens <= 1.05 x round(rate x original). Infeasible: prompts whose protected content alone exceeds the target (the capsulator keeps it all and says so). Stopword removal truncates at the head when removing stopwords is not enough.');
  lines.push('');
  lines.push(...examples);
  process.stdout.write(lines.join('\n') + '\n');
}

function pickExamples(originals: string[], capsules: string[], originalTokens: number[]): string[] {
  const rng = mulberry32(EXAMPLE_SEED);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(EXAMPLE_COUNT, originals.length)) chosen.add(Math.floor(rng() * originals.length));
  const tok = getTokenizer('o200k_base');
  const out = [`## ${EXAMPLE_COUNT} examples at rate 0.5 (chosen with mulberry32 seed ${EXAMPLE_SEED}; first ${EXAMPLE_CHARS} characters)`, ''];
  let n = 1;
  for (const i of [...chosen].sort((a, b) => a - b)) {
    out.push(`### ${n++}. Prompt #${i + 1} — ${originalTokens[i]} → ${tok.count(capsules[i]!)} tokens`);
    out.push('', '**Before**', '', '````text', truncate(originals[i]!, EXAMPLE_CHARS), '````', '', '**After**', '', '````text', truncate(capsules[i]!, EXAMPLE_CHARS), '````', '');
  }
  return out;
}

if (require.main === module) void run();
