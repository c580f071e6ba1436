import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { compressPrompt } from '../../../src/core/capsule/index';
import { buildCatalog } from '../../../src/core/catalog/catalog';
import { CapsuleCache, capsuleCacheKey } from '../../../src/core/llm/cache';
import { calibrateModel } from '../../../src/core/llm/calibrate';
import { parameterBillions, selectModel } from '../../../src/core/llm/select';
import { compressWithLlm, type LlmCapsuleResult } from '../../../src/core/llm/capsulator';
import { compressionEconomics } from '../../../src/core/llm/economics';
import { EndpointError, openAiEndpoint, type EndpointConfig } from '../../../src/core/llm/endpoint';
import { isLoopbackHost } from '../../../src/core/llm/hosts';
import { probeLocalServers } from '../../../src/core/llm/localServers';
import { estimateProbeCost, parseQuestions, probeAgreement, wordOverlap } from '../../../src/core/llm/probe';
import { preparePrompt } from '../../../src/core/llm/spans';
import { validateCandidate } from '../../../src/core/llm/validate';
import { getTokenizer } from '../../../src/core/tokens/tokenizer';
import { WorkerClient } from '../../../src/core/worker/client';
import { COMPILED_WORKER } from '../../support/paths';
import { chatReply, embeddingsReply, FakeOpenAi } from '../../support/fakeOpenAi';

const CHAT = '/v1/chat/completions';
const FENCE = '```json\n{ "category": "billing", "urgency": 3 }\n```';
const PROMPT = [
  '# Support reply',
  '',
  'You are a friendly and helpful customer support assistant for Acme Cloud. Your job is to write a reply to the customer named {{name}} about their open ticket, and you should always be polite and warm.',
  '',
  'Please make sure that you always read the whole ticket carefully before you start writing your answer, and please make sure that you really understand what the customer is actually asking about before answering.',
  '',
  'Answer in this format:',
  '',
  FENCE,
  '',
  'The full pricing is explained at https://acme.example.com/pricing for anyone who asks about it. Never promise refunds.',
  '',
].join('\n');
const GOOD = '# Support reply\n\nYou are Acme Cloud support. Reply politely to {{name}} about their ticket; read it fully first.\n\nFormat:\n⟦BLOCK 1⟧\n\nPricing: https://acme.example.com/pricing. Never promise refunds.';
const GOOD_SHORTER = '# Support reply\nAcme Cloud support: reply to {{name}}.\n⟦BLOCK 1⟧\nPricing: https://acme.example.com/pricing. Never promise refunds.';
const builtin = { builtin: (text: string, options: { rate?: number }) => compressPrompt(text, options) };


