import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Gpu, Precision, ServingModel } from '../../../src/core/sim/catalog';
import { Efficiency, combineRoofs, createLatencyModel, decodeShape, prefillShape } from '../../../src/core/sim/latency';

// A toy model and GPU with round numbers, so every expected value below is worked by hand.
// Per layer: q 1e6 + kv 2e6 + o 1e6 + MLP 2 x 1000 x 4000 = 12e6 weights; 2 layers = 24e6;
// LM head 1000 x 1000 = 1e6; matmul weights 25e6 (50 MB in fp16).
const model: ServingModel = {
  id: 'toy', name: 'Toy', layers: 2, hidden: 1000, heads: 10, kvHeads: 10, headDim: 100, ffn: 4000,
  mlp: 'plain', vocab: 1000, tiedEmbeddings: true, paramsB: 0.025, tokenizer: 'llama2', maxContext: 4096, source: 'test',
};
const gpu: Gpu = {
  id: 'toy-gpu', name: 'Toy GPU', peakTflops: { fp16: 100, bf16: 100, fp8: null, int8: 200 }, hbmGBps: 1000,
  memoryGiB: 10, interconnect: 'test', interconnectGBps: 100, allReduceLatencyUs: 10, tdpW: 100, idleW: 10,
  pricePerHourUsd: 1, source: 'test', priceSource: 'test',
};
const fp16: Precision = { id: 'fp16', name: 'FP16', weightBytes: 2, embeddingBytes: 2, kvBytes: 2, computePeak: 'fp16', fallback: null, source: 'test' };
const ideal: Efficiency = { matmul: 1, memory: 1, kvMemory: 1, attention: 1, stepOverheadMs: 0, layerOverheadUs: 0, allReduceUs: 10, perSequenceUs: 0 };

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);

