import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CatalogError, GPUS, MODELS, PRECISIONS, getGpu, getPrecision, getServingModel, kvBytesPerToken, matmulPeakFlops, storedWeightBytes, streamedWeightBytes, totalParamsFromShape,
} from '../../../src/core/sim/catalog';
import { planMemory } from '../../../src/core/sim/memory';

describe('serving catalog', () => {
  test('the issue\'s model and GPU ids exist', () => {
    for (const id of ['llama-2-7b', 'llama-2-13b', 'llama-2-70b', 'llama-3.1-8b', 'llama-3.1-70b', 'opt-13b', 'opt-66b', 'qwen2.5-7b', 'mistral-7b', 'llava-next-7b', 'tinyllama-1.1b', 'gemma-2b']) {
      assert.equal(getServingModel(id).id, id);
    }
    for (let depth = 12; depth <= 40; depth += 4) assert.equal(getServingModel(`llama-2-13b-soft-l${depth}`).layers, depth);
    for (const id of ['a100-80gb', 'h100-sxm', 'h200', 'l4', 'a10g', 'rtx-4090']) assert.equal(getGpu(id).id, id);
    for (const id of ['fp16', 'bf16', 'fp8', 'int8', 'w4a16', 'w4a8']) assert.equal(getPrecision(id).id, id);
  });

  test('every row names its source', () => {
    for (const row of [...MODELS, ...GPUS, ...PRECISIONS]) assert.ok(row.source.length > 5, row.id);
    for (const g of GPUS) assert.ok(g.priceSource.length > 5, g.id);
  });

  test('parameter counts derived from the shape match the published ones within 3%', () => {
    for (const m of MODELS) {
      const derived = totalParamsFromShape(m) / 1e9;
      assert.ok(Math.abs(derived - m.paramsB) / m.paramsB < 0.03, `${m.id}: shape gives ${derived.toFixed(2)}B, published ${m.paramsB}B`);
    }
  });

  test('KV bytes per token: Llama-2-7B fp16 is 512 KiB, Llama-3.1-8B (GQA) is 128 KiB', () => {
    assert.equal(kvBytesPerToken(getServingModel('llama-2-7b'), getPrecision('fp16')), 524288);
    assert.equal(kvBytesPerToken(getServingModel('llama-3.1-8b'), getPrecision('fp16')), 131072);
    assert.equal(kvBytesPerToken(getServingModel('llama-3.1-8b'), getPrecision('fp8')), 65536);
  });

  test('quantised weights keep the embedding and the LM head at 16-bit, by hand (Llama-3.1-8B)', () => {
    const model = getServingModel('llama-3.1-8b');
    // One layer: q 4096 x 4096 + k, v 2 x 4096 x 1024 + o 4096 x 4096 + gated MLP 3 x 4096 x 14336
    // = 218,103,808 parameters; 32 layers = 6,979,321,856. Vocabulary tables: 128,256 x 4096 =
    // 525,336,576 each (embedding and LM head, untied).
    const layers = 6_979_321_856;
    const table = 525_336_576;
    assert.equal(storedWeightBytes(model, getPrecision('bf16')), (layers + 2 * table) * 2);
    assert.equal(storedWeightBytes(model, getPrecision('fp8')), layers * 1 + 2 * table * 2); // 9.08 GB, not 8.03
    assert.equal(storedWeightBytes(model, getPrecision('w4a16')), layers * 0.515625 + 2 * table * 2);
    // An iteration reads every layer and the LM head, not the embedding (a gather of a few rows).
    assert.equal(streamedWeightBytes(model, getPrecision('fp8')), layers * 1 + table * 2);
    assert.equal(streamedWeightBytes(model, getPrecision('bf16')), (layers + table) * 2);
    for (const p of PRECISIONS) assert.equal(p.embeddingBytes, 2, p.id);
  });

  test('FP8 on a GPU without FP8 units falls back to 16-bit matmuls', () => {
    assert.equal(matmulPeakFlops(getGpu('a100-80gb'), getPrecision('fp8')), 312e12);
    assert.equal(matmulPeakFlops(getGpu('h100-sxm'), getPrecision('fp8')), 1979e12);
  });

  test('unknown ids are errors that list the known ones', () => {
    assert.throws(() => getServingModel('gpt-5'), (e: unknown) => e instanceof CatalogError && /llama-3\.1-8b/.test(e.message));
  });

  test('KV capacity is the memory left after weights', () => {
    // 80 GiB x 0.9 - 1 GiB reserve - 12.55 GiB of Llama-2-7B weights, over 0.5 MiB per token
    const plan = planMemory(getServingModel('llama-2-7b'), getGpu('a100-80gb'), getPrecision('fp16'), 1);
    const expected = (80 * 0.9 - 1) * 1024 ** 3 - totalParamsFromShape(getServingModel('llama-2-7b')) * 2;
    assert.equal(plan.kvCapacityTokens, Math.floor(expected / 524288 / 16) * 16);
    assert.ok(plan.kvCapacityTokens > 110_000 && plan.kvCapacityTokens < 120_000);
    // Llama-2-70B in fp16 does not fit on one 80 GB GPU; with TP4 it does.
    assert.equal(planMemory(getServingModel('llama-2-70b'), getGpu('a100-80gb'), getPrecision('fp16'), 1).kvCapacityTokens, 0);
    assert.ok(planMemory(getServingModel('llama-2-70b'), getGpu('a100-80gb'), getPrecision('fp16'), 4).kvCapacityTokens > 500_000);
  });
});
