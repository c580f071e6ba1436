import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidateQuality, depthQuality, precisionQuality } from '../../../src/core/plan/quality';

describe('the planner\'s relative quality, from published tables', () => {
  test('Sorted LLaMA depths: preference share against the full SFT model, relative to the full SoFT model', () => {
    // Full 40 layers: (52.5 + 55/2) / 170 = 0.4706; 36 layers: (53 + 51/2) / 170 = 0.4618.
    assert.equal(depthQuality('llama-2-13b-soft', 40)!.relative, 1);
    assert.ok(Math.abs(depthQuality('llama-2-13b-soft', 36)!.relative - 0.4618 / 0.4706) < 1e-3);
    assert.ok(Math.abs(depthQuality('llama-2-13b-soft', 20)!.relative - ((32.5 + 11.75) / 170) / 0.4706) < 1e-3);
    assert.match(depthQuality('llama-2-13b-soft', 12)!.basis.join(' '), /not meaningful/);
    assert.equal(depthQuality('llama-2-13b-soft', 30), undefined, 'a depth the paper did not evaluate');
    // Deeper is never worse on this table.
    let previous = 0;
    for (const layers of [16, 20, 24, 28, 32, 36, 40]) {
      const q = depthQuality('llama-2-13b-soft', layers)!.relative;
      assert.ok(q >= previous - 0.02, `${layers}: ${q}`);
      previous = q;
    }
  });

  test('precisions: the mean 16-bit / quantized perplexity ratio of the published rows', () => {
    assert.equal(precisionQuality('bf16')!.relative, 1);
    // Every W8A8 row: MobileQuant's three mobile models and SmoothQuant's three Llama-2 sizes (capped at 1).
    const mobile = [14.9 / 15.5, 28.4 / 29.7, 18.0 / 20.3];
    const llama2 = [5.474 / 5.515, 1, 3.32 / 3.359];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(precisionQuality('int8')!.relative - mean([...mobile, ...llama2])) < 1e-12);
    // A Llama-2 model: its family's own rows only.
    assert.ok(Math.abs(precisionQuality('int8', 'llama-2-13b')!.relative - mean(llama2)) < 1e-12);
    assert.match(precisionQuality('int8', 'llama-2-13b')!.basis[0]!, /SmoothQuant.*the rows of llama-2-13b's family/);
    assert.ok(Math.abs(precisionQuality('int8', 'llama-3.1-8b')!.relative - mean([...mobile, ...llama2])) < 1e-12, 'no Llama 3.1 rows: all of them');
    const w4a16 = (5.47 / 5.6 + 4.88 / 4.97 + 3.32 / 3.41) / 3;
    assert.ok(Math.abs(precisionQuality('w4a16')!.relative - w4a16) < 1e-12);
    assert.ok(precisionQuality('w4a8')!.relative < precisionQuality('int8')!.relative);
    assert.equal(precisionQuality('int2'), undefined);
  });

  test('depth and precision multiply', () => {
    const q = candidateQuality('llama-2-13b-soft', 32, 'w4a16')!;
    assert.ok(Math.abs(q.relative - depthQuality('llama-2-13b-soft', 32)!.relative * precisionQuality('w4a16')!.relative) < 1e-12);
    const int8 = candidateQuality('llama-2-13b-soft', 40, 'int8')!;
    assert.equal(int8.relative, precisionQuality('int8', 'llama-2-13b')!.relative, "the SoFT family uses its base model's rows");
    assert.equal(q.basis.length, 2);
  });
});
