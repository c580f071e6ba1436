import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { main } from '../../../src/cli/main';
import { chatReply, FakeOpenAi } from '../../support/fakeOpenAi';
import { fakeIo } from '../../support/fakeIo';

const PROMPT =
  'You are a friendly and helpful travel guide for {{city}}. I will tell you where I am and you will always suggest a few places to visit near me, with a short and clear reason for each one. Never suggest places more than 10 km away, and please always answer in {{language}}.';
const CAPSULE = 'Travel guide for {{city}}: suggest nearby places with a short reason each. Never suggest places more than 10 km away; answer in {{language}}.';

describe('capsule compress --backend llm', () => {
  const server = new FakeOpenAi();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => (server.requests.length = 0));
  const llm = (...extra: string[]) => ['compress', '--backend', 'llm', '--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--max-retries', '0', ...extra];

  test('--json reports candidates, the choice, usage with its cost, and the break-even', async () => {
    server.script('/v1/chat/completions', chatReply([CAPSULE, CAPSULE.replace('{{language}}', 'English')], { prompt_tokens: 400, completion_tokens: 80 }));
    const io = fakeIo(PROMPT, process.cwd(), { CAPSULE_API_KEY: 'sk-from-env' });
    assert.equal(await main(llm('--candidates', '2', '--json'), io), 0, io.err());
    const out = JSON.parse(io.out()) as Record<string, unknown>;
    assert.equal(out['backend'], 'llm');
    assert.equal(out['capsule'], CAPSULE);
    assert.equal(out['chosen'], 0);
    assert.equal(out['fallback'], false);
    const candidates = out['candidates'] as Array<Record<string, unknown>>;
    assert.equal(candidates.length, 2);
    assert.equal(candidates[1]!['passed'], false);
    assert.match(String(candidates[1]!['reason']), /placeholder "\{\{language\}\}"/);
    const usage = out['usage'] as Record<string, unknown>;
    assert.equal(usage['promptTokens'], 400);
    assert.equal(usage['pricedAs'], 'gpt-4o-mini');
    assert.ok((usage['costUsd'] as number) > 0);
    assert.ok(Number.isInteger(out['breakEvenCalls']) && (out['breakEvenCalls'] as number) > 0);
    assert.equal(server.requests[0]!.headers['authorization'], 'Bearer sk-from-env', 'the key from CAPSULE_API_KEY');
  });

  test('OPENAI_API_KEY goes to api.openai.com only: never to a local or other server', async () => {
    server.script('/v1/chat/completions', chatReply([CAPSULE]));
    await main(llm('--candidates', '1'), fakeIo(PROMPT, process.cwd(), { CAPSULE_API_KEY: 'sk-capsule', OPENAI_API_KEY: 'sk-openai' }));
    await main(llm('--candidates', '1'), fakeIo(PROMPT, process.cwd(), { OPENAI_API_KEY: 'sk-openai' }));
    await main(llm('--candidates', '1'), fakeIo(PROMPT));
    assert.deepEqual(server.requests.map((r) => r.headers['authorization']), ['Bearer sk-capsule', 'Bearer no-key', 'Bearer no-key']);
    assert.ok(server.requests.every((r) => r.headers['openai-organization'] === undefined && r.headers['openai-project'] === undefined));
  });

  test('a key is never sent over plain http to another machine, and --target-model is checked before any call', async () => {
    const io = fakeIo(PROMPT, process.cwd(), { CAPSULE_API_KEY: 'sk-capsule' });
    assert.equal(await main(['compress', '--backend', 'llm', '--base-url', 'http://models.example.com/v1', '--model', 'm'], io), 2);
    assert.match(io.err(), /refusing to send the API key over plain http to models\.example\.com/);
    const before = server.requests.length;
    const typo = fakeIo(PROMPT);
    assert.equal(await main(llm('--target-model', 'gpt-4o-typo'), typo), 2);
    assert.match(typo.err(), /unknown --target-model 'gpt-4o-typo'/);
    assert.equal(server.requests.length, before, 'nothing was sent');
  });

  test('an endpoint failure is one line and exit code 1; a missing flag is exit code 2', async () => {
    server.script('/v1/chat/completions', { status: 401, body: { error: { message: 'Incorrect API key provided' } } });
    const io = fakeIo(PROMPT);
    assert.equal(await main(llm(), io), 1);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^capsule compress: http:\/\/127\.0\.0\.1:\d+\/v1 refused the API key \(401\)[^\n]*\n$/);
    const usage = fakeIo(PROMPT);
    assert.equal(await main(['compress', '--backend', 'llm', '--model', 'x'], usage), 2);
    assert.match(usage.err(), /needs --base-url/);
    const stray = fakeIo(PROMPT);
    assert.equal(await main(['compress', '--model', 'x'], stray), 2);
    assert.match(stray.err(), /--model goes with --backend llm/);
  });

  test('--jsonl: one line per prompt, with fallback and usage', async () => {
    server.script('/v1/chat/completions', chatReply([CAPSULE]));
    const io = fakeIo(`${JSON.stringify({ id: 'a', prompt: PROMPT })}\n`);
    assert.equal(await main(llm('--jsonl', '--candidates', '1'), io), 0);
    const line = JSON.parse(io.out()) as Record<string, unknown>;
    assert.equal(line['id'], 'a');
    assert.equal(line['capsule'], CAPSULE);
    assert.equal(line['fallback'], false);
  });
});

describe('capsule compress --probe', () => {
  const server = new FakeOpenAi();
  before(() => server.start());
  after(() => server.stop());

  test('prints the estimated cost first, then reports how often the answers agree', async () => {
    server.script(
      '/v1/chat/completions',
      chatReply([CAPSULE]),
      chatReply(['Where is the old town?']),
      chatReply(['The old town is 2 km north of the station.']),
      chatReply(['The old town is 2 km north of the station.']),
    );
    const io = fakeIo(PROMPT);
    const args = ['compress', '--backend', 'llm', '--base-url', server.baseUrl, '--model', 'gpt-4o-mini', '--candidates', '1', '--probe', '1', '--json'];
    assert.equal(await main(args, io), 0, io.err());
    assert.match(io.err(), /^probe check: 1 question to gpt-4o-mini, at most about [\d,]+ tokens \(~\$0\.\d{4}\)\n$/);
    const probe = (JSON.parse(io.out()) as { probe: Record<string, unknown> }).probe;
    assert.equal(probe['agreement'], 1);
    assert.deepEqual(probe['answers'], [{ question: 'Where is the old town?', similarity: 1, agree: true }]);
    assert.ok((probe['costUsd'] as number) > 0);
  });
});
