/**
 * Execution providers: which one runs the model and why the others did not.
 * onnxruntime-node has no fallback of its own (a session asked for CUDA where the CUDA
 * libraries are missing throws), so `auto` tries CUDA, then WebGPU, then CPU.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { ModelPackageError, ProviderUnavailableError } from './errors';

export const PROVIDER_SETTINGS = ['auto', 'cuda', 'webgpu', 'cpu'] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];
export type ExecutionProvider = Exclude<ProviderSetting, 'auto'>;
const AUTO_ORDER: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu'];

export interface ProviderAttempt {
  provider: ExecutionProvider;
  ok: boolean;
  /** Why it could not run the model (first line of onnxruntime's message, with a hint). */
  reason?: string;
}

export interface StageSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Ort.Tensor>): Promise<Record<string, Ort.Tensor>>;
  release(): Promise<void>;
}

/** What the runtime needs from onnxruntime-node (a fake in tests). */
export interface OrtApi {
  createSession(path: string, provider: ExecutionProvider): Promise<StageSession>;
  /** Why a provider cannot work here, found without trying it (onnxruntime and Dawn print to stderr when tried). */
  unavailable?(provider: ExecutionProvider): string | undefined;
  tensor(type: 'int64', data: BigInt64Array, dims: readonly number[]): Ort.Tensor;
}

let ort: typeof Ort | undefined;
/** onnxruntime-node, loaded on first use: the native library stays out of processes that never run a model. */
export function onnxRuntime(): OrtApi {
  ort ??= require('onnxruntime-node') as typeof Ort;
  const api = ort;
  return {
    createSession: (path, provider) =>
      api.InferenceSession.create(path, {
        executionProviders: [provider],
        // One thread: steadier and faster than two on small models (see the README), and
        // the extension host keeps a core.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Windows come in many shapes; a memory pattern planned for one made the next run
        // of a new shape slow too (measured: 370 ms instead of 50 on the second run).
        enableMemPattern: false,
        // Failed provider probes are reported by us, not printed by onnxruntime.
        logSeverityLevel: 4,
      }) as Promise<StageSession>,
    tensor: (type, data, dims) => new api.Tensor(type, data, dims),
    unavailable: missingLibrary,
  };
}

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64'];

/** The libraries a GPU provider loads, looked for where the loader would find them (Linux). */
function missingLibrary(provider: ExecutionProvider): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (provider === 'cuda') {
    const bin = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', 'linux', process.arch);
    if (!existsSync(join(bin, 'libonnxruntime_providers_cuda.so'))) return `onnxruntime-node was installed without its CUDA provider (${HINTS.cuda})`;
  }
  if (provider === 'webgpu') {
    const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIBRARY_DIRS];
    if (!dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))) return `no Vulkan loader (libvulkan.so.1) on this machine (${HINTS.webgpu})`;
  }
  return undefined;
}

const HINTS: Record<ExecutionProvider, string> = {
  cuda: 'CUDA needs the NVIDIA driver, CUDA 12 and onnxruntime-node installed with --onnxruntime-node-install=cuda12',
  webgpu: 'WebGPU needs a GPU with a Vulkan driver',
  cpu: '',
};

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export function describeFailure(provider: ExecutionProvider, error: unknown): string {
  const hint = HINTS[provider];
  return hint ? `${firstLine(error)} (${hint})` : firstLine(error);
}

/**
 * Opens `file` on the provider the setting asks for. With 'auto' a provider that fails
 * is recorded and the next is tried; a file that even the CPU cannot load is the model's
 * fault, not the machine's, and throws ModelPackageError naming it.
 */
export async function openOnProvider(
  api: OrtApi,
  path: string,
  file: string,
  setting: ProviderSetting,
): Promise<{ session: StageSession; provider: ExecutionProvider; attempts: ProviderAttempt[] }> {
  const order = setting === 'auto' ? AUTO_ORDER : [setting];
  const attempts: ProviderAttempt[] = [];
  for (const provider of order) {
    const missing = provider === 'cpu' ? undefined : api.unavailable?.(provider);
    if (missing) {
      attempts.push({ provider, ok: false, reason: missing });
      continue;
    }
    try {
      const session = await api.createSession(path, provider);
      attempts.push({ provider, ok: true });
      return { session, provider, attempts };
    } catch (error) {
      if (provider === 'cpu') throw new ModelPackageError(file, `onnxruntime could not load it: ${firstLine(error)}`);
      attempts.push({ provider, ok: false, reason: describeFailure(provider, error) });
    }
  }
  // An explicit GPU provider failed: tell a broken file from a missing provider.
  try {
    const probe = await api.createSession(path, 'cpu');
    await probe.release();
  } catch (error) {
    throw new ModelPackageError(file, `onnxruntime could not load it: ${firstLine(error)}`);
  }
  throw new ProviderUnavailableError(`the ${setting} execution provider cannot run ${file}: ${attempts[0]?.reason ?? 'unknown reason'}; the CPU provider can`);
}

/** One line for the UI and the log: "cpu (cuda: ...; webgpu: ...)". */
export function describeProvider(provider: ExecutionProvider, attempts: readonly ProviderAttempt[]): string {
  const failed = attempts.filter((a) => !a.ok);
  return failed.length ? `${provider} (${failed.map((a) => `${a.provider} unavailable: ${a.reason}`).join('; ')})` : provider;
}
