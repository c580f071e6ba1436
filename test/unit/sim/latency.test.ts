import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Gpu, Precision, ServingModel } from '../../../src/core/sim/catalog';
import { Efficiency, createLatencyModel, decodeShape, prefillShape } from '../../../src/core/sim/latency';

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
const fp16: Precision = { id: 'fp16', name: 'FP16', weightBytes: 2, kvBytes: 2, computePeak: 'fp16', fallback: null, source: 'test' };
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

  test('utilisation counts useful FLOPs over the whole group', () => {
    const one = createLatencyModel(model, gpu, fp16, 1, ideal).breakdown(prefillShape([1000]));
    const two = createLatencyModel(model, gpu, fp16, 2, ideal).breakdown(prefillShape([1000]));
    close(one.flops, two.flops);
    close(one.flops, 4.8002e10 + 4.004e9);
  });
});
