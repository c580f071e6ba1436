import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FlagSpecs, ParsedArgs, booleanFlag, numberFlag, stringFlag } from '../args';
import { UsageError } from '../command';
import { SimulationConfig, DeploymentSpec } from '../../core/sim/simulate';
import { ArrivalSpec, LengthSpec, parseTrace } from '../../core/sim/workload';

/** Flags shared by `capsule simulate` and `capsule goodput` (names are a contract; keep them). */
export const SIMULATION_FLAGS: FlagSpecs = {
  model: { kind: 'string' },
  gpu: { kind: 'string' },
  tp: { kind: 'integer', min: 1, max: 64 },
  precision: { kind: 'string' },
  'kv-precision': { kind: 'string' },
  engine: { kind: 'string' },
  'input-tokens': { kind: 'integer', min: 1 },
  'output-tokens': { kind: 'integer', min: 1 },
  'input-dist': { kind: 'string' },
  'output-dist': { kind: 'string' },
  trace: { kind: 'string' },
  rate: { kind: 'number', min: 0 },
  burstiness: { kind: 'number', min: 0.01, max: 100 },
  concurrency: { kind: 'integer', min: 1 },
  offline: { kind: 'boolean' },
  requests: { kind: 'integer', min: 1, max: 10_000_000 },
  mode: { kind: 'string' },
  instances: { kind: 'integer', min: 1, max: 1024 },
  'prefill-instances': { kind: 'integer', min: 1, max: 1024 },
  'decode-instances': { kind: 'integer', min: 1, max: 1024 },
  'prefill-tp': { kind: 'integer', min: 1, max: 64 },
  'decode-tp': { kind: 'integer', min: 1, max: 64 },
  'batch-size': { kind: 'integer', min: 1, max: 100_000 },
  'chunked-prefill': { kind: 'boolean' },
  'chunk-tokens': { kind: 'integer', min: 16 },
  dispatch: { kind: 'string' },
  'no-migration': { kind: 'boolean' },
  'high-priority': { kind: 'number', min: 0, max: 1 },
  'slo-ttft-ms': { kind: 'number', min: 0 },
  'slo-tpot-ms': { kind: 'number', min: 0 },
  seed: { kind: 'integer', min: 0 },
  json: { kind: 'boolean' },
};

export const SIMULATION_USAGE = `Model and hardware:
  --model ID              e.g. llama-3.1-8b, llama-2-13b, llama-2-13b-soft-l24, opt-13b
  --gpu ID                a100-80gb, h100-sxm, h200, l4, a10g, rtx-4090
  --tp N                  tensor-parallel GPUs per instance (default 1)
  --precision P           fp16 (default), bf16, fp8, int8, w4a16, w4a8
  --kv-precision P        KV-cache precision when not the precision's own (fp8: half of fp16's bytes)
  --engine NAME           engine profile (default: current, today's vLLM/NIM): tensorrt-llm (1.0),
                          lmdeploy, sglang (0.4); tensorrt-llm-0.5/-0.10/-0.11/-0.12 and distserve
                          check old tables
Workload:
  --input-tokens N --output-tokens N    fixed lengths
  --input-dist D / --output-dist D      uniform:MIN:MAX or zipf:MIN:MAX[:THETA] instead
  --trace FILE.jsonl      token counts per request ({"input":N,"output":M} per line)
  --rate R                Poisson arrivals, requests/s (--burstiness CV for Gamma arrivals)
  --concurrency C         closed loop: C clients, each sends when its last reply ends
  --offline               all requests at t=0 (maximum throughput)
  --requests N            requests to simulate (default 1000)
  --high-priority F       share of high-priority requests (llumnix favours them)
Deployment:
  --mode M                colocated (default), disaggregated, llumnix
  --instances N           colocated/llumnix replicas (default 1)
  --prefill-instances P --decode-instances D [--prefill-tp N --decode-tp N]   disaggregated
  --batch-size B          most running sequences per instance (default 256)
  --chunked-prefill [--chunk-tokens N]  mix prompt chunks into decode iterations
  --dispatch round-robin|least-loaded|freeness   --no-migration (llumnix)
SLOs and output:
  --slo-ttft-ms X --slo-tpot-ms Y       attainment = share meeting both
  --seed S                (default 1)   --json   machine-readable output`;

function parseLength(flag: string, raw: string): LengthSpec {
  const parts = raw.split(':');
  const nums = parts.slice(1).map(Number);
  if (nums.some((n) => !Number.isFinite(n) || n < 0)) throw new UsageError(`--${flag} '${raw}': numbers expected after the kind`);
  if (parts[0] === 'uniform' && nums.length === 2 && nums[0]! >= 1 && nums[1]! >= nums[0]!) {
    return { kind: 'uniform', min: Math.round(nums[0]!), max: Math.round(nums[1]!) };
  }
  if (parts[0] === 'zipf' && (nums.length === 2 || nums.length === 3) && nums[0]! >= 1 && nums[1]! >= nums[0]!) {
    return { kind: 'zipf', min: Math.round(nums[0]!), max: Math.round(nums[1]!), theta: nums[2] ?? 0.6 };
  }
  throw new UsageError(`--${flag} '${raw}': expected uniform:MIN:MAX or zipf:MIN:MAX[:THETA]`);
}

function lengthSpec(args: ParsedArgs, which: 'input' | 'output'): LengthSpec | undefined {
  const dist = stringFlag(args, `${which}-dist`);
  const tokens = numberFlag(args, `${which}-tokens`);
  if (dist !== undefined && tokens !== undefined) throw new UsageError(`give --${which}-tokens or --${which}-dist, not both`);
  if (dist !== undefined) return parseLength(`${which}-dist`, dist);
  if (tokens !== undefined) return { kind: 'fixed', tokens };
  return undefined;
}

