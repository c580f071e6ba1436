import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { compressCommand } from '../../../src/cli/commands/compress';
import type { CliIo } from '../../../src/cli/command';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function fakeIo(stdin = '', cwd = process.cwd()): CliIo & { out: Capture; err: Capture } {
  const out = new Capture();
  const err = new Capture();
  return { stdout: out, stderr: err, out, err, cwd, readStdin: () => Promise.resolve(stdin) };
}

const PROMPT =
  'I want you to act as a travel guide. I will tell you my location and you will suggest a place to visit near my location. Do not suggest places more than 10 km away. Reply in {{language}}.';

describe('capsule compress', () => {
  test('prints the capsule to stdout and a summary to stderr', async () => {
    const io = fakeIo(PROMPT);
    assert.equal(await compressCommand.run(['--rate', '0.5'], io), 0);
    assert.ok(io.out.text.includes('{{language}}'));
    assert.ok(io.out.text.length < PROMPT.length);
    assert.match(io.err.text, /<stdin>: \d+ -> \d+ tokens \(o200k_base\)/);
  });

  test('--json reports sizes and rate', async () => {
    const io = fakeIo(PROMPT);
    assert.equal(await compressCommand.run(['-', '--target-tokens', '25', '--json', '--tokenizer', 'cl100k_base'], io), 0);
    const result = JSON.parse(io.out.text) as Record<string, unknown>;
    assert.equal(typeof result['capsule'], 'string');
    assert.equal(result['targetTokens'], 25);
    assert.equal(result['tokenizer'], 'cl100k_base');
    assert.ok((result['capsuleTokens'] as number) < (result['originalTokens'] as number));
    assert.equal(typeof result['rate'], 'number');
  });

  test('--jsonl: one line per input, bad lines get an error and the rest complete', async () => {
    const input = [
      JSON.stringify({ id: 1, prompt: PROMPT }),
      '{not json',
      JSON.stringify({ id: 'b', text: 'no prompt field' }),
      '',
      JSON.stringify({ id: 3, prompt: PROMPT }),
    ].join('\n');
    const io = fakeIo(input);
    assert.equal(await compressCommand.run(['--jsonl', '--rate', '0.4'], io), 1);
    const lines = io.out.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 4);
    assert.equal(lines[0]!['id'], 1);
    assert.equal(typeof lines[0]!['capsule'], 'string');
    assert.ok((lines[0]!['capsuleTokens'] as number) < (lines[0]!['originalTokens'] as number));
    assert.equal(lines[1]!['id'], null);
    assert.match(lines[1]!['error'] as string, /not valid JSON/);
    assert.equal(lines[2]!['id'], 'b');
    assert.match(lines[2]!['error'] as string, /prompt/);
    assert.equal(lines[3]!['id'], 3);
  });

  test('reads a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-'));
    fs.writeFileSync(path.join(dir, 'p.txt'), PROMPT);
    const io = fakeIo('', dir);
    assert.equal(await compressCommand.run(['p.txt'], io), 0);
    assert.ok(io.out.text.includes('10 km'));
    fs.rmSync(dir, { recursive: true });
  });

  test('user mistakes are UsageErrors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--rate', '0.5', '--target-tokens', '10'], /mutually exclusive/],
      [['--json', '--jsonl'], /mutually exclusive/],
      [['--rate', '0'], /\(0, 1\]/],
      [['--rate', '2'], /\(0, 1\]/],
      [['--backend', 'llmlingua'], /unknown backend 'llmlingua'/],
      [['--tokenizer', 'p50k'], /unknown tokenizer 'p50k'/],
      [['missing-file.txt'], /cannot read 'missing-file.txt'/],
      [['a.txt', 'b.txt'], /at most one FILE/],
    ];
    for (const [argv, message] of cases) {
      await assert.rejects(compressCommand.run(argv, fakeIo(PROMPT)), (error: Error) => error.name === 'UsageError' && message.test(error.message));
    }
  });
});
