/**
 * Calibrations of local models, cached per machine, model (its files' fingerprint) and
 * provider in one JSON file: the extension's global storage, or the CLI's cache folder.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { RUNTIME_REVISION, type LocalCalibration } from './selector';
import type { ExecutionProvider } from './providers';

/** CPU model, core count, platform: timings carry over only between identical machines. */
export function machineKey(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} x${cpu.length}, ${process.platform}-${process.arch}`;
}

/** Hash of the package's file names and sizes and of its manifest. */
export function modelFingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const stats = statSync(join(dir, name));
    if (!stats.isFile()) continue;
    hash.update(`${name}:${stats.size};`);
    if (name === 'manifest.json') hash.update(readFileSync(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The CLI's cache file: $XDG_CACHE_HOME (or ~/.cache)/prompt-capsule/local-model-calibration.json. */
export function defaultCalibrationFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'prompt-capsule', 'local-model-calibration.json');
}

const MAX_ENTRIES = 20;

interface CacheFile {
  version: 1;
  calibrations: LocalCalibration[];
}

function read(file: string): CacheFile {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (json.version === 1 && Array.isArray(json.calibrations)) return json;
  } catch {
    // Missing or unreadable: calibrate again.
  }
  return { version: 1, calibrations: [] };
}

export function findCalibration(file: string, modelId: string, fingerprint: string, provider: ExecutionProvider, machine = machineKey()): LocalCalibration | undefined {
  return read(file).calibrations.find(
    (c) => c.modelId === modelId && c.modelFingerprint === fingerprint && c.provider === provider && c.machine === machine && c.runtimeRevision === RUNTIME_REVISION,
  );
}

export function storeCalibration(file: string, calibration: LocalCalibration): void {
  const cache = read(file);
  // One entry per model files, provider and machine; the oldest go past MAX_ENTRIES.
  cache.calibrations = cache.calibrations.filter(
    (c) => !(c.modelFingerprint === calibration.modelFingerprint && c.provider === calibration.provider && c.machine === calibration.machine),
  );
  cache.calibrations.push(calibration);
  cache.calibrations = cache.calibrations.slice(-MAX_ENTRIES);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(cache, null, 2)}\n`);
  renameSync(temporary, file);
}
