/**
 * Utilisation-aware energy (issue 14): board power above idle follows each iteration's
 * tensor-core and memory utilisation, checked against hand figures and against published
 * energy per request (ML.ENERGY), cross-validated by leaving each model out of the fit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeShare, BUNDLED_CALIBRATION, efficiencyFor } from '../../../src/core/sim/calibration';
import { getGpu, getPrecision, getServingModel, streamedWeightBytes } from '../../../src/core/sim/catalog';
import { crossValidateEnergy, ENERGY_ROWS, measuredPowerW, validateEnergy } from '../../../src/core/sim/energy';
import { createLatencyModel, decodeShape, prefillShape } from '../../../src/core/sim/latency';
import { simulate } from '../../../src/core/sim/simulate';

const power = BUNDLED_CALIBRATION.power!;

describe('power from utilisation', () => {
  const model = getServingModel('llama-3.1-8b');
  const gpu = getGpu('h100-sxm');
  const precision = getPrecision('bf16');
  const latency = createLatencyModel(model, gpu, precision, 1, efficiencyFor(gpu.id, 'bf16', undefined));

  test('the active share is base + compute x tensor-core time + memory x HBM time, over busy time, capped at 1', () => {
    // Hand figure: 2 s busy, 1 s of it at full tensor-core use, 0.5 s at full HBM use.
    assert.equal(activeShare({ base: 0.1, compute: 0.25, memory: 0.69 }, 2, 1, 0.5), 0.1 + (0.25 * 1 + 0.69 * 0.5) / 2);
    assert.equal(activeShare({ base: 0.5, compute: 1, memory: 1 }, 1, 1, 1), 1);
    assert.equal(activeShare(power, 0, 0, 0), 0);
  });

  test('a memory-bound decode step streams the weights: its HBM utilisation is weight bytes over bandwidth x time', () => {
    const b = latency.breakdown(decodeShape(1, 512));
    assert.ok(!b.computeBound);
    const weightBytes = streamedWeightBytes(model, precision);
    const kvBytes = 0; // counted too, but small at one sequence of 512 tokens
    assert.ok(b.memoryUtilization >= (weightBytes + kvBytes) / (gpu.hbmGBps * 1e9 * b.seconds) - 1e-9);
    assert.ok(b.memoryUtilization > 0.5 && b.memoryUtilization < 1, String(b.memoryUtilization));
    assert.ok(b.computeUtilization < 0.01, String(b.computeUtilization));
  });

  test('a compute-bound prefill keeps the tensor cores busy and draws more than a decode step', () => {
    const prefill = latency.breakdown(prefillShape([4096]));
    const decode = latency.breakdown(decodeShape(1, 512));
    assert.ok(prefill.computeBound);
    assert.ok(prefill.computeUtilization > 0.3, String(prefill.computeUtilization));
    const share = (b: typeof prefill) => activeShare(power, b.seconds, b.seconds * b.computeUtilization, b.seconds * b.memoryUtilization);
    assert.ok(share(prefill) > 0 && share(decode) > 0);
    assert.ok(power.base + power.compute * prefill.computeUtilization + power.memory * prefill.memoryUtilization <= 1);
  });

  test('at idle a GPU draws its idle power: a run that is mostly waiting costs idle watts x time', () => {
    // One short request, then nothing: 60 s of makespan would be idle; here one request alone.
    const r = simulate({
      model: 'llama-3.1-8b',
      gpu: 'h100-sxm',
      precision: 'bf16',
      deployment: { mode: 'colocated' },
      workload: { requests: 2, arrival: { kind: 'poisson', rate: 0.05 }, input: { kind: 'fixed', tokens: 64 }, output: { kind: 'fixed', tokens: 8 }, seed: 3 },
    });
    const busy = r.gpuUtilization.busyFraction;
    assert.ok(busy < 0.05, String(busy));
    // Average power is idle plus the small busy share's dynamic draw.
    assert.ok(r.averagePowerWPerGpu >= gpu.idleW && r.averagePowerWPerGpu < gpu.idleW + (gpu.tdpW - gpu.idleW) * busy + 1e-6, String(r.averagePowerWPerGpu));
  });

  test("an 8B model at batch 1 on an H100 no longer costs the full board power: under half the old figure per reply", () => {
    const run = (calibration = BUNDLED_CALIBRATION) =>
      simulate({
        model: 'llama-3.1-8b',
        gpu: 'h100-sxm',
        precision: 'bf16',
        calibration,
        deployment: { mode: 'colocated' },
        workload: { requests: 8, arrival: { kind: 'closed', concurrency: 1 }, input: { kind: 'fixed', tokens: 256 }, output: { kind: 'fixed', tokens: 128 }, seed: 1 },
      }).energyJPerRequest;
    const fullPower = run({ ...BUNDLED_CALIBRATION, power: { base: 1, compute: 0, memory: 0 } });
    const now = run();
    assert.ok(now < fullPower / 2, `${now.toFixed(0)} J against ${fullPower.toFixed(0)} J`);
  });
});

describe('energy against published measurements (ML.ENERGY)', () => {
  test('each row states its power per GPU from its own figures (energy x requests/s / GPUs)', () => {
    for (const row of ENERGY_ROWS) {
      const watts = measuredPowerW(row);
      assert.ok(watts > 50 && watts < 400, `${row.id}: ${watts} W`);
    }
  });

  test('cross-validated by leaving each model out of the fit: median <= 12%, none over 65% (today 10.9% and 59.8%)', () => {
    const seen: string[][] = [];
    const cv = crossValidateEnergy(ENERGY_ROWS, (training) => {
      seen.push([...new Set(training.map((r) => r.model))]);
      return power;
    });
    // The stand-in fit was never handed the model it is then validated on.
    assert.equal(seen.length, cv.folds.length);
    cv.folds.forEach((held, k) => assert.ok(!seen[k]!.includes(held), held));
    const real = crossValidateEnergy();
    assert.ok(real.medianAbsErrorPct <= 12, String(real.medianAbsErrorPct));
    assert.ok(real.maxAbsErrorPct <= 65, String(real.maxAbsErrorPct));
    const inSample = validateEnergy();
    assert.ok(inSample.medianAbsErrorPct <= 10, String(inSample.medianAbsErrorPct));
    // The lean: less energy than measured is optimistic. Today's rows: the 7B-13B ones run a
    // few percent under their measured energy, the 70B on 8 GPUs far over.
    const signed = real.outcomes.map((o) => o.errorPct).sort((a, b) => a - b);
    assert.equal(real.medianOptimismPct, -signed[(signed.length - 1) / 2]!);
    assert.ok(real.medianOptimismPct > 0, String(real.medianOptimismPct));
  });
});
