/**
 * manifest.json of a local model package (format in src/core/onnx/README.md): what the
 * model scores, its tokenizer, its window, and its depth stages as separate ONNX graphs,
 * so that running depth k costs k blocks.
 */
import { ModelPackageError } from './errors';

export const MANIFEST_FORMAT = 'prompt-capsule-model';
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/**
 * causal-lm: the head gives each token's surprisal (nats) given the tokens before it;
 * masked-lm: its surprisal given the whole window (one pass, no masking);
 * token-classifier: its probability of being kept (LLMLingua-2).
 */
export const MODEL_KINDS = ['causal-lm', 'masked-lm', 'token-classifier'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const PRECISIONS = ['fp32', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

export type StageFiles = Partial<Record<Precision, string>> & { fp32: string };

export interface DepthQuality {
  /** 0..1, this depth's quality relative to the full model at fp32 (see the model's card). */
  relative: number;
  /** Relative quality of the int8 variant at this depth, where measured. */
  int8Relative?: number;
  /** Held-out bits per byte by evaluation set, where measured. */
  heldOutBitsPerByte?: Record<string, number>;
  int8HeldOutBitsPerByte?: Record<string, number>;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  id: string;
  description?: string;
  kind: ModelKind;
  tokenizer:
    | {
        type: 'huggingface';
        file: string;
        configFile?: string;
        vocabSize: number;
        /** Ids put before and after every window ([CLS] and [SEP] for BERT-style models). */
        windowPrefix?: number[];
        windowSuffix?: number[];
      }
    | { type: 'byte' };
  /** Tokens per window (the longest sequence the model was trained on). */
  window: number;
  /** Tokens each window shares with the one before, for context across the cut. */
  overlap: number;
  stages: { embed: StageFiles; blocks: Array<StageFiles & { layers: number }>; head: StageFiles };
  /** One entry per depth 1..blocks.length. */
  depths: Array<{ depth: number; quality?: DepthQuality }>;
  qualityMeasuredOn?: string;
  [extra: string]: unknown;
}

const fail = (problem: string): never => {
  throw new ModelPackageError(MANIFEST_FILE, problem);
};

function stageFiles(value: unknown, where: string): StageFiles {
  if (typeof value !== 'object' || value === null) return fail(`${where} must be an object of file names by precision`);
  const files = value as Record<string, unknown>;
  if (typeof files.fp32 !== 'string' || !files.fp32) return fail(`${where}.fp32 must name an ONNX file`);
  for (const [precision, file] of Object.entries(files)) {
    if (precision === 'layers') continue;
    if (!(PRECISIONS as readonly string[]).includes(precision)) return fail(`${where} has unknown precision '${precision}' (expected ${PRECISIONS.join(' or ')})`);
    if (typeof file !== 'string' || !file || file.includes('..') || file.startsWith('/')) return fail(`${where}.${precision} must be a file name inside the model folder`);
  }
  return files as StageFiles;
}

/** Checks the parsed JSON of manifest.json; throws ModelPackageError naming the field. */
export function parseManifest(json: unknown): ModelManifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('must be a JSON object');
  const m = json as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return fail(`format must be '${MANIFEST_FORMAT}' (found ${JSON.stringify(m.format)})`);
  if (m.version !== MANIFEST_VERSION) return fail(`unknown manifest version ${JSON.stringify(m.version)}: this extension reads version ${MANIFEST_VERSION}; update the extension or re-export the model`);
  if (typeof m.id !== 'string' || !m.id) return fail('id must be a non-empty string');
  if (!(MODEL_KINDS as readonly unknown[]).includes(m.kind)) return fail(`kind must be one of ${MODEL_KINDS.join(', ')} (found ${JSON.stringify(m.kind)})`);
  const tokenizer = m.tokenizer as Record<string, unknown> | undefined;
  if (tokenizer?.type === 'huggingface') {
    if (typeof tokenizer.file !== 'string' || !tokenizer.file) return fail('tokenizer.file must name the tokenizer.json file');
    if (!Number.isInteger(tokenizer.vocabSize) || (tokenizer.vocabSize as number) <= 0) return fail('tokenizer.vocabSize must be a positive integer');
  } else if (tokenizer?.type !== 'byte') return fail(`tokenizer.type must be 'huggingface' or 'byte'`);
  if (!Number.isInteger(m.window) || (m.window as number) < 8) return fail('window must be an integer of at least 8 tokens');
  if (!Number.isInteger(m.overlap) || (m.overlap as number) < 0 || (m.overlap as number) * 2 > (m.window as number)) return fail('overlap must be an integer from 0 to half the window');
  let around = 0;
  for (const name of ['windowPrefix', 'windowSuffix'] as const) {
    const ids = tokenizer?.[name];
    if (ids === undefined) continue;
    const limit = tokenizer?.type === 'huggingface' ? (tokenizer.vocabSize as number) : 256;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0 && id < limit)) return fail(`tokenizer.${name} must be a list of token ids below ${limit}`);
    around += ids.length;
  }
  // Each window must move forward: the text it holds must be longer than the overlap.
  if ((m.window as number) - around <= (m.overlap as number)) return fail(`window (${m.window}) less the prefix and suffix ids (${around}) must exceed the overlap (${m.overlap})`);
  const stages = m.stages as Record<string, unknown> | undefined;
  if (!stages || typeof stages !== 'object') return fail('stages must list embed, blocks and head');
  stageFiles(stages.embed, 'stages.embed');
  stageFiles(stages.head, 'stages.head');
  if (!Array.isArray(stages.blocks) || stages.blocks.length === 0) return fail('stages.blocks must list at least one block stage');
  stages.blocks.forEach((block, i) => {
    stageFiles(block, `stages.blocks[${i}]`);
    const layers = (block as { layers?: unknown }).layers;
    if (!Number.isInteger(layers) || (layers as number) < 1) fail(`stages.blocks[${i}].layers must be a positive integer`);
  });
  if (!Array.isArray(m.depths) || m.depths.length !== stages.blocks.length) return fail(`depths must have one entry per block stage (${stages.blocks.length})`);
  m.depths.forEach((entry, i) => {
    const depth = entry as { depth?: unknown; quality?: { relative?: unknown; int8Relative?: unknown } };
    if (depth.depth !== i + 1) fail(`depths[${i}].depth must be ${i + 1}`);
    const q = depth.quality;
    if (q !== undefined && (typeof q.relative !== 'number' || q.relative < 0 || q.relative > 1)) fail(`depths[${i}].quality.relative must be a number from 0 to 1`);
    if (q?.int8Relative !== undefined && (typeof q.int8Relative !== 'number' || q.int8Relative < 0 || q.int8Relative > 1)) fail(`depths[${i}].quality.int8Relative must be a number from 0 to 1`);
  });
  return m as unknown as ModelManifest;
}

/** The precisions every stage of the manifest has. */
export function availablePrecisions(manifest: ModelManifest): Precision[] {
  const stages = [manifest.stages.embed, manifest.stages.head, ...manifest.stages.blocks];
  return PRECISIONS.filter((p) => stages.every((s) => typeof s[p] === 'string'));
}

/** The relative quality of a depth at a precision; 1 at full depth fp32 when not measured. */
export function depthQuality(manifest: ModelManifest, depth: number, precision: Precision): number | undefined {
  const q = manifest.depths[depth - 1]?.quality;
  if (!q) return depth === manifest.depths.length && precision === 'fp32' ? 1 : undefined;
  return precision === 'int8' ? (q.int8Relative ?? q.relative) : q.relative;
}
