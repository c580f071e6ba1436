/**
 * Token counting benchmark: encode speed of gpt-tokenizer (what we ship) next to
 * js-tiktoken (the reference port of tiktoken) on the same text in one run, and the
 * status bar's update latency on a 1 MB document through the real pipeline
 * (LiveTokenCounter -> worker thread), with the main thread's longest stall meanwhile.
 */
import { performance } from 'node:perf_hooks';
import { LiveTokenCounter } from '../../src/core/count/liveCounter';
import { getTokenizer } from '../../src/core/tokens/tokenizer';
import { WorkerClient } from '../../src/core/worker/client';
import { COMPILED_WORKER } from '../support/paths';
import { loadDevPrompts } from '../support/prompts';

interface Tiktoken {
  encode(text: string, allowedSpecial: string[], disallowedSpecial: string[]): number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

/** Runs fn while sampling the event loop; returns the longest gap between ticks. */
async function withLoopMonitor<T>(fn: () => Promise<T>): Promise<{ value: T; maxStallMs: number }> {
  let last = performance.now();
  let maxStallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    last = now;
  }, 1);
  try {
    const value = await fn();
    return { value, maxStallMs };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<void> {
  const prompts = loadDevPrompts().map((p) => p.prompt);
  const corpus = prompts.join('\n\n');
  console.log('## Token counting\n');
  console.log(`Corpus: ${prompts.length} dev prompts, ${(corpus.length / 1e6).toFixed(2)} M characters.\n`);

  const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Tiktoken };
  const rows: string[] = ['| tokenizer | library | load ms | encode ms (median of 3) | tokens | tokens/s |', '|---|---|---:|---:|---:|---:|'];
  for (const id of ['o200k_base', 'cl100k_base'] as const) {
    const ours = time(() => getTokenizer(id));
    ours.value.count('warm up');
    const oursRuns = [0, 1, 2].map(() => time(() => ours.value.encode(corpus)));
    const refLoad = time(() => {
      const mod = require(`js-tiktoken/ranks/${id}`) as { default?: unknown };
      return new Tiktoken(mod.default ?? mod);
    });
    refLoad.value.encode('warm up', [], []);
    const refRuns = [0, 1, 2].map(() => time(() => refLoad.value.encode(corpus, [], [])));
    const oursMs = median(oursRuns.map((r) => r.ms));
    const refMs = median(refRuns.map((r) => r.ms));
    const tokens = oursRuns[0]!.value.length;
    if (tokens !== refRuns[0]!.value.length) throw new Error(`${id}: token counts differ between libraries`);
    rows.push(`| ${id} | gpt-tokenizer (shipped) | ${ours.ms.toFixed(0)} | ${oursMs.toFixed(0)} | ${tokens} | ${Math.round(tokens / (oursMs / 1000)).toLocaleString('en-US')} |`);
    rows.push(`| ${id} | js-tiktoken (reference) | ${refLoad.ms.toFixed(0)} | ${refMs.toFixed(0)} | ${tokens} | ${Math.round(tokens / (refMs / 1000)).toLocaleString('en-US')} |`);
    rows.push(`| ${id} | ratio gpt-tokenizer / js-tiktoken speed | | | | ${(refMs / oursMs).toFixed(2)}x |`);
  }
  console.log(rows.join('\n'));

  // Status bar on a 1 MB document: the same path the extension takes, minus VS Code.
  let doc = '';
  for (let i = 0; doc.length < 1_000_000; i++) doc += prompts[i % prompts.length] + '\n\n';
  doc = doc.slice(0, 1_000_000);
  const client = new WorkerClient(COMPILED_WORKER);
  const counter = new LiveTokenCounter((text, tokenizers, c) => client.run('countTokens', { text, tokenizers }, c), 0);
  // Collect the garbage of the corpus runs above so it is not billed to the status bar.
  (globalThis as { gc?: () => void }).gc?.();
  const latencies: number[] = [];
  const stalls: number[] = [];
  // First run starts the worker and loads the encoding there; report it apart.
  for (let i = 0; i < 6; i++) {
    const edited = doc.slice(0, doc.length - i); // a new version each time: no cache hit
    const { value, maxStallMs } = await withLoopMonitor(
      () =>
        new Promise<number>((resolve, reject) => {
          const start = performance.now();
          counter.request({ key: `doc@${i}`, getText: () => edited, tokenizers: ['o200k_base'] }, () => resolve(performance.now() - start), reject);
        }),
    );
    latencies.push(value);
    stalls.push(maxStallMs);
  }
  counter.dispose();
  client.dispose();
  const inProcess = time(() => getTokenizer('o200k_base').count(doc));
  const warm = latencies.slice(1);
  console.log('\n## Status bar update on a 1 MB document\n');
  console.log('| measure | ms |');
  console.log('|---|---:|');
  console.log(`| in-process count (blocks the caller) | ${inProcess.ms.toFixed(0)} |`);
  console.log(`| first update (starts worker, loads encoding) | ${latencies[0]!.toFixed(0)} |`);
  console.log(`| update latency, median of ${warm.length} (excl. 150 ms debounce) | ${median(warm).toFixed(0)} |`);
  console.log(`| longest main-thread stall during warm updates | ${Math.max(...stalls.slice(1)).toFixed(1)} |`);
  console.log(`\n${inProcess.value.toLocaleString('en-US')} tokens. Typing is never blocked by counting: the main thread only posts the text.`);
}
