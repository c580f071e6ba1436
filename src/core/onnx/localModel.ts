/**
 * A local model package (manifest, tokenizer, stage graphs) and what runs it: one session
 * per stage file and provider, created once and reused; depth k chains the embedding
 * stage, k block stages and the head, so shallower depths really skip work. Long inputs
 * are cut into overlapping windows, batched, and the signal is checked between batches.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { CancelledError } from '../worker/cancellation';
import { ModelPackageError } from './errors';
import { MANIFEST_FILE, availablePrecisions, parseManifest, type ModelManifest, type Precision, type StageFiles } from './manifest';
import { onnxRuntime, openOnProvider, type ExecutionProvider, type OrtApi, type ProviderAttempt, type ProviderSetting, type StageSession } from './providers';
import { ByteTokenizer, HuggingFaceTokenizer, type ModelTokenizer, type TokenizedText } from './tokenizer';

export interface AbortLike {
  readonly aborted: boolean;
}

/** What the head gives each token: bits of surprisal, or a keep probability. */
export interface TokenScores extends TokenizedText {
  /** Per token; NaN where the model gives none (the first token of a causal model). */
  scores: Float32Array;
  /** Entropy (bits) of the distribution each token was drawn from, where the head gives it. */
  entropyBits?: Float32Array;
  scale: 'bits' | 'keep-probability';
  windows: number;
  /** Inference time; opening sessions (once per stage file) is loadMs. */
  modelMs: number;
  loadMs: number;
}

export interface RunOptions {
  depth: number;
  precision: Precision;
}

/**
 * Windows batched together (same length): on a GPU, up to 8. On the CPU one at a time:
 * one thread gains nothing from a batch, and every new batch shape paid a slow first run
 * (measured: 400-600 ms for a batch of 4 or 8 windows, against 50 ms warm).
 */
const MAX_BATCH: Record<ExecutionProvider, number> = { cpu: 1, cuda: 8, webgpu: 8 };

type StageRole = 'embed' | 'block' | 'head';
interface Stage {
  session: StageSession;
  file: string;
  role: StageRole;
}
const LN2 = Math.LN2;

