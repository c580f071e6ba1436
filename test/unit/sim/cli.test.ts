import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CliIo, UsageError } from '../../../src/cli/command';
import { simulateCommand } from '../../../src/cli/commands/simulate';
import { goodputCommand } from '../../../src/cli/commands/goodput';
import { simValidateCommand } from '../../../src/cli/commands/sim-validate';

function fakeIo(cwd = process.cwd()): { io: CliIo; out: () => string } {
  let text = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const stderr = new Writable({ write: (_c, _e, done) => done() });
  return { io: { stdout, stderr, cwd, readStdin: async () => '' }, out: () => text };
}

const BASE = ['--model', 'llama-3.1-8b', '--gpu', 'a100-80gb', '--input-tokens', '512', '--output-tokens', '64'];

describe('capsule simulate', () => {
  test('--json prints the documented fields', async () => {
    const { io, out } = fakeIo();
    const code = await simulateCommand.run([...BASE, '--rate', '4', '--requests', '200', '--slo-ttft-ms', '200', '--slo-tpot-ms', '50', '--json'], io);
    assert.equal(code, 0);
    const r = JSON.parse(out());
    for (const key of ['ttftMs', 'tpotMs', 'e2eMs']) for (const p of ['mean', 'p50', 'p90', 'p99']) assert.equal(typeof r[key][p], 'number');
    assert.equal(typeof r.throughput.requestsPerSec, 'number');
    assert.equal(typeof r.throughput.outputTokensPerSec, 'number');
    assert.ok(r.sloAttainment >= 0 && r.sloAttainment <= 1);
    assert.equal(r.gpus, 1);
    assert.equal(typeof r.costPer1kRequestsUsd, 'number');
    assert.equal(typeof r.energyJPerRequest, 'number');
  });

  test('same seed, same output; modes and closed loop run', async () => {
    const a = fakeIo();
    const b = fakeIo();
    const args = [...BASE, '--concurrency', '8', '--requests', '64', '--mode', 'llumnix', '--instances', '2', '--seed', '4', '--json'];
    await simulateCommand.run(args, a.io);
    await simulateCommand.run(args, b.io);
    assert.equal(a.out(), b.out());
    const d = fakeIo();
    await simulateCommand.run([...BASE, '--offline', '--requests', '32', '--batch-size', '8', '--mode', 'disaggregated', '--prefill-instances', '2', '--decode-instances', '1', '--json'], d.io);
    assert.equal(JSON.parse(d.out()).gpus, 3);
  });

  test('human output names the deployment', async () => {
    const { io, out } = fakeIo();
    await simulateCommand.run([...BASE, '--rate', '2', '--requests', '50'], io);
    assert.match(out(), /llama-3\.1-8b on a100-80gb \(fp16\), colocated: 1 x TP1 = 1 GPU/);
    assert.match(out(), /TTFT ms/);
  });

  test('reads a JSONL trace relative to the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-trace-'));
    writeFileSync(join(dir, 't.jsonl'), '{"input": 100, "output": 10}\n{"input": 300, "output": 20}\n');
    const { io, out } = fakeIo(dir);
    await simulateCommand.run(['--model', 'tinyllama-1.1b', '--gpu', 'l4', '--trace', 't.jsonl', '--offline', '--requests', '4', '--json'], io);
    assert.equal(JSON.parse(out()).outputTokens, 60);
  });

  test('user mistakes are one-line usage errors', async () => {
    const { io } = fakeIo();
    const cases: string[][] = [
      ['--gpu', 'a100-80gb', '--input-tokens', '1', '--output-tokens', '1', '--offline'],
      [...BASE],
      [...BASE, '--rate', '1', '--offline'],
      [...BASE, '--rate', '1', '--mode', 'magic'],
      ['--model', 'nope', '--gpu', 'a100-80gb', '--input-tokens', '1', '--output-tokens', '1', '--offline'],
      ['--model', 'llama-2-70b', '--gpu', 'a100-80gb', '--input-tokens', '1', '--output-tokens', '1', '--offline'],
      [...BASE, '--rate', '1', '--tp', '3'],
      [...BASE, '--rate', '1', '--input-dist', 'normal:1:2'],
      [...BASE, '--rate', '1', '--prefill-instances', '2'],
    ];
    for (const argv of cases) {
      await assert.rejects(simulateCommand.run(argv, io), (e: unknown) => e instanceof UsageError && !e.message.includes('\n'), argv.join(' '));
    }
  });
});

describe('capsule goodput', () => {
  test('prints goodputRps, goodputPerGpu and config', async () => {
    const { io, out } = fakeIo();
    await goodputCommand.run([...BASE, '--slo-ttft-ms', '300', '--slo-tpot-ms', '60', '--requests', '200', '--json'], io);
    const r = JSON.parse(out());
    assert.ok(r.goodputRps > 0);
    assert.equal(r.goodputPerGpu, r.goodputRps);
    assert.equal(r.config.mode, 'colocated');
  });

  test('--mode disaggregated --search reports the best placement', async () => {
    const { io, out } = fakeIo();
    await goodputCommand.run(['--model', 'opt-13b', '--gpu', 'a100-80gb', '--input-tokens', '512', '--output-tokens', '64', '--slo-ttft-ms', '400', '--slo-tpot-ms', '40', '--requests', '200', '--mode', 'disaggregated', '--search', '--max-gpus', '4', '--json'], io);
    const r = JSON.parse(out());
    assert.ok(r.goodputPerGpu > 0);
    assert.equal(r.config.mode, 'disaggregated');
    assert.ok(r.config.gpus <= 4);
  });

  test('needs SLOs', async () => {
    const { io } = fakeIo();
    await assert.rejects(goodputCommand.run([...BASE], io), UsageError);
    await assert.rejects(goodputCommand.run([...BASE, '--slo-ttft-ms', '100', '--search'], io), /disaggregated/);
  });
});

describe('capsule sim-validate', () => {
  test('prints each row and the median error', async () => {
    const { io, out } = fakeIo();
    await simValidateCommand.run([], io);
    assert.match(out(), /median absolute error/);
    const j = fakeIo();
    await simValidateCommand.run(['--json'], j.io);
    const r = JSON.parse(j.out());
    assert.ok(r.medianAbsErrorPct <= 15 && r.rows.length === r.count);
  });
});

describe('command summaries', () => {
  test('start lowercase and have no trailing period, like the other commands', () => {
    for (const command of [simulateCommand, goodputCommand, simValidateCommand]) {
      assert.match(command.summary, /^[a-z]/, command.name);
      assert.doesNotMatch(command.summary, /\.$/, command.name);
    }
  });
});
