import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/command';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
}

/** Captured stdout/stderr; a hermetic environment (no API key leaks in from the machine). */
export function fakeIo(stdin = '', cwd = process.cwd(), env: Record<string, string> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: sink(out),
    stderr: sink(err),
    readStdin: async () => stdin,
    cwd,
    env,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
