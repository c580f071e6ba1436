/** Where the model that ships with the extension lives, from wherever the code runs. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const BUNDLED_MODEL_ID = 'capsule-soft';
const RELATIVE = join('media', 'models', BUNDLED_MODEL_ID);

/**
 * The bundled model folder: media/models/capsule-soft under the extension (or package)
 * root, found from `fromDir` upwards (dist/ in the VSIX and the CLI, out/src/... in tests).
 */
export function bundledModelDir(fromDir: string): string {
  for (let dir = fromDir, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
  }
  return join(dirname(fromDir), RELATIVE);
}
