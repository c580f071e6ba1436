import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LiveTokenCounter, type CountFn, type TokenCounts } from '../../../src/core/count/liveCounter';

/** A count function whose answers the test releases by hand, so nothing depends on timing. */
function controlledCount() {
  const calls: Array<{ text: string; resolve(c: TokenCounts): void; cancelled: () => boolean }> = [];
  const fn: CountFn = (text, _tokenizers, cancellation) =>
    new Promise((resolve) => calls.push({ text, resolve, cancelled: () => cancellation.isCancellationRequested }));
  return { fn, calls };
}

// A regression fails here with a message, instead of hanging until the runner's timeout.
const WAIT_DEADLINE_MS = 5_000;

function waitFor(predicate: () => boolean, what = predicate.toString()): Promise<void> {
  const deadline = Date.now() + WAIT_DEADLINE_MS;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error(`not true within ${WAIT_DEADLINE_MS} ms: ${what}`));
      else setImmediate(poll);
    };
    poll();
  });
}

describe('LiveTokenCounter', () => {
  test('a burst of requests leads to one count of the latest text', async () => {
    const { fn, calls } = controlledCount();
    const counter = new LiveTokenCounter(fn, 0);
    const results: string[] = [];
    for (const text of ['a', 'ab', 'abc']) {
      counter.request({ key: text, getText: () => text, tokenizers: ['o200k_base'] }, (_c, t) => results.push(t), assert.fail);
    }
    await waitFor(() => calls.length === 1);
    assert.equal(calls[0]!.text, 'abc');
    calls[0]!.resolve({ o200k_base: 1 });
    await waitFor(() => results.length === 1);
    assert.deepEqual(results, ['abc']);
    counter.dispose();
  });

  test('a newer request cancels the one in flight and only the newer result is delivered', async () => {
    const { fn, calls } = controlledCount();
    const counter = new LiveTokenCounter(fn, 0);
    const results: number[] = [];
    counter.request({ key: 'old', getText: () => 'old', tokenizers: ['o200k_base'] }, (c) => results.push(c.o200k_base!), assert.fail);
    await waitFor(() => calls.length === 1);
    counter.request({ key: 'new', getText: () => 'new', tokenizers: ['o200k_base'] }, (c) => results.push(c.o200k_base!), assert.fail);
    await waitFor(() => calls.length === 2);
    assert.equal(calls[0]!.cancelled(), true);
    calls[0]!.resolve({ o200k_base: 111 });
    calls[1]!.resolve({ o200k_base: 222 });
    await waitFor(() => results.length === 1);
    assert.deepEqual(results, [222]);
    counter.dispose();
  });

  test('an unchanged key is answered from the last result without counting again', async () => {
    const { fn, calls } = controlledCount();
    const counter = new LiveTokenCounter(fn, 0);
    const results: number[] = [];
    const req = { key: 'same', getText: () => 'same', tokenizers: ['o200k_base' as const] };
    counter.request(req, (c) => results.push(c.o200k_base!), assert.fail);
    await waitFor(() => calls.length === 1);
    calls[0]!.resolve({ o200k_base: 5 });
    await waitFor(() => results.length === 1);
    counter.request(req, (c) => results.push(c.o200k_base!), assert.fail);
    await waitFor(() => results.length === 2);
    assert.equal(calls.length, 1);
    counter.invalidate();
    counter.request(req, (c) => results.push(c.o200k_base!), assert.fail);
    await waitFor(() => calls.length === 2);
    counter.dispose();
  });
});
