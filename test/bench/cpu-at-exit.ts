/**
 * Preloaded (`node --require`) into a process the capsule bench times whole: at exit,
 * writes the process's CPU time (every thread, start-up included) to the file named by
 * BENCH_CPU_FILE, which the parent cannot read from spawnSync.
 */
import * as fs from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    fs.writeFileSync(file, JSON.stringify({ cpuMs: (user + system) / 1000 }));
  });
}