/** Resolves when `condition` holds (checked every 5 ms): waits on a condition, never a fixed time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('LLM capsule backend (loopback OpenAI-compatible server, real HTTP)', () => {
  const server = new FakeOpenAi();
  let config: EndpointConfig;
  before(async () => {
    await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    config = { baseUrl: server.baseUrl, apiKey: 'sk-test-secret', model: 'gpt-4o-mini', timeoutMs: 2000, maxRetries: 1 };
  });
  const run = (options = {}, endpointConfig = config, signal?: AbortSignal): Promise<LlmCapsuleResult> =>
    compressWithLlm(PROMPT, { rate: 0.5, candidates: 3, ...options }, openAiEndpoint(endpointConfig), builtin, signal);

  test('markers stand in for code blocks: the model never sees the fence, the capsule has it byte for byte', async () => {
    const prepared = preparePrompt(PROMPT);
    assert.equal(prepared.blocks.length, 1);
    assert.ok(!prepared.masked.includes('"urgency"'));
    assert.deepEqual(prepared.mustKeep.map((i) => i.text), ['{{name}}', 'https://acme.example.com/pricing', 'Never promise refunds']);
    server.script(CHAT, chatReply([GOOD]));
    const result = await run({ candidates: 1 });
    assert.equal(result.fallback, false);
    assert.ok(result.capsule.includes(FENCE), result.capsule);
    const sent = server.requestsTo(CHAT)[0]!.body!;
    assert.equal(sent['model'], 'gpt-4o-mini');
    assert.equal(sent['n'], 1);
    const messages = sent['messages'] as Array<{ role: string; content: string }>;
    assert.ok(!messages[1]!.content.includes('"urgency"') && messages[1]!.content.includes('⟦BLOCK 1⟧'), 'the block travels as a marker');
    assert.match(messages[0]!.content, /Copy each of these items exactly[\s\S]*\{\{name\}\}/);
    assert.equal(server.requestsTo(CHAT)[0]!.headers['authorization'], 'Bearer sk-test-secret');
  });

  test('each candidate is validated; the best valid one wins and every rejection says why', async () => {
    const tooLong = `${GOOD}\n${'Also remember to be very polite and helpful in every single answer you write. '.repeat(12)}`;
    const dropsPlaceholder = GOOD.replace('{{name}}', 'the customer');
    const mangledMarker = GOOD.replace('⟦BLOCK 1⟧', '⟦BLOCK1⟧');
    server.script(CHAT, chatReply([tooLong, dropsPlaceholder, mangledMarker, GOOD]));
    const result = await run({ candidates: 4 });
    assert.equal(result.candidates.length, 4);
    assert.deepEqual(result.candidates.map((c) => c.passed), [false, false, false, true]);
    assert.match(result.candidates[0]!.reason!, /tokens, over the limit of/);
    assert.match(result.candidates[1]!.reason!, /placeholder "\{\{name\}\}" missing or altered/);
    assert.match(result.candidates[2]!.reason!, /⟦BLOCK 1⟧ \(a code-fence\) is missing/);
    assert.equal(result.chosen, 3);
    assert.equal(result.capsule, GOOD.replace('⟦BLOCK 1⟧', FENCE));
    assert.ok(result.report.withinBudget && result.report.capsuleTokens <= result.report.targetTokens * 1.05);
    assert.deepEqual(result.usage, { promptTokens: 100, completionTokens: 40, embeddingTokens: 0, requests: 1 });
  });

  test('a lost constraint or an invented marker is rejected; none passing falls back to the built-in capsule', async () => {
    server.script(CHAT, chatReply([GOOD.replace('Never promise refunds.', 'Be nice.'), `${GOOD}\n⟦BLOCK 2⟧`]));
    const result = await run({ candidates: 2 });
    assert.equal(result.fallback, true);
    assert.equal(result.chosen, null);
    assert.match(result.fallbackReason!, /no candidate passed \(1: constraint "Never promise refunds" lost; 2: ⟦BLOCK 2⟧ is not a marker of this prompt/);
    assert.equal(result.capsule, compressPrompt(PROMPT, { rate: 0.5 }).capsule, 'the built-in capsule');
  });

  test('ranking by embeddings when an embeddings model is configured', async () => {
    server.script(CHAT, chatReply([GOOD, GOOD_SHORTER]));
    // Original, then the two passing candidates: the second is nearer in meaning here.
    server.script('/v1/embeddings', embeddingsReply([[1, 0], [0, 1], [1, 0.1]]));
    const result = await run({ candidates: 2 }, { ...config, embeddingsModel: 'text-embedding-3-small' });
    assert.equal(result.ranking, 'embeddings');
    assert.equal(result.chosen, 1);
    assert.ok(result.candidates[1]!.meaning! > 0.99 && result.candidates[0]!.meaning! < 0.01);
    assert.equal(result.usage.embeddingTokens, 10);
  });

  test('429 with Retry-After, then success: retried, and the capsule comes back', async () => {
    server.script(CHAT, { status: 429, body: { error: { message: 'Rate limit reached', type: 'requests' } }, headers: { 'retry-after': '0' } }, chatReply([GOOD]));
    const result = await run({ candidates: 1 });
    assert.equal(result.fallback, false);
    assert.equal(server.requestsTo(CHAT).length, 2);
  });

  test('500s until the retries give up: one clear error', async () => {
    server.script(CHAT, { status: 500, body: { error: { message: 'upstream exploded' } }, headers: { 'retry-after-ms': '1' } });
    await assert.rejects(run({ candidates: 1 }), (e: EndpointError) => e.kind === 'server' && /failed \(500\) after 1 retry: upstream exploded/.test(e.message));
    assert.equal(server.requestsTo(CHAT).length, 2, 'the first try and one retry');
  });

  test('a slow server hits the timeout', async () => {
    server.script(CHAT, { ...chatReply([GOOD]), delayMs: 1500 });
    await assert.rejects(run({ candidates: 1 }, { ...config, timeoutMs: 200, maxRetries: 0 }), (e: EndpointError) => e.kind === 'timeout' && /did not answer the capsule request within 0\.2 s/.test(e.message));
  });

  test('malformed JSON and a reply without choices are reported as such', async () => {
    server.script(CHAT, { body: '{"choices": [ this is not json' });
    await assert.rejects(run({ candidates: 1 }), (e: EndpointError) => e.kind === 'malformed' && /not an OpenAI-style response/.test(e.message));
    server.script(CHAT, { body: { object: 'chat.completion' } });
    await assert.rejects(run({ candidates: 1 }), (e: EndpointError) => e.kind === 'malformed' && /no "choices" array/.test(e.message));
  });

  test('cancelling mid-request rejects at once with AbortError', async () => {
    server.script(CHAT, { ...chatReply([GOOD]), delayMs: 1500 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = run({ candidates: 1 }, config, controller.signal);
    // Abort once the server has the request: under load a request aborted earlier could
    // reach the server only after this test, into the next test's record.
    await until(() => server.requestsTo(CHAT).length === 1);
    const aborted = performance.now();
    controller.abort();
    await assert.rejects(pending, (e: EndpointError) => e.kind === 'cancelled' && e.name === 'AbortError');
    assert.ok(performance.now() - aborted < 1000 && aborted - started < 1500);
  });

  test('a server that refuses n > 1 gets k single requests', async () => {
    server.script(CHAT, { status: 400, body: { error: { message: "'n' must be 1 for this model", type: 'invalid_request_error' } } }, chatReply([GOOD_SHORTER]), chatReply([GOOD]), chatReply([GOOD]));
    const result = await run({ candidates: 3, concurrency: 2 });
    const calls = server.requestsTo(CHAT).map((r) => r.body!['n']);
    assert.deepEqual(calls, [3, 1, 1, 1]);
    assert.equal(result.candidates.length, 3);
    assert.equal(result.fallback, false);
  });

  test('a server that ignores n is topped up with single requests', async () => {
    server.script(CHAT, chatReply([GOOD]), chatReply([GOOD_SHORTER]));
    const result = await run({ candidates: 2 });
    assert.deepEqual(server.requestsTo(CHAT).map((r) => r.body!['n']), [2, 1]);
    assert.equal(result.candidates.length, 2);
    assert.equal(result.usage.requests, 2);
  });

  test('401, 403, 404, context length and connection refused get messages that say what to do', async () => {
    const cases: Array<[number, unknown, EndpointError['kind'], RegExp]> = [
      [401, { error: { message: 'Incorrect API key provided' } }, 'auth', /refused the API key \(401\)/],
      [403, { error: { message: 'not allowed' } }, 'forbidden', /does not allow this key to use gpt-4o-mini \(403\)/],
      [404, { error: { message: 'The model does not exist' } }, 'not-found', /Model 'gpt-4o-mini' or the API was not found .*\(404\).*ends in \/v1/],
    ];
    for (const [status, body, kind, message] of cases) {
      server.script(CHAT, { status, body });
      await assert.rejects(run({ candidates: 1 }), (e: EndpointError) => e.kind === kind && message.test(e.message), `${status}`);
    }
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = `http://127.0.0.1:${port}/v1`;
    await assert.rejects(run({ candidates: 1 }, { ...config, baseUrl: refused, maxRetries: 0 }), (e: EndpointError) => e.kind === 'connection' && e.message.startsWith(`Could not connect to ${refused} (ECONNREFUSED)`));
    for (const r of server.requests) assert.ok(!JSON.stringify(r.body).includes('sk-test-secret'), 'the key travels only in the header');
  });

  test('a request the server refuses as such (context length, a parameter) falls back to the built-in capsule with the reason', async () => {
    server.script(CHAT, { status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } } });
    const long = await run({ candidates: 1 });
    assert.equal(long.fallback, true);
    assert.match(long.fallbackReason!, /the endpoint refused the request: The prompt is longer than gpt-4o-mini's context/);
    server.script(CHAT, { status: 400, body: { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model." } } });
    assert.match((await run({ candidates: 1 })).fallbackReason!, /Unsupported parameter/);
  });

  test('whole numbers, block order and lines, and nothing invented (review findings)', async () => {
    const prompt = `Wait 5 minutes, then run:\n\n${FENCE}\n\nThe price is $49 and the timeout is 1 second. Never retry more than 3 times.\n`;
    const prepared = preparePrompt(prompt);
    const check = (candidate: string) => validateCandidate(candidate, prepared.blocks, prepared.mustKeep, prompt);
    const good = 'Wait 5 minutes, then run:\n⟦BLOCK 1⟧\nPrice $49, timeout 1 second. Never retry more than 3 times.';
    assert.deepEqual(check(good), { passed: true });
    assert.match((check(good.replace('5 minutes', '15 minutes')) as { reason: string }).reason, /number "5" missing or altered/);
    assert.match((check(good.replace('$49', '$499')) as { reason: string }).reason, /number "49" missing or altered/);
    assert.match((check(good.replace('timeout 1 second', 'no timeout')) as { reason: string }).reason, /number "1" missing or altered/, 'the 1 of ⟦BLOCK 1⟧ does not count');
    assert.match((check(good.replace('run:\n⟦BLOCK 1⟧\n', 'run ⟦BLOCK 1⟧ now. ')) as { reason: string }).reason, /not on a line of its own/);
    assert.match((check(`${good}\nSee https://evil.example.com/x and {{secret}}.`) as { reason: string }).reason, /"https:\/\/evil\.example\.com\/x" is not in the prompt \(invented\)/);
    const two = `${FENCE}\nand then\n\n\u0060\u0060\u0060sh\nrm -rf build\n\u0060\u0060\u0060\n`;
    const prepared2 = preparePrompt(two);
    assert.match((validateCandidate('⟦BLOCK 2⟧\nthen\n⟦BLOCK 1⟧', prepared2.blocks, prepared2.mustKeep, two) as { reason: string }).reason, /⟦BLOCK 2⟧ comes before ⟦BLOCK 1⟧; the prompt has them the other way round/);
  });

  test('after the first failure no further request starts; top-ups are sampled, not greedy', async () => {
    server.script(CHAT, { status: 400, body: { error: { message: "'n' must be 1" } } }, chatReply([GOOD]), { status: 401, body: { error: { message: 'key revoked' } } });
    await assert.rejects(run({ candidates: 6, concurrency: 1 }), (e: EndpointError) => e.kind === 'auth');
    const calls = server.requestsTo(CHAT);
    assert.equal(calls.length, 3, 'n refused, one top-up, the 401: then nothing more');
    assert.equal(calls[1]!.body!['temperature'], 0.7);
  });

  test('content-filtered choices are left out; all filtered is an error', async () => {
    server.script(CHAT, chatReply(['', ''], undefined, 'content_filter'));
    await assert.rejects(run({ candidates: 2 }), (e: EndpointError) => e.kind === 'content-filter');
  });

  test('JSON prompts and rate 1 make no request', async () => {
    const json = compressWithLlm('{"role": "system", "content": "You are a helpful assistant who always answers politely and at length."}', { rate: 0.5 }, openAiEndpoint(config), builtin);
    const result = await json;
    assert.equal(result.fallback, true);
    assert.match(result.fallbackReason!, /JSON prompt is data/);
    const same = await compressWithLlm(PROMPT, { rate: 1 }, openAiEndpoint(config), builtin);
    assert.equal(same.capsule, PROMPT);
    assert.equal(server.requests.length, 0);
  });
});

describe('compression economics', () => {
  const catalog = buildCatalog();
  test('cost of the compression calls, saving per call and break-even', () => {
    const mini = catalog.get('gpt-4o-mini')!;
    const target = catalog.get('gpt-4o')!;
    const usage = { promptTokens: 1000, completionTokens: 300, embeddingTokens: 0, requests: 1 };
    const e = compressionEconomics(usage, mini, target, { originalTokens: 1000, capsuleTokens: 500, tokenizer: 'o200k_base' });
    const cost = (1000 * mini.inputPerMTok + 300 * mini.outputPerMTok) / 1e6;
    assert.ok(Math.abs(e.compressionCostUsd! - cost) < 1e-12);
    assert.ok(Math.abs(e.savingPerCallUsd - (500 * target.inputPerMTok) / 1e6) < 1e-12);
    assert.equal(e.breakEvenCalls, Math.ceil(cost / e.savingPerCallUsd));
    assert.ok(e.netAfter(e.breakEvenCalls!)! >= 0 && e.netAfter(e.breakEvenCalls! - 1)! < 0);
    const local = compressionEconomics(usage, undefined, target, { originalTokens: 1000, capsuleTokens: 500, tokenizer: 'o200k_base' });
    assert.equal(local.compressionCostUsd, null, 'a local model has no price');
    assert.equal(local.breakEvenCalls, null);
    assert.ok(getTokenizer('o200k_base'));
  });
});

describe('local model servers', () => {
  test('loopback hosts: the prompt does not leave the machine', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['api.openai.com', '10.0.0.5', '128.0.0.1', 'localhost.example.com']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('lists the models of the loopback ports that answer /v1/models, and skips the rest', async () => {
    const ollama = await new FakeOpenAi().script('/v1/models', { body: { object: 'list', data: [{ id: 'qwen2.5:0.5b' }, { id: 'qwen2.5:7b' }] } }).start();
    const notOpenAi = await new FakeOpenAi().script('/v1/models', { body: '<html>hello</html>' }).start();
    const slow = await new FakeOpenAi().script('/v1/models', { body: { data: [{ id: 'late' }] }, delayMs: 2000 }).start();
    const portOf = (s: FakeOpenAi) => Number(new URL(s.baseUrl).port);
    try {
      const found = await probeLocalServers([portOf(ollama), portOf(notOpenAi), portOf(slow)], 300);
      assert.deepEqual(found, [{ baseUrl: ollama.baseUrl, port: portOf(ollama), models: ['qwen2.5:0.5b', 'qwen2.5:7b'] }]);
    } finally {
      await Promise.all([ollama.stop(), notOpenAi.stop(), slow.stop()]);
    }
  });
});

describe('capsule cache', () => {
  test('the key changes with anything that changes the capsule, and entries are bounded, least recent first', () => {
    const base = { prompt: 'p', baseUrl: 'http://a/v1', model: 'm', rate: 0.5, tokenizer: 'o200k_base', candidates: 3 };
    const key = capsuleCacheKey(base);
    assert.equal(capsuleCacheKey({ ...base }), key);
    for (const change of [{ prompt: 'q' }, { baseUrl: 'http://b/v1' }, { model: 'n' }, { rate: 0.4 }, { candidates: 2 }, { embeddingsModel: 'e' }, { tokenizer: 'cl100k_base' }]) {
      assert.notEqual(capsuleCacheKey({ ...base, ...change }), key, JSON.stringify(change));
    }
    const cache = new CapsuleCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    assert.deepEqual(cache.entries(), [['a', 1], ['c', 3]]);
    assert.equal(cache.clear(), 2);
  });
});

describe('the LLM job in the worker thread', () => {
  const server = new FakeOpenAi();
  const client = new WorkerClient(COMPILED_WORKER);
  before(() => server.start());
  after(async () => {
    client.dispose();
    await server.stop();
  });
  const job = () => ({ text: PROMPT, options: { rate: 0.5, candidates: 1 }, endpoint: { baseUrl: server.baseUrl, model: 'gpt-4o-mini', timeoutMs: 3000, maxRetries: 0 } });

  test('runs there, and a failure keeps its kind across the thread boundary', async () => {
    server.script(CHAT, chatReply([GOOD]));
    const result = await client.run('compressLlm', job());
    assert.equal(result.capsule, GOOD.replace('⟦BLOCK 1⟧', FENCE));
    server.script(CHAT, { status: 401, body: { error: { message: 'bad key' } } });
    await assert.rejects(client.run('compressLlm', job()), (e: Error) => e instanceof EndpointError && e.kind === 'auth');
  });

  test('cancelling from the host aborts the request in flight', async () => {
    server.script(CHAT, { ...chatReply([GOOD]), delayMs: 2000 });
    server.requests.length = 0;
    let cancel: () => void = () => {};
    const token = {
      isCancellationRequested: false,
      onCancellationRequested(listener: () => void) {
        cancel = listener;
        return { dispose() {} };
      },
    };
    const started = performance.now();
    const pending = client.run('compressLlm', job(), token);
    await waitUntil(() => server.requestsTo(CHAT).length === 1);
    cancel();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.ok(performance.now() - started < 1500);
    // The worker is free again at once: the aborted fetch does not hold it.
    server.script(CHAT, chatReply([GOOD]));
    assert.equal((await client.run('compressLlm', job())).fallback, false);
  });
});

async function waitUntil(predicate: () => boolean, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not true within ${deadlineMs} ms: ${predicate.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('local sub-model selection', () => {
  const cal = (model: string, msPer1kTokens: number, passShare: number, error?: string) => {
    const billions = parameterBillions(model);
    return { model, baseUrl: 'http://127.0.0.1:11434/v1', msPer1kTokens, passShare, samples: 3, measuredAt: '2026-12-05T00:00:00Z', ...(billions !== undefined ? { billions } : {}), ...(error ? { error } : {}) };
  };
  const models = [cal('qwen2.5:0.5b', 300, 0.3), cal('qwen2.5:1.5b', 600, 0.8), cal('qwen2.5:7b', 2500, 1), cal('llama3.1:8b', 2600, 1)];

  test('parameter counts come from the model names', () => {
    assert.equal(parameterBillions('qwen2.5:0.5b'), 0.5);
    assert.equal(parameterBillions('llama-3.1-8b-instruct'), 8);
    assert.equal(parameterBillions('smollm2-360m'), 0.36);
    assert.equal(parameterBillions('gpt-4o-mini'), undefined);
  });

  test('the smallest reliable model within the budget, with the reason', () => {
    const tight = selectModel(models, 1000, 1000);
    assert.equal(tight.model, 'qwen2.5:1.5b', '0.5b is faster but its candidates fail too often');
    assert.match(tight.reason, /smallest model within the 1,000 ms budget: predicted 600 ms for 1,000 tokens .* 80% of its candidates passed/);
    assert.equal(selectModel(models, 1000, 10_000).model, 'qwen2.5:1.5b', 'a loose budget still prefers the smallest reliable model');
    assert.equal(selectModel(models, 1000, 10_000, 0.9).model, 'qwen2.5:7b', 'a higher quality floor moves up a size');
    const none = selectModel(models, 10_000, 100);
    assert.equal(none.model, 'qwen2.5:1.5b');
    assert.match(none.reason, /no model fits the 100 ms budget; the fastest reliable one/);
    assert.equal(selectModel([cal('broken:1b', Infinity, 0, 'connection refused')], 100, 1000).model, undefined);
  });

  test('calibration measures time per 1k tokens and the share of candidates that pass', async () => {
    const server = await new FakeOpenAi().script(CHAT, chatReply([GOOD, 'too short and missing everything'])).start();
    try {
      let clock = 0;
      const endpoint = openAiEndpoint({ baseUrl: server.baseUrl, model: 'qwen2.5:1.5b', timeoutMs: 2000, maxRetries: 0 });
      const result = await calibrateModel(endpoint, [PROMPT, PROMPT], { rate: 0.5, candidates: 2 }, (t, o) => compressPrompt(t, o), undefined, () => (clock += 100));
      assert.equal(result.passShare, 0.5);
      assert.equal(result.billions, 1.5);
      const tokens = getTokenizer('o200k_base').count(PROMPT);
      assert.ok(Math.abs(result.msPer1kTokens - (100 * 1000) / tokens) < 1e-9, `${result.msPer1kTokens}`);
    } finally {
      await server.stop();
    }
  });
});

describe('probe-question agreement', () => {
  test('generated questions, answered with the original and with the capsule; agreement by word overlap', async () => {
    const server = await new FakeOpenAi()
      .script(
        CHAT,
        chatReply(['1. How do I get a refund?\n2. What does the Pro plan cost?']),
        chatReply(['Billing will contact you about refunds within two days.']),
        chatReply(['Billing will contact you about refunds within two days.']),
        chatReply(['The Pro plan costs 49 USD per month.']),
        chatReply(['I cannot help with sunsets or weather forecasts.']),
      )
      .start();
    try {
      const report = await probeAgreement(PROMPT, GOOD, openAiEndpoint({ baseUrl: server.baseUrl, model: 'gpt-4o', timeoutMs: 2000, maxRetries: 0 }), { count: 2 });
      assert.deepEqual(report.questions, ['How do I get a refund?', 'What does the Pro plan cost?']);
      assert.equal(report.measure, 'word-overlap');
      assert.deepEqual(report.answers.map((a) => a.agree), [true, false]);
      assert.equal(report.agreement, 0.5);
      const systems = server.requestsTo(CHAT).slice(1).map((r) => (r.body!['messages'] as Array<{ content: string }>)[0]!.content);
      assert.equal(systems.filter((s) => s === PROMPT).length, 2, 'each question once with the original');
      assert.equal(systems.filter((s) => s === GOOD).length, 2, 'and once with the capsule');
    } finally {
      await server.stop();
    }
  });

  test('its cost is estimated before it runs', () => {
    const model = buildCatalog().get('gpt-4o')!;
    const estimate = estimateProbeCost(1000, 500, 3, true, model);
    assert.ok(estimate.tokens > 3 * 1500 && estimate.usd! > 0);
    assert.equal(estimateProbeCost(1000, 500, 3, false, undefined).usd, null);
    assert.deepEqual(parseQuestions('- one?\n* two?\n3) three?\n\nok', 5), ['one?', 'two?', 'three?']);
    assert.equal(wordOverlap('Refunds need billing approval', 'For billing approval, refunds need it'), 1);
    assert.equal(wordOverlap('Refunds need billing approval', 'billing approval for refunds'), 0.75);
  });
});