function arrivalSpec(args: ParsedArgs): ArrivalSpec {
  const rate = numberFlag(args, 'rate');
  const concurrency = numberFlag(args, 'concurrency');
  const offline = booleanFlag(args, 'offline');
  const given = [rate !== undefined, concurrency !== undefined, offline].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --rate R, --concurrency C, --offline');
  if (offline) return { kind: 'offline' };
  if (concurrency !== undefined) return { kind: 'closed', concurrency };
  const cv = numberFlag(args, 'burstiness');
  if (rate! <= 0) throw new UsageError('--rate must be above 0');
  return cv !== undefined && cv !== 1 ? { kind: 'gamma', rate: rate!, cv } : { kind: 'poisson', rate: rate! };
}

function deploymentSpec(args: ParsedArgs): DeploymentSpec {
  const mode = stringFlag(args, 'mode') ?? 'colocated';
  if (mode !== 'colocated' && mode !== 'disaggregated' && mode !== 'llumnix') {
    throw new UsageError(`--mode must be colocated, disaggregated or llumnix, got '${mode}'`);
  }
  const tp = numberFlag(args, 'tp') ?? 1;
  const dispatch = stringFlag(args, 'dispatch');
  if (dispatch !== undefined && dispatch !== 'round-robin' && dispatch !== 'least-loaded' && dispatch !== 'freeness') {
    throw new UsageError(`--dispatch must be round-robin, least-loaded or freeness, got '${dispatch}'`);
  }
  if (mode === 'disaggregated') {
    if (numberFlag(args, 'instances') !== undefined) throw new UsageError('--mode disaggregated takes --prefill-instances and --decode-instances, not --instances');
    return {
      mode,
      tensorParallel: tp,
      prefillInstances: numberFlag(args, 'prefill-instances') ?? 1,
      decodeInstances: numberFlag(args, 'decode-instances') ?? 1,
      prefillTensorParallel: numberFlag(args, 'prefill-tp') ?? tp,
      decodeTensorParallel: numberFlag(args, 'decode-tp') ?? tp,
    };
  }
  for (const f of ['prefill-instances', 'decode-instances', 'prefill-tp', 'decode-tp']) {
    if (numberFlag(args, f) !== undefined) throw new UsageError(`--${f} needs --mode disaggregated`);
  }
  const spec: DeploymentSpec = { mode, instances: numberFlag(args, 'instances') ?? 1, tensorParallel: tp };
  if (dispatch !== undefined) spec.dispatch = dispatch;
  if (mode === 'llumnix' && booleanFlag(args, 'no-migration')) spec.migration = { enabled: false };
  return spec;
}

/** Turn parsed flags into a simulation config; every user mistake is a UsageError. */
export function configFromFlags(args: ParsedArgs, cwd: string): SimulationConfig {
  const model = stringFlag(args, 'model');
  const gpu = stringFlag(args, 'gpu');
  if (!model) throw new UsageError('--model is required (e.g. --model llama-3.1-8b)');
  if (!gpu) throw new UsageError('--gpu is required (e.g. --gpu a100-80gb)');
  const tracePath = stringFlag(args, 'trace');
  const input = lengthSpec(args, 'input');
  const output = lengthSpec(args, 'output');
  let trace;
  if (tracePath !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, tracePath), 'utf8');
    } catch {
      throw new UsageError(`cannot read trace '${tracePath}'`);
    }
    try {
      trace = parseTrace(text);
    } catch (err) {
      throw new UsageError(`trace '${tracePath}': ${(err as Error).message}`);
    }
  } else if (!input || !output) {
    throw new UsageError('give --input-tokens and --output-tokens (or --input-dist/--output-dist, or --trace FILE)');
  }
  const config: SimulationConfig = {
    model,
    gpu,
    precision: stringFlag(args, 'precision') ?? 'fp16',
    ...(stringFlag(args, 'kv-precision') !== undefined ? { kvPrecision: stringFlag(args, 'kv-precision')! } : {}),
    deployment: deploymentSpec(args),
    workload: {
      requests: numberFlag(args, 'requests') ?? 1000,
      arrival: arrivalSpec(args),
      input: input ?? { kind: 'fixed', tokens: 1 },
      output: output ?? { kind: 'fixed', tokens: 1 },
      seed: numberFlag(args, 'seed') ?? 1,
    },
  };
  if (trace) config.workload.trace = trace;
  const highPriority = numberFlag(args, 'high-priority');
  if (highPriority !== undefined) config.workload.highPriorityFraction = highPriority;
  const engine = stringFlag(args, 'engine');
  if (engine !== undefined) config.engineProfile = engine;
  const scheduler: SimulationConfig['scheduler'] = {};
  const batch = numberFlag(args, 'batch-size');
  if (batch !== undefined) scheduler.maxBatch = batch;
  if (booleanFlag(args, 'chunked-prefill')) scheduler.chunkedPrefill = true;
  const chunk = numberFlag(args, 'chunk-tokens');
  if (chunk !== undefined) {
    if (!scheduler.chunkedPrefill) throw new UsageError('--chunk-tokens needs --chunked-prefill');
    scheduler.chunkTokens = chunk;
  }
  config.scheduler = scheduler;
  const ttft = numberFlag(args, 'slo-ttft-ms');
  const tpot = numberFlag(args, 'slo-tpot-ms');
  if (ttft !== undefined || tpot !== undefined) {
    config.slo = {};
    if (ttft !== undefined) config.slo.ttftMs = ttft;
    if (tpot !== undefined) config.slo.tpotMs = tpot;
  }
  return config;
}