export class LocalModel {
  readonly tokenizer: ModelTokenizer;
  private readonly sessions = new Map<string, Promise<StageSession>>();
  private providerChoice: Promise<{ provider: ExecutionProvider; attempts: ProviderAttempt[] }> | undefined;
  private hidden: number | undefined;

  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    private readonly providerSetting: ProviderSetting,
    private readonly api: OrtApi,
  ) {
    this.tokenizer = loadTokenizer(dir, manifest);
  }

  /** Reads and checks the package; sessions open on first use. Throws ModelPackageError. */
  static load(dir: string, provider: ProviderSetting = 'auto', api: OrtApi = onnxRuntime()): LocalModel {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelPackageError(dir, 'is not a folder');
    const manifestPath = join(dir, MANIFEST_FILE);
    if (!existsSync(manifestPath)) throw new ModelPackageError(MANIFEST_FILE, `missing from ${dir}`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (error) {
      throw new ModelPackageError(MANIFEST_FILE, `is not valid JSON (${(error as Error).message})`);
    }
    const manifest = parseManifest(json);
    const { stages } = manifest;
    for (const files of [stages.embed, stages.head, ...stages.blocks]) {
      for (const file of Object.values(files)) {
        if (typeof file !== 'string') continue;
        const path = join(dir, file);
        if (!existsSync(path)) throw new ModelPackageError(file, `missing from ${dir} (named in ${MANIFEST_FILE})`);
        if (statSync(path).size === 0) throw new ModelPackageError(file, 'is empty');
      }
    }
    return new LocalModel(dir, manifest, provider, api);
  }

  get maxDepth(): number {
    return this.manifest.stages.blocks.length;
  }

  get precisions(): Precision[] {
    return availablePrecisions(this.manifest);
  }

  /** The provider that runs this model, and why the ones before it did not (opens the embedding stage). */
  async provider(): Promise<{ provider: ExecutionProvider; attempts: ProviderAttempt[] }> {
    const choice = (this.providerChoice ??= (async () => {
      const file = this.manifest.stages.embed.fp32;
      const { session, provider, attempts } = await openOnProvider(this.api, join(this.dir, file), file, this.providerSetting);
      this.sessions.set(this.key(file, provider), Promise.resolve(await checked(session, file, 'embed', this.manifest)));
      return { provider, attempts };
    })());
    try {
      return await choice;
    } catch (error) {
      if (this.providerChoice === choice) this.providerChoice = undefined;
      throw error;
    }
  }

  /** Scores every token of `text` at the given depth and precision. */
  /** Scores every token of `text`; `tokenized`: its encoding, when the caller already has it. */
  async score(text: string, run: RunOptions, signal?: AbortLike, tokenized?: TokenizedText): Promise<TokenScores> {
    this.checkRun(run);
    const started = performance.now();
    const tokens = tokenized ?? this.tokenizer.encode(text);
    const n = tokens.ids.length;
    const scores = new Float32Array(n).fill(Number.NaN);
    const entropy = new Float32Array(n).fill(Number.NaN);
    let sawEntropy = false;
    const { window, overlap, kind } = this.manifest;
    const prefix = this.windowIds('windowPrefix');
    const suffix = this.windowIds('windowSuffix');
    const span = window - prefix.length - suffix.length;
    const windows: Array<[number, number]> = [];
    for (let start = 0; start < n; ) {
      const end = Math.min(n, start + span);
      windows.push([start, end]);
      if (end === n) break;
      start = end - overlap;
    }
    const stages = await this.stages(run);
    const batchLimit = MAX_BATCH[(await this.provider()).provider];
    const opened = performance.now();
    for (let w = 0; w < windows.length; ) {
      if (signal?.aborted) throw new CancelledError();
      const length = windows[w]![1] - windows[w]![0];
      let count = 1;
      while (count < batchLimit && w + count < windows.length && windows[w + count]![1] - windows[w + count]![0] === length) count++;
      const width = length + prefix.length + suffix.length;
      const ids = new BigInt64Array(count * width);
      for (let b = 0; b < count; b++) {
        const [start] = windows[w + b]!;
        let at = b * width;
        for (const id of prefix) ids[at++] = BigInt(id);
        for (let t = 0; t < length; t++) ids[at++] = BigInt(tokens.ids[start + t]!);
        for (const id of suffix) ids[at++] = BigInt(id);
      }
      const out = await this.forward(stages, this.api.tensor('int64', ids, [count, width]), count, width);
      for (let b = 0; b < count; b++) {
        const [start, end] = windows[w + b]!;
        // Each token is read from the window where it has the most context: for a causal
        // model the one with the most before it; for a bidirectional one the overlap splits
        // in half (later windows overwrite the earlier one's tail).
        const owned = w + b === 0 ? start : start + (kind === 'causal-lm' ? overlap : Math.floor(overlap / 2));
        for (let t = owned; t < end; t++) {
          const at = b * width + prefix.length + (t - start);
          const value = out.values[at]!;
          // A causal model's first position predicts nothing, unless a prefix came before it.
          const unpredicted = kind === 'causal-lm' && t === start && prefix.length === 0;
          scores[t] = kind === 'token-classifier' ? value : unpredicted ? Number.NaN : value / LN2;
          if (out.entropy) {
            entropy[t] = unpredicted ? Number.NaN : out.entropy[at]! / LN2;
            sawEntropy = true;
          }
        }
      }
      w += count;
    }
    return {
      ...tokens,
      scores,
      ...(sawEntropy ? { entropyBits: entropy } : {}),
      scale: kind === 'token-classifier' ? 'keep-probability' : 'bits',
      windows: windows.length,
      modelMs: performance.now() - opened,
      loadMs: opened - started,
    };
  }

  /** Releases every session (the worker keeps models for its lifetime otherwise). */
  async dispose(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(open.map(async (s) => (await s.catch(() => undefined))?.release()));
  }

  private checkRun(run: RunOptions): void {
    if (!Number.isInteger(run.depth) || run.depth < 1 || run.depth > this.maxDepth) throw new RangeError(`depth must be 1..${this.maxDepth} for model ${this.manifest.id}, got ${run.depth}`);
    if (!this.precisions.includes(run.precision)) throw new RangeError(`model ${this.manifest.id} has no ${run.precision} variant (it has ${this.precisions.join(', ')})`);
  }

  private windowIds(name: 'windowPrefix' | 'windowSuffix'): number[] {
    const ids = (this.manifest.tokenizer as { [k: string]: unknown })[name];
    return Array.isArray(ids) ? (ids as number[]) : [];
  }

  private key(file: string, provider: ExecutionProvider): string {
    return `${provider}|${file}`;
  }

  private async session(files: StageFiles, precision: Precision, role: StageRole): Promise<{ session: StageSession; file: string }> {
    const { provider } = await this.provider();
    const file = files[precision] ?? files.fp32;
    const key = this.key(file, provider);
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = openOnProvider(this.api, join(this.dir, file), file, provider).then(({ session }) => checked(session, file, role, this.manifest));
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    return { session: await pending, file };
  }

  private async stages(run: RunOptions): Promise<Stage[]> {
    const { stages } = this.manifest;
    const out: Stage[] = [{ ...(await this.session(stages.embed, run.precision, 'embed')), role: 'embed' }];
    for (let k = 0; k < run.depth; k++) out.push({ ...(await this.session(stages.blocks[k]!, run.precision, 'block')), role: 'block' as const });
    out.push({ ...(await this.session(stages.head, run.precision, 'head')), role: 'head' as const });
    return out;
  }

  private async forward(
    stages: Stage[],
    ids: Ort.Tensor,
    batch: number,
    width: number,
  ): Promise<{ values: Float32Array; entropy?: Float32Array }> {
    let hidden: Ort.Tensor | undefined;
    for (const { session, file, role } of stages) {
      let result: Record<string, Ort.Tensor>;
      try {
        const feeds: Record<string, Ort.Tensor> = {};
        if (role === 'embed') feeds[session.inputNames[0]!] = ids;
        else {
          feeds[session.inputNames.find((n) => n !== 'input_ids')!] = hidden!;
          if (role === 'head' && session.inputNames.includes('input_ids')) feeds.input_ids = ids;
        }
        result = await session.run(feeds);
      } catch (error) {
        throw new ModelPackageError(file, `failed to run: ${(error as Error).message.split('\n')[0]}`);
      }
      if (role !== 'head') {
        hidden = result[session.outputNames[0]!]!;
        const dims = hidden.dims;
        if (dims.length !== 3 || dims[0] !== batch || dims[1] !== width) throw new ModelPackageError(file, `returned shape [${dims.join(', ')}] where [${batch}, ${width}, hidden] was expected`);
        if (this.hidden === undefined) this.hidden = dims[2];
        else if (dims[2] !== this.hidden) throw new ModelPackageError(file, `returned hidden size ${dims[2]} where the other stages use ${this.hidden}`);
        continue;
      }
      const name = this.manifest.kind === 'token-classifier' ? 'keep_probability' : 'surprisal';
      const values = result[name]!;
      if (values.dims.length !== 2 || values.dims[0] !== batch || values.dims[1] !== width) throw new ModelPackageError(file, `output '${name}' has shape [${values.dims.join(', ')}] where [${batch}, ${width}] was expected`);
      const entropy = result.entropy;
      return { values: values.data as Float32Array, ...(entropy ? { entropy: entropy.data as Float32Array } : {}) };
    }
    throw new ModelPackageError(MANIFEST_FILE, 'has no head stage');
  }
}

