import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildCatalog, type Catalog } from '../core/catalog/catalog';
import { binaryInputMessage, detectBinary } from '../core/text/binary';
import { UsageError, type CliIo } from './command';

/** Reads FILE, or stdin when FILE is `-` or absent. Unreadable files are user errors. */
export async function readInputText(file: string | undefined, io: CliIo): Promise<{ text: string; name: string }> {
  if (file === undefined || file === '-') return { text: await io.readStdin(), name: '<stdin>' };
  const full = path.resolve(io.cwd, file);
  try {
    return { text: await readFile(full, 'utf8'), name: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read '${file}': ${why}`);
  }
}

/** Refuses binary input (an executable, an image) as a usage error: exit code 2. */
export function requireText(text: string, name: string): void {
  const verdict = detectBinary(text);
  if (verdict.binary) throw new UsageError(binaryInputMessage(name, verdict));
}

/** The bundled catalog, plus a price file (ours or LiteLLM's) when --catalog is given. */
export async function loadCatalog(catalogFile: string | undefined, io: CliIo): Promise<Catalog> {
  if (!catalogFile) return buildCatalog();
  const { text } = await readInputText(catalogFile, io);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`'${catalogFile}' is not valid JSON: ${(error as Error).message}`);
  }
  const catalog = buildCatalog({ externalFile: { json, path: catalogFile, modifiedDate: new Date().toISOString().slice(0, 10) } });
  if (catalog.problems.length > 0) {
    const first = catalog.problems[0]!;
    io.stderr.write(`capsule: ${catalog.problems.length} row(s) of '${catalogFile}' ignored; first: ${first.id}: ${first.problems[0]}\n`);
  }
  return catalog;
}

export function requireModel(catalog: Catalog, id: string) {
  const model = catalog.get(id);
  if (!model) {
    const near = catalog.models.filter((m) => m.id.includes(id) || id.includes(m.id)).slice(0, 3).map((m) => m.id);
    throw new UsageError(`unknown model '${id}'${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; see 'capsule models'`);
  }
  return model;
}
