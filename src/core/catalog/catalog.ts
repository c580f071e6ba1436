import bundledFile from './models.json';
import { importLiteLlm } from './litellm';
import type { ModelCatalogFile, ModelEntry } from './types';
import { isRowProblem, validateModelEntry, type RowProblem } from './validate';

export interface Catalog {
  /** Rows in display order: bundled first (file order), then added ones. */
  readonly models: readonly ModelEntry[];
  /** Date the bundled table was last reviewed. */
  readonly reviewed: string;
  /** Problems found in user-supplied rows or files; those rows are left out. */
  readonly problems: readonly RowProblem[];
  get(id: string): ModelEntry | undefined;
}

export interface CatalogInputs {
  /** Parsed contents of a LiteLLM price file or a catalog file of our own shape. */
  externalFile?: { json: unknown; path: string; modifiedDate: string };
  /** Rows from settings: whole new rows, or partial rows that override a known id. */
  overrides?: readonly unknown[];
}

let bundledCache: { models: ModelEntry[]; reviewed: string } | undefined;

/** The catalog shipped with the extension, validated once. A bad bundled row is a bug. */
export function bundledCatalog(): { models: ModelEntry[]; reviewed: string } {
  if (bundledCache) return bundledCache;
  const file = bundledFile as unknown as ModelCatalogFile;
  const models = file.models.map((row) => {
    const checked = validateModelEntry(row, 'bundled');
    if (isRowProblem(checked)) {
      throw new Error(`bundled catalog row ${checked.id}: ${checked.problems.join('; ')}`);
    }
    return checked;
  });
  bundledCache = { models, reviewed: file.reviewed };
  return bundledCache;
}

/** Median estimate ratio of the bundled rows of a provider, used for imported rows. */
function providerRatio(bundled: readonly ModelEntry[]) {
  return (provider: string) => {
    const key = provider.toLowerCase();
    const ratios = bundled
      .filter((m) => !m.tokenizerExact && m.estimateRatio && m.provider.toLowerCase() === key)
      .map((m) => m.estimateRatio as number)
      .sort((a, b) => a - b);
    if (ratios.length === 0) return undefined;
    const ratio = ratios[Math.floor(ratios.length / 2)]!;
    return { ratio, basis: `median ratio of the bundled ${provider} rows` };
  };
}

function isOwnCatalogShape(json: unknown): json is { models: unknown[] } {
  return typeof json === 'object' && json !== null && Array.isArray((json as { models?: unknown }).models);
}

/**
 * Builds the catalog a user sees: bundled rows, then rows from a price file (ours or
 * LiteLLM's), then settings; later sources win for the same id.
 */
export function buildCatalog(inputs: CatalogInputs = {}): Catalog {
  const bundled = bundledCatalog();
  const byId = new Map<string, ModelEntry>();
  for (const m of bundled.models) byId.set(m.id, m);
  const problems: RowProblem[] = [];

  const file = inputs.externalFile;
  if (file) {
    if (isOwnCatalogShape(file.json)) {
      for (const row of file.json.models) {
        const checked = validateModelEntry(row, 'litellm');
        if (isRowProblem(checked)) problems.push({ id: `${file.path}: ${checked.id}`, problems: checked.problems });
        else byId.set(checked.id, { ...checked, source: checked.source || file.path, asOf: checked.asOf || file.modifiedDate });
      }
    } else {
      try {
        const imported = importLiteLlm(file.json, file.path, file.modifiedDate, providerRatio(bundled.models));
        for (const row of imported.entries) byId.set(row.id, row);
      } catch (error) {
        problems.push({ id: file.path, problems: [(error as Error).message] });
      }
    }
  }

  for (const raw of inputs.overrides ?? []) {
    const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
    const base = typeof id === 'string' ? byId.get(id) : undefined;
    // A partial row overrides fields of a known model (e.g. a negotiated price).
    const merged = base ? { ...base, ...(raw as object), origin: 'settings' } : raw;
    const checked = validateModelEntry(merged, 'settings');
    if (isRowProblem(checked)) problems.push(checked);
    else byId.set(checked.id, checked);
  }

  const models = [...byId.values()];
  return {
    models,
    reviewed: bundled.reviewed,
    problems,
    get: (id: string) => byId.get(id),
  };
}