/** checkNames, releasing the session when it fails (each retry would leak one otherwise). */
async function checked(session: StageSession, file: string, role: StageRole, manifest: ModelManifest): Promise<StageSession> {
  try {
    return checkNames(session, file, role, manifest);
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
}

/** The graph's inputs and outputs are what its role needs (a clear error beats onnxruntime's). */
function checkNames(session: StageSession, file: string, role: StageRole, manifest: ModelManifest): StageSession {
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  const fail = (problem: string): never => {
    throw new ModelPackageError(file, `${problem} (inputs: ${inputs.join(', ') || 'none'}; outputs: ${outputs.join(', ') || 'none'})`);
  };
  if (role === 'embed' && (inputs.length !== 1 || inputs[0] !== 'input_ids')) fail(`the embedding stage must take one input 'input_ids'`);
  if (role === 'block' && inputs.length !== 1) fail('a block stage must take one input, the hidden states');
  if (role !== 'head' && outputs.length < 1) fail('a stage must return the hidden states');
  if (role === 'head') {
    const name = manifest.kind === 'token-classifier' ? 'keep_probability' : 'surprisal';
    if (!outputs.includes(name)) fail(`a ${manifest.kind} head must return '${name}'`);
    if (manifest.kind !== 'token-classifier' && !inputs.includes('input_ids')) fail(`a ${manifest.kind} head must take 'input_ids' to score each token`);
  }
  return session;
}

function loadTokenizer(dir: string, manifest: ModelManifest): ModelTokenizer {
  const spec = manifest.tokenizer;
  if (spec.type === 'byte') return new ByteTokenizer();
  const path = join(dir, spec.file);
  if (!existsSync(path)) throw new ModelPackageError(spec.file, `missing from ${dir} (named in ${MANIFEST_FILE})`);
  let tokenizer: HuggingFaceTokenizer;
  try {
    const config = spec.configFile && existsSync(join(dir, spec.configFile)) ? JSON.parse(readFileSync(join(dir, spec.configFile), 'utf8')) : {};
    tokenizer = new HuggingFaceTokenizer(JSON.parse(readFileSync(path, 'utf8')), config);
  } catch (error) {
    throw new ModelPackageError(spec.file, `is not a tokenizer.json the tokenizer library can load (${(error as Error).message})`);
  }
  if (tokenizer.vocabSize !== spec.vocabSize) throw new ModelPackageError(spec.file, `has ${tokenizer.vocabSize} tokens but ${MANIFEST_FILE} says the model has ${spec.vocabSize}: the tokenizer does not belong to this model`);
  return tokenizer;
}
