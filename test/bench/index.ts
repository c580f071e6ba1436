/**
 * `npm run bench`: every benchmark, one after the other, printing Markdown. Each runs
 * in a fresh process, so what one warms up (the tokenizer's caches, compiled code)
 * cannot flatter the next one's first-pass figures.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as capsule from './capsule.bench';
import { BENCH_CHILD_FLAG, FIRST_PASS_TASK } from './child';
import * as onnx from './onnx.bench';
import * as panel from './panel.bench';
import * as plan from './plan.bench';
import * as sim from './sim.bench';
import * as tokens from './tokens.bench';

// Loading a module runs nothing heavy: each bench does its work in run().
const BENCHES: Record<string, { run(): Promise<void> }> = { tokens, capsule, onnx, sim, plan, panel };
/** What a child process may be asked to run: a whole benchmark, or a part a benchmark repeats in fresh processes. */
const CHILD_TASKS: Record<string, () => Promise<void>> = {
  ...Object.fromEntries(Object.entries(BENCHES).map(([name, bench]) => [name, () => bench.run()])),
  [FIRST_PASS_TASK]: capsule.runFirstPass,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === BENCH_CHILD_FLAG) {
    const task = CHILD_TASKS[args[1] ?? ''];
    if (!task) throw new Error(`unknown benchmark ${args[1]}`);
    await task();
    return;
  }
  const unknown = args.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  console.log(`# Prompt Capsule benchmarks\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}).\n`);
  for (const name of Object.keys(BENCHES)) {
    if (args.length > 0 && !args.includes(name)) continue;
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, BENCH_CHILD_FLAG, name], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
    console.log('');
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
