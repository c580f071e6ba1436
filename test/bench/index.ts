/** `npm run bench`: every benchmark, one after the other, printing Markdown. */
import * as capsule from './capsule.bench';
import * as sim from './sim.bench';
import * as tokens from './tokens.bench';

const benches: Array<{ name: string; run(): Promise<void> }> = [
  { name: 'tokens', run: tokens.run },
  { name: 'capsule', run: capsule.run },
  { name: 'sim', run: sim.run },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  console.log(`# Prompt Capsule benchmarks\n\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${require('node:os').cpus().length} CPUs (${require('node:os').cpus()[0]?.model ?? 'unknown'}).\n`);
  for (const bench of benches) {
    if (only.length && !only.includes(bench.name)) continue;
    await bench.run();
    console.log('');
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
