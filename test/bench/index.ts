/**
 * `npm run bench`: every benchmark, one after the other, printing Markdown. Each runs
 * in a fresh process, so what one warms up (the tokenizer's caches, compiled code)
 * cannot flatter the next one's first-pass figures.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as capsule from './capsule.bench';
import * as sim from './sim.bench';
import * as tokens from './tokens.bench';

// Loading a module runs nothing heavy: each bench does its work in run().
const BENCHES: Record<string, { run(): Promise<void> }> = { tokens, capsule, sim };
const CHILD_FLAG = '--bench-child';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === CHILD_FLAG) {
    const bench = BENCHES[args[1] ?? ''];
    if (!bench) throw new Error(`unknown benchmark ${args[1]}`);
    await bench.run();
    return;
  }
  const unknown = args.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  console.log(`# Prompt Capsule benchmarks\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}).\n`);
  for (const name of Object.keys(BENCHES)) {
    if (args.length > 0 && !args.includes(name)) continue;
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, CHILD_FLAG, name], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
    console.log('');
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