describe('roofline latency model', () => {
  test('prefill of 1,000 tokens is compute-bound: matmul + causal attention', () => {
    const m = createLatencyModel(model, gpu, fp16, 1, ideal);
    const b = m.breakdown(prefillShape([1000]));
    // matmuls: (2 x 24e6 x 1000 + 2 x 1e6 x 1 logit) / 1e14 = 4.8002e-4 s > weights 5e7 B / 1e12 = 5e-5 s
    close(b.matmulSeconds, 4.8002e-4);
    assert.equal(b.computeBound, true);
    // attention: 1000 x 1001 / 2 pairs x (4 x 2 layers x 10 heads x 100) flops / 1e14
    close(b.attentionSeconds, 4.004e-5);
    close(b.seconds, 5.2006e-4);
  });

  test('decode of 10 sequences is memory-bound: weights + KV reads', () => {
    const m = createLatencyModel(model, gpu, fp16, 1, ideal);
    const b = m.breakdown(decodeShape(10, 10_000));
    // weights 5e-5 s > matmul flops 5e8 / 1e14 = 5e-6 s
    close(b.matmulSeconds, 5e-5);
    assert.equal(b.computeBound, false);
    // KV: 2 (K,V) x 2 layers x 10 heads x 100 x 2 B = 8,000 B/token x 10,000 tokens / 1e12
    close(b.attentionSeconds, 8e-5);
    close(b.seconds, 1.3e-4);
  });

  test('tensor parallelism splits work and adds two all-reduces per layer', () => {
    const m = createLatencyModel(model, gpu, fp16, 2, ideal);
    const b = m.breakdown(decodeShape(10, 10_000));
    close(b.matmulSeconds, 2.5e-5);
    close(b.attentionSeconds, 4e-5);
    // 4 all-reduces x (10 us + 2(2-1)/2 x 10 tokens x 1000 x 2 B / 1e11 B/s)
    close(b.communicationSeconds, 4 * (1e-5 + 2e-7));
    close(b.seconds, 2.5e-5 + 4e-5 + 4.08e-5);
  });

  test("the all-reduce moves its bytes at the node's measured bus bandwidth where the GPU has one", () => {
    const m = createLatencyModel(model, { ...gpu, allReduceBusGBps: 50 }, fp16, 2, ideal);
    const b = m.breakdown(decodeShape(10, 10_000));
    // 4 all-reduces x (10 us + 2(2-1)/2 x 10 tokens x 1000 x 2 B / 5e10 B/s): half the link rate, twice the time.
    close(b.communicationSeconds, 4 * (1e-5 + 4e-7));
  });

  test("a build with custom all-reduce kernels takes them for messages within the workspace, NCCL's above", () => {
    const traits = { customAllReduceMaxBytes: 20_000 };
    const m = createLatencyModel(model, gpu, fp16, 2, { ...ideal, customAllReduceUs: 3 }, traits);
    // Decode of 10 tokens: 10 x 1000 x 2 B = 20,000 B, within the workspace: 4 x (3 us + 2e-7 s).
    close(m.breakdown(decodeShape(10, 10_000)).communicationSeconds, 4 * (3e-6 + 2e-7));
    // Decode of 11 tokens: 22,000 B, over it: NCCL's 10 us, and the same bytes per token over the links.
    close(m.breakdown(decodeShape(11, 11_000)).communicationSeconds, 4 * (1e-5 + 2.2e-7));
    // Without a fitted custom latency the kernels cost what NCCL's do; without the trait, every call is NCCL's.
    close(createLatencyModel(model, gpu, fp16, 2, ideal, traits).breakdown(decodeShape(10, 10_000)).communicationSeconds, 4 * (1e-5 + 2e-7));
    close(createLatencyModel(model, gpu, fp16, 2, { ...ideal, customAllReduceUs: 3 }).breakdown(decodeShape(10, 10_000)).communicationSeconds, 4 * (1e-5 + 2e-7));
    // One GPU: no all-reduce at all.
    assert.equal(createLatencyModel(model, gpu, fp16, 1, { ...ideal, customAllReduceUs: 3 }, traits).breakdown(decodeShape(10, 10_000)).communicationSeconds, 0);
  });

  test('fixed costs: per step, per layer and per sequence', () => {
    const m = createLatencyModel(model, gpu, fp16, 1, { ...ideal, stepOverheadMs: 1, layerOverheadUs: 10, perSequenceUs: 5 });
    const b = m.breakdown(decodeShape(10, 10_000));
    close(b.overheadSeconds, 1e-3 + 2 * 1e-5 + 10 * 5e-6);
    close(b.seconds, 1.3e-4 + 1.07e-3);
  });

  test('efficiency factors divide the matching terms', () => {
    const m = createLatencyModel(model, gpu, fp16, 1, { ...ideal, matmul: 0.5, kvMemory: 0.5, memory: 0.5 });
    close(m.breakdown(prefillShape([1000])).matmulSeconds, 9.6004e-4);
    close(m.breakdown(decodeShape(10, 10_000)).seconds, 1e-4 + 1.6e-4);
  });

  test('engines without grouped-query kernels read K/V once per query head', () => {
    const gqa = { ...model, kvHeads: 5 };
    const grouped = createLatencyModel(gqa, gpu, fp16, 1, ideal).breakdown(decodeShape(10, 10_000));
    const perHead = createLatencyModel(gqa, gpu, fp16, 1, ideal, { kvReadsPerQueryHead: true }).breakdown(decodeShape(10, 10_000));
    close(grouped.attentionSeconds, 4e-5);
    close(perHead.attentionSeconds, 8e-5);
  });

  test('with an overlap exponent a matmul near the ridge takes longer than either roof: the p-norm of the two times, by hand', () => {
    // Unset: the plain roofline's max.
    assert.equal(combineRoofs(3, 4, undefined), 4);
    // p = 2: sqrt(3^2 + 4^2) = 5; at the ridge 2^(1/2) x; far from it, close to the longer roof.
    close(combineRoofs(3, 4, 2), 5);
    close(combineRoofs(1, 1, 2), Math.SQRT2);
    close(combineRoofs(1, 100, 2), Math.sqrt(10_001));
    close(combineRoofs(0, 7, 3), 7);
    assert.equal(combineRoofs(0, 0, 2), 0);
    // A large exponent tends to the max without overflowing.
    close(combineRoofs(1e-3, 2e-3, 400), 2e-3);
    // In the model, the decode step of 10 sequences above: matmul FLOPs (2 x 24e6 + 2 x 1e6) x 10
    // = 5e8 / 1e14 = 5e-6 s against weights 5e7 B / 1e12 = 5e-5 s.
    const step = (p?: number) => createLatencyModel(model, gpu, fp16, 1, { ...ideal, matmulOverlapExponent: p }).breakdown(decodeShape(10, 0)).matmulSeconds;
    close(step(undefined), 5e-5);
    close(step(2), Math.hypot(5e-6, 5e-5));
  });

  test('a multi-head decode kernel that widens its cache to FP32 takes a conversion roof from the cache precision, by hand', () => {
    // 10 query heads over 10 KV heads: each KV head is read once. 10,000 cached tokens.
    const fp8: Precision = { ...fp16, id: 'fp8', kvBytes: 1 };
    const shape = decodeShape(10, 10_000);
    const slowCores = { ...gpu, smCount: 10, boostClockMHz: 1000 };
    const attention = (p: Precision, widened: boolean) =>
      createLatencyModel(model, slowCores, p, 1, ideal, widened ? { kvWidenedToFp32: true } : {}).breakdown(shape).attentionSeconds;
    // FP8 cache: 2 x 2 layers x 10 heads x 100 x 1 B = 4,000 B per token = 4e7 B, 4e7 elements.
    // HBM: 4e7 / 1e12 = 4e-5 s; conversions: 1.5 x 4e7 at 10 x 1e9 x 16 = 1.6e11/s = 3.75e-4 s.
    close(attention(fp8, false), 4e-5);
    close(attention(fp8, true), 3.75e-4);
    // 16-bit cache: 8e7 B (8e-5 s at HBM), 4e7 elements x 1 conversion = 2.5e-4 s.
    close(attention(fp16, false), 8e-5);
    close(attention(fp16, true), 2.5e-4);
    // With the GPU's conversion rate unknown, HBM stays the only roof.
    close(createLatencyModel(model, gpu, fp8, 1, ideal, { kvWidenedToFp32: true }).breakdown(shape).attentionSeconds, 4e-5);
  });

  test('the repeated reads come from L2 where the GPU has a measured L2 figure, and the kernel widens every element it reads to FP32 on CUDA cores, by hand', () => {
    // 10 query heads over 2 KV heads: each KV head is read by 5 query heads' thread blocks.
    const gqa = { ...model, kvHeads: 2 };
    // KV of 10,000 cached tokens: 2 (K, V) x 2 layers x 2 heads x 100 x 2 B = 1,600 B per token = 1.6e7 B.
    const bytes = 1.6e7;
    const shape = decodeShape(10, 10_000);
    const perHead = (g: Gpu, kvMemory = 1) =>
      createLatencyModel(gqa, g, fp16, 1, { ...ideal, kvMemory }, { kvReadsPerQueryHead: true }).breakdown(shape).attentionSeconds;
    // No L2 figure: all five reads at HBM speed, 5 x 1.6e7 / 1e12.
    close(perHead(gpu), 8e-5);
    // L2 at 20 TB/s: HBM 1.6e7 / 1e12 = 1.6e-5 s; L2 5 x 1.6e7 / 2e13 = 4e-6 s; the longer of the two.
    close(perHead({ ...gpu, l2ReadGBps: 20_000 }), bytes / 1e12);
    // L2 at 2 TB/s is the bottleneck: 8e7 / 2e12 = 4e-5 s.
    close(perHead({ ...gpu, l2ReadGBps: 2000 }), 4e-5);
    // CUDA-core conversions: 5 x 1.6e7 / 2 B = 4e7 elements at 10 SMs x 1,000 MHz x 16 per clock = 1.6e11/s = 2.5e-4 s.
    close(perHead({ ...gpu, l2ReadGBps: 20_000, smCount: 10, boostClockMHz: 1000 }), 2.5e-4);
    // HBM stays the floor at a low streaming efficiency: 1.6e7 / (1e12 x 0.05) = 3.2e-4 s.
    close(perHead({ ...gpu, l2ReadGBps: 20_000, smCount: 10, boostClockMHz: 1000 }, 0.05), 3.2e-4);
    // Grouped kernels read each KV head once and do not take the per-query-head kernel's roofs
    // (here the conversion roof would be 1.6e7 / 2 / 1.6e11 = 5e-5 s).
    const grouped = createLatencyModel(gqa, { ...gpu, l2ReadGBps: 2000, smCount: 10, boostClockMHz: 1000 }, fp16, 1, ideal).breakdown(shape);
    close(grouped.attentionSeconds, 1.6e-5);
    // Power: memory utilisation counts HBM bytes once when the repeats come from L2. Weights:
    // 2 x (1e6 q + 0.4e6 kv + 1e6 o + 8e6 MLP) + 1e6 LM head = 21.8e6 x 2 B = 4.36e7 B (4.36e-5 s);
    // with L2 at 2 TB/s the step takes 4.36e-5 + 4e-5 s.
    const withL2 = createLatencyModel(gqa, { ...gpu, l2ReadGBps: 2000 }, fp16, 1, ideal, { kvReadsPerQueryHead: true }).breakdown(shape);
    close(withL2.seconds, 8.36e-5);
    close(withL2.memoryUtilization, (4.36e7 + bytes) / (1e12 * 8.36e-5));
    // A prompt chunk's cached KV is read by the context kernel, at HBM speed, beside the decode
    // kernel's roofs: 2,000 cached tokens x 1,600 B = 3.2e6 B / 1e12 = 3.2e-6 s on top.
    const mixed = { ...shape, prefillTokens: 10, prefillAttentionPairs: 0, prefillCachedTokens: 2000 };
    const slowL2 = { ...gpu, l2ReadGBps: 2000 };
    const mixedSeconds = createLatencyModel(gqa, slowL2, fp16, 1, ideal, { kvReadsPerQueryHead: true }).breakdown(mixed).attentionSeconds;
    close(mixedSeconds, 4e-5 + 3.2e-6);
  });

  test('utilisation counts useful FLOPs over the whole group', () => {
    const one = createLatencyModel(model, gpu, fp16, 1, ideal).breakdown(prefillShape([1000]));
    const two = createLatencyModel(model, gpu, fp16, 2, ideal).breakdown(prefillShape([1000]));
    close(one.flops, two.flops);
    close(one.flops, 4.8002e10 + 4.004e9);
  });
});
