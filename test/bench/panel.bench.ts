/**
 * The Budget Panel open on a 1 MB prompt (issue: the host sat at 98% CPU for minutes, the
 * Serving card never appeared, Compress File waited over 60 s behind the estimate). Runs
 * the extension's own path minus VS Code: the same worker bundle on the same three lanes
 * (src/extension/workers.ts), the host-side context check, and the same jobs.
 */
import { performance } from 'node:perf_hooks';
import { servingContextProblem, servingTokens } from '../../src/core/serving/options';
import { WorkerClient } from '../../src/core/worker/client';
import type { JobInput } from '../../src/core/worker/jobs';
import { COMPILED_WORKER } from '../support/paths';
import { loadDevPrompts } from '../support/prompts';

const SERVING = { model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated', rate: 4, outputTokens: 256, sloTtftMs: 500, sloTpotMs: 100, gpus: 2 } as const;
// A long estimate that does run (the Serving card at 32,768 output tokens at a trickle).
const LONG_ESTIMATE: JobInput<'estimateServing'> = { ...SERVING, rate: 0.01, outputTokens: 32_768, gpus: 1, inputTokens: 800 };

/** 1 MB of dev prompts starting at prompt `first`: each measurement gets text it has not seen. */
function megabyte(first = 0): string {
  const prompts = loadDevPrompts().map((p) => p.prompt);
  let doc = '';
  for (let i = first; doc.length < 1_000_000; i++) doc += prompts[i % prompts.length] + '\n\n';
  return doc.slice(0, 1_000_000);
}

const since = (t0: number) => performance.now() - t0;

export async function run(): Promise<void> {
  const doc = megabyte();
  const interactive = new WorkerClient(COMPILED_WORKER);
  const heavy = new WorkerClient(COMPILED_WORKER);
  const simulation = new WorkerClient(COMPILED_WORKER);
  const compressInput: JobInput<'compress'> = { text: doc, options: { rate: 0.5, tokenizer: 'o200k_base' } };
  try {
    // Everything at once, as when Count Tokens and Cost opens the panel and the user runs
    // Compress File straight away: the status bar and the panel count on one lane, the
    // compression runs on its own, the Serving card checks the context on the host.
    const t0 = performance.now();
    const statusBar = interactive.run('countTokens', { text: doc, tokenizers: ['o200k_base'] }).then(() => since(t0));
    const panel = interactive.run('countTokens', { text: doc, tokenizers: ['o200k_base', 'cl100k_base'] });
    const serving = panel.then((counts) => {
      const tokens = servingTokens(SERVING.model, counts.o200k_base!).tokens;
      const problem = servingContextProblem(SERVING.model, tokens, SERVING.outputTokens);
      if (!problem) throw new Error('the 1 MB prompt should exceed the context');
      return { ms: since(t0), tokens };
    });
    const compress = heavy.run('compress', compressInput).then((r) => ({ ms: since(t0), tokens: r.report.originalTokens }));
    const [statusMs, servingDone, compressDone] = await Promise.all([statusBar, serving, compress]);

    // Compress File while a long estimate runs: on its own lane (today) against the same
    // worker as the estimate (before: one "heavy" lane ran both, in arrival order).
    const unseen = (first: number): JobInput<'compress'> => ({ ...compressInput, text: megabyte(first) });
    const alone = await timedCompress(heavy, unseen(300));
    const estimate = simulation.run('estimateServing', LONG_ESTIMATE);
    const beside = await timedCompress(heavy, unseen(600));
    const estimateResult = await estimate;
    const sharedStart = performance.now();
    const queuedEstimate = heavy.run('estimateServing', LONG_ESTIMATE);
    const queuedCompress = heavy.run('compress', unseen(900)).then(() => since(sharedStart));
    await queuedEstimate;
    const queued = await queuedCompress;

    console.log('## Budget Panel on a 1 MB prompt\n');
    console.log(`${doc.length.toLocaleString('en-US')} characters, ${compressDone.tokens.toLocaleString('en-US')} o200k_base tokens; ${servingDone.tokens.toLocaleString('en-US')} Llama-3.1-8B tokens, more than its 131,072-token context. All three started together, workers cold.\n`);
    console.log('| measure | ms |');
    console.log('|---|---:|');
    console.log(`| first status bar count | ${statusMs.toFixed(0)} |`);
    console.log(`| Serving card message (context exceeded; no simulation) | ${servingDone.ms.toFixed(0)} |`);
    console.log(`| Compress File finished | ${compressDone.ms.toFixed(0)} |`);
    console.log('\nCompress File on 1 MB (warm worker; the dev prompts in another order each time) while the Serving card runs a long estimate (32,768 output tokens at 0.01 req/s):\n');
    console.log('| measure | ms | vs alone |');
    console.log('|---|---:|---:|');
    console.log(`| Compress File alone | ${alone.toFixed(0)} | 1.00x |`);
    console.log(`| beside the estimate, on its own lane (today) | ${beside.toFixed(0)} | ${(beside / alone).toFixed(2)}x |`);
    console.log(`| queued behind the estimate on one lane (before) | ${queued.toFixed(0)} | ${(queued / alone).toFixed(2)}x |`);
    console.log(`\nThe estimate: ${estimateResult.eventsUsed.toLocaleString('en-US')} simulated events in ${estimateResult.elapsedMs.toFixed(0)} ms.`);
  } finally {
    interactive.dispose();
    heavy.dispose();
    simulation.dispose();
  }
}

async function timedCompress(client: WorkerClient, input: JobInput<'compress'>): Promise<number> {
  const start = performance.now();
  await client.run('compress', input);
  return since(start);
}
