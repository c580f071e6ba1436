/**
 * Measured all-reduce curves (data/allreduce.json, issue 14 round 16): where an engine's
 * all-reduce was timed on a GPU at a TP degree, each all-reduce costs its measured time for the
 * message plus the engine's own per-call cost; elsewhere the bus-bandwidth model stands.
 * Hand-computed cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import allReduceFile from '../../../src/core/sim/data/allreduce.json';
import { allReduceMicros, measuredAllReduceCurve } from '../../../src/core/sim/allreduce';
import { BUNDLED_CALIBRATION } from '../../../src/core/sim/calibration';
import { getGpu, getServingModel } from '../../../src/core/sim/catalog';
import { ACTIVATION_BYTES, decodeShape } from '../../../src/core/sim/latency';
import { SimulationConfig, buildLatencyModel } from '../../../src/core/sim/simulate';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** The file's raw points of one curve. */
function raw(gpu: string, ranks: number): [number, number][] {
  const curves = (allReduceFile as unknown as { curves: { library: string; gpu: string; ranks: Record<string, [number, number][]> }[] }).curves;
  return curves.find((c) => c.library === 'tensorrt-llm-auto' && c.gpu === gpu)!.ranks[String(ranks)]!;
}

function config(engineProfile: string, gpu: string): SimulationConfig {
  return {
    model: 'llama-3.1-405b',
    gpu,
    precision: 'fp8',
    engineProfile,
    deployment: { mode: 'colocated' },
    workload: { requests: 1, arrival: { kind: 'offline' }, input: { kind: 'fixed', tokens: 1 }, output: { kind: 'fixed', tokens: 1 }, seed: 1 },
  };
}

describe('measured all-reduce curves', () => {
  test('every curve has 2, 4 and 8 ranks, sizes doubling from 256 B to 1 GiB, with its source', () => {
    const curves = (allReduceFile as unknown as { curves: { library: string; gpu: string; source: string; ranks: Record<string, [number, number][]> }[] }).curves;
    assert.deepEqual(curves.map((c) => `${c.library} ${c.gpu}`).sort(), [
      'sglang-custom-eager a100-80gb',
      'sglang-custom-eager h100-sxm',
      'sglang-custom-eager h200',
      'sglang-custom-graph a100-80gb',
      'sglang-custom-graph h100-sxm',
      'sglang-custom-graph h200',
      'tensorrt-llm-auto a100-80gb',
      'tensorrt-llm-auto h100-sxm',
      'tensorrt-llm-auto h200',
    ]);
    for (const c of curves) {
      assert.match(c.source, /^https:\/\/github\.com\/ai-dynamo\/aiconfigurator\/blob\/[0-9a-f]+\/.+\.parquet$/);
      assert.deepEqual(Object.keys(c.ranks).sort(), ['2', '4', '8']);
      for (const points of Object.values(c.ranks)) {
        assert.equal(points[0]![0], 256);
        assert.equal(points[points.length - 1]![0], 2 ** 30);
        for (let i = 1; i < points.length; i++) assert.equal(points[i]![0], 2 * points[i - 1]![0]);
      }
    }
  });

  test("a noisy small-message point takes the least time of its size or any larger one (H100, 2 GPUs: 16 KiB read 9.94 us, 32 KiB 3.39 us)", () => {
    const points = raw('h100-sxm', 2);
    assert.deepEqual(points.find((p) => p[0] === 16384), [16384, 9.94]);
    assert.deepEqual(points.find((p) => p[0] === 32768), [32768, 3.39]);
    const curve = measuredAllReduceCurve('tensorrt-llm-auto', 'h100-sxm', 2)!;
    assert.deepEqual(curve.find((p) => p[0] === 16384), [16384, 3.39]);
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i]![1] >= curve[i - 1]![1], `monotone at ${curve[i]![0]} B`);
    // Points that were already monotone stay as measured.
    assert.deepEqual(curve[curve.length - 1], points[points.length - 1]);
  });

  test('log-log interpolation between sizes, the smallest time below them, the largest bandwidth above them, by hand', () => {
    const curve = measuredAllReduceCurve('tensorrt-llm-auto', 'h100-sxm', 8)!;
    const at = (bytes: number) => curve.find((p) => p[0] === bytes)![1];
    // Halfway between 8 and 16 MiB in log size: the geometric mean of their times.
    close(allReduceMicros(curve, Math.sqrt(2) * 2 ** 23), Math.sqrt(at(2 ** 23) * at(2 ** 24)), 'midpoint');
    close(allReduceMicros(curve, 2 ** 23), at(2 ** 23), 'on a point');
    close(allReduceMicros(curve, 100), at(256), 'below the smallest size');
    close(allReduceMicros(curve, 2 ** 31), 2 * at(2 ** 30), 'twice the largest size');
  });

  test('no curve for a GPU, a TP degree or a library nobody measured', () => {
    assert.equal(measuredAllReduceCurve('tensorrt-llm-auto', 'l4', 2), undefined);
    assert.equal(measuredAllReduceCurve('tensorrt-llm-auto', 'h100-sxm', 1), undefined);
    assert.equal(measuredAllReduceCurve('tensorrt-llm-auto', 'h100-sxm', 16), undefined);
    assert.equal(measuredAllReduceCurve(undefined, 'h100-sxm', 8), undefined);
  });

  test("TensorRT-LLM 1.0 at TP8 on H100: each of 405B's 252 all-reduces of a 1,000-token decode step costs the measured time plus the engine's per-call cost; 0.12 keeps the bus model, by hand", () => {
    const model = getServingModel('llama-3.1-405b');
    const bytes = 1000 * model.hidden * ACTIVATION_BYTES; // 32.8 MB
    const shape = decodeShape(1000, 1000 * 1152);
    const v10 = buildLatencyModel(config('tensorrt-llm', 'h100-sxm'), 8);
    const curve = measuredAllReduceCurve('tensorrt-llm-auto', 'h100-sxm', 8)!;
    const perCall = allReduceMicros(curve, bytes) * 1e-6 + v10.efficiency.allReduceUs * 1e-6;
    close(v10.breakdown(shape).communicationSeconds, 2 * model.layers * perCall, 'measured');
    assert.equal(BUNDLED_CALIBRATION.engines['tensorrt-llm']?.allReduceLibrary?.measured, 'tensorrt-llm-auto');
    // 0.12 names no measured curve: its fitted latency plus the ring's bytes over 470 GB/s.
    const v12 = buildLatencyModel(config('tensorrt-llm-0.12', 'h100-sxm'), 8);
    const bus = getGpu('h100-sxm').allReduceBusGBps! * 1e9;
    const ring = v12.efficiency.allReduceUs * 1e-6 + ((2 * 7) / 8) * bytes / bus;
    close(v12.breakdown(shape).communicationSeconds, 2 * model.layers * ring, 'bus model');
  });
});
