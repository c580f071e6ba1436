import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getTokenizer } from '../../../src/core/tokens/tokenizer';
import { CancelledError, type CancellationLike } from '../../../src/core/worker/cancellation';
import { WorkerClient } from '../../../src/core/worker/client';
import { COMPILED_WORKER } from '../../support/paths';

function cancellationSource() {
  const listeners: Array<() => void> = [];
  let cancelled = false;
  const token: CancellationLike = {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested(l) {
      listeners.push(l);
      return { dispose() {} };
    },
  };
  return { token, cancel: () => ((cancelled = true), listeners.forEach((l) => l())) };
}

describe('worker client', () => {
  const client = new WorkerClient(COMPILED_WORKER);
  after(() => client.dispose());

  test('counts in a worker thread, equal to counting in-process', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    const counts = await client.run('countTokens', { text, tokenizers: ['o200k_base', 'cl100k_base'] });
    assert.equal(counts.o200k_base, getTokenizer('o200k_base').count(text));
    assert.equal(counts.cl100k_base, getTokenizer('cl100k_base').count(text));
  });

  test('jobs run in order and each gets its own answer', async () => {
    const texts = ['a', 'a b', 'a b c d e f'];
    const results = await Promise.all(texts.map((text) => client.run('countTokens', { text, tokenizers: ['o200k_base'] })));
    assert.deepEqual(results.map((r) => r.o200k_base), texts.map((t) => getTokenizer('o200k_base').count(t)));
  });

  test('a cancelled job rejects with AbortError; the worker keeps serving', async () => {
    const source = cancellationSource();
    const pending = client.run('countTokens', { text: 'x '.repeat(200_000), tokenizers: ['o200k_base'] }, source.token);
    source.cancel();
    await assert.rejects(pending, (e: Error) => e instanceof CancelledError && e.name === 'AbortError');
    const again = await client.run('countTokens', { text: 'still alive', tokenizers: ['o200k_base'] });
    assert.equal(again.o200k_base, getTokenizer('o200k_base').count('still alive'));
  });

  test('an already-cancelled token never reaches the worker', async () => {
    const source = cancellationSource();
    source.cancel();
    await assert.rejects(client.run('countTokens', { text: 'x', tokenizers: ['o200k_base'] }, source.token), CancelledError);
  });

  test('an unknown job kind is an error, not a crash', async () => {
    await assert.rejects(client.run('nope' as 'countTokens', { text: '', tokenizers: [] }), /unknown job kind/);
  });

  test('a job\'s progress arrives while it runs, before its result', async () => {
    const seen: string[] = [];
    const query = { model: 'llama-3.1-8b', gpu: 'h100-sxm', precision: 'bf16', mode: 'colocated' as const, rate: 4, outputTokens: 64, sloTtftMs: 500, sloTpotMs: 100, gpus: 1, inputTokens: 500, requests: 100 };
    const estimate = await client.run('estimateServing', query, undefined, (p) => seen.push(`${p.done}/${p.total}`));
    seen.push('result');
    assert.deepEqual(seen, ['1/11', '2/11', '3/11', '4/11', '5/11', '6/11', '7/11', '8/11', '9/11', '10/11', '11/11', 'result']);
    assert.equal(estimate.modes.length, 3);
  });
});

describe('worker client: the local model backend', () => {
  const client = new WorkerClient(COMPILED_WORKER);
  after(() => client.dispose());
  const fixture = require('node:path').join(__dirname, '../../../../test/fixtures/models/causal-byte') as string;

  test('compresses with a local model in the worker thread and reports the sub-model', async () => {
    const result = await client.run('compressLocal', { text: 'Reply with the order number 12345 and a short, polite greeting for the customer.', options: { rate: 0.6 }, request: { modelDir: fixture, provider: 'cpu', depth: 2 } });
    assert.equal(result.local.depth, 2);
    assert.equal(result.local.provider, 'cpu');
    assert.ok(result.capsule.includes('12345'));
  });

  test('a bad model folder is an error with its name, and the worker keeps serving', async () => {
    await assert.rejects(client.run('compressLocal', { text: 'hello there', options: { rate: 0.5 }, request: { modelDir: '/nonexistent/model', provider: 'cpu' } }), (e: Error) => e.name === 'ModelPackageError' && /is not a folder/.test(e.message));
    const counts = await client.run('countTokens', { text: 'still here', tokenizers: ['o200k_base'] });
    assert.equal(counts.o200k_base, getTokenizer('o200k_base').count('still here'));
  });
});
