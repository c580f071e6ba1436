/**
 * What fits in the KV cache depends on how an engine reserves it (issue 14): TensorRT-LLM's
 * GUARANTEED_NO_EVICT admits a request only when the KV of its input + output fits, vLLM
 * admits on the prompt and preempts when the cache runs out; and TensorRT-LLM sizes the
 * cache as a share of the memory the weights leave free, vLLM as a share of all of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getGpu, getPrecision, getServingModel, kvBytesPerToken, totalParamsFromShape } from '../../../src/core/sim/catalog';
import { MEMORY_SETTINGS } from '../../../src/core/sim/calibration';
import { planMemory } from '../../../src/core/sim/memory';
import { SimulationConfig, memorySettingsFor, simulate } from '../../../src/core/sim/simulate';

const GIB = 1024 ** 3;

describe('KV sizing', () => {
  test('kv_cache_free_gpu_mem_fraction takes a share of the memory the weights leave, by hand', () => {
    const model = getServingModel('llama-2-7b');
    const gpu = getGpu('h100-sxm');
    const fp16 = getPrecision('fp16');
    const weights = totalParamsFromShape(model) * 2;
    const perToken = kvBytesPerToken(model, fp16); // 32 layers x 2 x 4096 x 2 B = 512 KiB
    assert.equal(perToken, 524288);
    const free = (gpu.memoryGiB * GIB - 1 * GIB - weights) * 0.9;
    const expected = Math.floor(Math.floor(free / perToken) / 16) * 16;
    assert.equal(planMemory(model, gpu, fp16, 1, { ...MEMORY_SETTINGS, kvFreeMemoryFraction: 0.9 }).kvCapacityTokens, expected);
    // vLLM: 0.9 of all memory, minus the weights: less room than 0.9 of what is free.
    const vllm = Math.floor(Math.floor((gpu.memoryGiB * GIB * 0.9 - 1 * GIB - weights) / perToken) / 16) * 16;
    assert.equal(planMemory(model, gpu, fp16, 1).kvCapacityTokens, vllm);
    assert.ok(expected > vllm);
  });

  test('a run may size its cache as TensorRT-LLM does; profiles without runtime-memory data size it as vLLM does', () => {
    // Not without the engine's runtime buffers: a flat reserve over-predicts 70B rows on tight
    // memory (docs/research/sim-fidelity.md, round 3).
    assert.equal(memorySettingsFor({ engineProfile: 'tensorrt-llm' }).kvFreeMemoryFraction, undefined);
    assert.equal(memorySettingsFor({}).kvFreeMemoryFraction, undefined);
    assert.equal(memorySettingsFor({ engineProfile: 'tensorrt-llm', memory: { kvFreeMemoryFraction: 0.99 } }).kvFreeMemoryFraction, 0.99);
    const v012 = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.12' });
    assert.equal(v012.kvFreeMemoryFraction, 0.9);
    const runtime = v012.runtimeMemory!;
    assert.deepEqual(
      { fixed: runtime.fixedGiB, entry: runtime.bytesPerBatchVocabEntry, slot: runtime.bytesPerBatchSlot, sequence: runtime.bytesPerBatchSequenceToken, token: runtime.bytesPerTokenHiddenElement },
      { fixed: 2.55, entry: 24, slot: 65536, sequence: 34, token: 29 },
    );
    // 0.11: the same open runtime buffers; its published runs passed --kv_cache_free_gpu_mem_fraction 0.99.
    const v011 = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.11' });
    assert.equal(v011.kvFreeMemoryFraction, 0.99);
    assert.deepEqual({ ...v011.runtimeMemory, basis: '' }, { ...runtime, basis: '' });
    // 0.10: the same per-entry terms (the same open decoder code), with memory.md's documented
    // fixed part instead of the 2.55 GiB only 0.12's own log shows (round 21).
    const v010 = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.10' });
    assert.deepEqual({ ...v010.runtimeMemory, fixedGiB: 0, basis: '' }, { ...runtime, fixedGiB: 0, basis: '' });
    // The terms reproduce the runtime's own log for the build it came from (Llama-2-7B, 4,096
    // sequences of 4,098 tokens, vocabulary 32,000): 1.14 + 4.35 GiB beside 0.77 GiB.
    const logged = runtime.bytesPerBatchVocabEntry * 4096 * 32000 + runtime.bytesPerBatchSlot! * 4096 + runtime.bytesPerBatchSequenceToken! * 4096 * 4098 + (runtime.fixedGiB - 0.77) * GIB;
    assert.ok(Math.abs(logged / GIB - (1.14 + 4.35)) < 0.01, String(logged / GIB));
  });

  test("TensorRT-LLM 0.12's runtime buffers grow with the build's max batch x vocabulary and x max_seq_len, by hand", () => {
    // Llama-3.1-70B in 16-bit on two A100s, built for 2,048 sequences of 4,096 tokens and 1,024
    // tokens per step (trtllm-bench's 4096-token entry): per GPU 2.55 GiB + 24 B x 2048 x
    // 128,256 (5.87 GiB) + 64 KiB x 2048 (0.125 GiB) + 34 B x 2048 x 4096 (0.27 GiB) + 29 B x
    // 1024 x 8192 (0.23 GiB) beside 65.7 GiB of weights; 0.9 of the rest is KV.
    const model = getServingModel('llama-3.1-70b');
    const gpu = getGpu('a100-80gb');
    const fp16 = getPrecision('fp16');
    const settings = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.12' });
    const weightsPerGpu = (totalParamsFromShape(model) * 2) / 2;
    const reserve = 2.55 * GIB + 24 * 2048 * 128256 + 65536 * 2048 + 34 * 2048 * 4096 + 29 * 1024 * 8192;
    const perToken = kvBytesPerToken(model, fp16); // 80 layers x 2 x 8 KV heads x 128 x 2 B = 320 KiB
    assert.equal(perToken, 327680);
    const expected = Math.floor(Math.floor(((gpu.memoryGiB * GIB - reserve - weightsPerGpu) * 0.9 * 2) / perToken) / 16) * 16;
    const big = planMemory(model, gpu, fp16, 2, settings, { maxBatch: 2048, maxNumTokens: 1024, maxSeqLen: 4096 }).kvCapacityTokens;
    assert.equal(big, expected);
    assert.ok(big > 4096 && big < 40_000, String(big)); // a few requests of 2,048 + 2,048 tokens (7)
    // The same weights built for 256 sequences (the 'general' entry) leave about twice the room.
    const small = planMemory(model, gpu, fp16, 2, settings, { maxBatch: 256, maxNumTokens: 1024, maxSeqLen: 4096 }).kvCapacityTokens;
    assert.ok(small > 1.9 * big, `${small} vs ${big}`);
    // Without a build the flat activation reserve stands in.
    const flat = planMemory(model, gpu, fp16, 2, settings).kvCapacityTokens;
    assert.equal(flat, Math.floor(Math.floor(((gpu.memoryGiB * GIB - GIB - weightsPerGpu) * 0.9 * 2) / perToken) / 16) * 16);
  });

  test("TensorRT-LLM 0.10: vLLM's share of the whole memory, with the runtime's buffers as the reserve, by hand", () => {
    // Llama-3.1-70B in 16-bit on four H100s, built for 2,048 sequences and 2,048 tokens a step
    // (the v0.10.0 document's commands), 128 + 2,048-token requests: per GPU 0.77 GiB + 24 B x
    // 2048 x 128,256 (5.87 GiB) + 64 KiB x 2048 + 34 B x 2048 x 2176 + 29 B x 2048 x 8192,
    // taken from 0.9 of the memory beside the weights (vLLM's sizing, not 0.9 of what is left).
    const model = getServingModel('llama-3.1-70b');
    const gpu = getGpu('h100-sxm');
    const fp16 = getPrecision('fp16');
    const settings = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.10' });
    assert.equal(settings.kvFreeMemoryFraction, undefined);
    assert.equal(settings.runtimeMemory?.fixedGiB, 0.77);
    const build = { maxBatch: 2048, maxNumTokens: 2048, maxSeqLen: 2176 };
    const weightsPerGpu = (totalParamsFromShape(model) * 2) / 4;
    const reserve = 0.77 * GIB + 24 * 2048 * 128256 + 65536 * 2048 + 34 * 2048 * 2176 + 29 * 2048 * 8192;
    const perToken = kvBytesPerToken(model, fp16);
    const plan = planMemory(model, gpu, fp16, 4, settings, build);
    assert.equal(plan.reserveBytesPerGpu, reserve);
    assert.equal(plan.kvCapacityTokens, Math.floor(Math.floor(((gpu.memoryGiB * GIB * 0.9 - reserve - weightsPerGpu) * 4) / perToken) / 16) * 16);
    // Llama-2-70B's 32,000-entry vocabulary leaves it about 4.4 GiB a GPU more room than Llama-3.1-70B's.
    const llama2 = planMemory(getServingModel('llama-2-70b'), gpu, fp16, 4, settings, build);
    assert.ok(Math.abs(reserve - llama2.reserveBytesPerGpu - 24 * 2048 * (128256 - 32000)) < 1);
    // Without a build the flat activation reserve stands in, as before.
    assert.equal(planMemory(model, gpu, fp16, 4, settings).reserveBytesPerGpu, GIB);
  });

  test("a simulation sizes the runtime's buffers from the engine's build limits, not from a prompt that outgrows the token budget", () => {
    const runConfig = (maxBatch: number): SimulationConfig => ({
      model: 'llama-3.1-70b',
      gpu: 'a100-80gb',
      precision: 'fp16',
      engineProfile: 'tensorrt-llm-0.12',
      deployment: { mode: 'colocated', tensorParallel: 2 },
      scheduler: { maxBatch, maxBatchedTokens: 1024, chunkedPrefill: true, chunkTokens: 1024 },
      workload: { requests: 2, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 2048 }, output: { kind: 'fixed', tokens: 8 }, seed: 1 },
    });
    const run = simulate(runConfig(2048));
    const settings = memorySettingsFor({ engineProfile: 'tensorrt-llm-0.12' });
    // max_seq_len: trtllm-bench builds for the longest request, 2,048 + 8 tokens.
    const built = planMemory(getServingModel('llama-3.1-70b'), getGpu('a100-80gb'), getPrecision('fp16'), 2, settings, { maxBatch: 2048, maxNumTokens: 1024, maxSeqLen: 2056 });
    assert.equal(run.kvCapacityTokensPerInstance[0], built.kvCapacityTokens);
    assert.equal(run.completedRequests, 2);
    // Built for 8,192 sequences, the runtime's buffers (23.5 GiB per batch x vocabulary, 0.5 GiB
    // per slot, 0.53 GiB per batch x 2,056 tokens, 0.23 GiB of activations, 2.55 GiB fixed) leave
    // no room: the message names them beside the weights.
    assert.throws(
      () => simulate({ ...runConfig(8192) }),
      (e: Error) => /leaves room for 0 KV tokens/.test(e.message) && /the engine's runtime 27\.3 GiB/.test(e.message),
    );
  });
});

describe('full-sequence KV reservation (GUARANTEED_NO_EVICT)', () => {
  // llama-2-7b on one H100 with the cache cut to 300 tokens: room for two requests of
  // 64 + 64 tokens for their whole life (256), not three (384).
  const model = getServingModel('llama-2-7b');
  const whole = planMemory(model, getGpu('h100-sxm'), getPrecision('fp16'), 1, { ...MEMORY_SETTINGS, kvFreeMemoryFraction: 1 }).kvCapacityTokens;
  const config = (reserveFullSequence: boolean): SimulationConfig => ({
    model: 'llama-2-7b',
    gpu: 'h100-sxm',
    deployment: { mode: 'colocated' },
    memory: { kvFreeMemoryFraction: 300 / whole },
    scheduler: { reserveFullSequence, chunkedPrefill: true, chunkTokens: 8192, maxBatch: 64, maxBatchedTokens: 8192, watermark: 0 },
    workload: { requests: 4, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 64 }, output: { kind: 'fixed', tokens: 64 }, seed: 1 },
  });

  test('runs two requests at a time, by hand: 1 + 64 + 64 iterations, no preemption', () => {
    const r = simulate(config(true));
    assert.ok(r.kvCapacityTokensPerInstance[0]! >= 256 && r.kvCapacityTokensPerInstance[0]! < 384, String(r.kvCapacityTokensPerInstance[0]));
    assert.equal(r.completedRequests, 4);
    assert.equal(r.preemptions, 0);
    // Request 0 starts iteration 1 alone (it arrives first); request 1 joins in iteration 2.
    // Each needs 64 iterations (the prefill gives the first token), so 0 ends with iteration
    // 64 and 1 with 65. Only then is there room for another whole request: 2 runs in
    // iterations 65-128, 3 in 66-129. Admitting on the prompt alone would have run all four.
    assert.equal(r.iterations, 129);
  });

  test('admitting on the prompt alone fits four prompts at first and preempts as they grow', () => {
    const r = simulate(config(false));
    assert.equal(r.completedRequests, 4);
    assert.ok(r.preemptions > 0, String(r.preemptions));
  });
});
