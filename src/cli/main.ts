#!/usr/bin/env node
/** The `capsule` command: a thin dispatcher over src/core. */
import { UsageError, type CliCommand, type CliIo } from './command';
import { compressCommand } from './commands/compress';
import { countCommand } from './commands/count';
import { demoCommand } from './commands/demo';
import { goodputCommand } from './commands/goodput';
import { modelInfoCommand } from './commands/model-info';
import { modelsCommand } from './commands/models';
import { planCommand } from './commands/plan';
import { splitCommand } from './commands/split';
import { simValidateCommand } from './commands/sim-validate';
import { simulateCommand } from './commands/simulate';

export const COMMANDS: readonly CliCommand[] = [
  countCommand,
  modelsCommand,
  compressCommand,
  modelInfoCommand,
  simulateCommand,
  goodputCommand,
  planCommand,
  splitCommand,
  simValidateCommand,
  demoCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: capsule <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'capsule <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.usage + '\n');
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`capsule${command ? ` ${command.name}` : ''}: ${error.message}\n`);
      return 2;
    }
    const e = error as Error;
    io.stderr.write(`capsule: internal error: ${e.message}\n${process.env.CAPSULE_DEBUG ? `${e.stack}\n` : ''}`);
    return 1;
  }
}

declare const __CAPSULE_VERSION__: string | undefined;
const VERSION = typeof __CAPSULE_VERSION__ === 'string' ? __CAPSULE_VERSION__ : 'dev';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (require.main === module) {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, readStdin, cwd: process.cwd(), env: process.env };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`capsule: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
