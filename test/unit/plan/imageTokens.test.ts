import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anthropicResize, anthropicTokens, geminiTokens, imageTokensFor, openAiPatchTokens, openAiTileTokens } from '../../../src/core/plan/imageTokens';

// Every case is a worked example from the provider's documentation (docs/research/planner/01-image-tokens.md).
describe('visual tokens of hosted models, against the documented examples', () => {
  test('OpenAI tile rule (gpt-4o: 85 + 170 per 512px tile)', () => {
    assert.equal(openAiTileTokens(1024, 1024, 85, 170).tokens, 765);
    assert.equal(openAiTileTokens(2048, 4096, 85, 170).tokens, 1105);
    assert.deepEqual(openAiTileTokens(2048, 4096, 85, 170).resized, { width: 768, height: 1536 });
    assert.equal(openAiTileTokens(4096, 8192, 85, 170, 'low').tokens, 85);
    // Never scaled up: a 512 px square is one tile; a wide banner stays inside the 2048 px box.
    assert.equal(openAiTileTokens(512, 512, 85, 170).tokens, 255);
    assert.deepEqual(openAiTileTokens(4000, 100, 85, 170).resized, { width: 2048, height: 51 });
    assert.equal(openAiTileTokens(4000, 100, 85, 170).tokens, 85 + 170 * 4);
    assert.equal(imageTokensFor('gpt-4o', 1024, 1024)!.tokens, 765);
    assert.equal(imageTokensFor('gpt-4o-mini', 1024, 1024)!.tokens, 2833 + 4 * 5667);
  });

  test('OpenAI patch rule (32px patches, at most 1536)', () => {
    assert.equal(openAiPatchTokens(1024, 1024).tokens, 1024);
    assert.equal(openAiPatchTokens(1800, 2400).tokens, 1452);
    assert.deepEqual(openAiPatchTokens(1800, 2400).resized, { width: 1056, height: 1408 });
    assert.ok(Math.abs(imageTokensFor('gpt-4.1-mini', 1024, 1024)!.tokens - 1024 * 1.62) < 1e-9);
  });

  test('Anthropic 28px patches, standard tier (1568 tokens, 1568 px)', () => {
    const cases: Array<[number, number, number, [number, number] | undefined]> = [
      [200, 200, 64, undefined],
      [1000, 1000, 1296, undefined],
      [1092, 1092, 1521, undefined],
      [1920, 1080, 1560, [1456, 819]],
      [2000, 1500, 1564, [1270, 952]],
      [3840, 2160, 1560, [1456, 819]],
    ];
    for (const [w, h, tokens, resized] of cases) {
      const got = anthropicTokens(w, h, 1568, 1568);
      assert.equal(got.tokens, tokens, `${w}x${h}`);
      if (resized) assert.deepEqual(got.resized, { width: resized[0], height: resized[1] });
    }
    assert.equal(imageTokensFor('claude-sonnet-4-6', 1920, 1080)!.tokens, 1560);
  });

  test('Anthropic high-resolution tier (4784 tokens, 2576 px) and the A4 scan example', () => {
    for (const [w, h, tokens] of [[1920, 1080, 2691], [2000, 1500, 3888], [3840, 2160, 4784]] as const) assert.equal(anthropicTokens(w, h, 2576, 4784).tokens, tokens, `${w}x${h}`);
    assert.deepEqual(anthropicResize(3840, 2160, 2576, 4784), { width: 2576, height: 1449 });
    assert.deepEqual(anthropicResize(1075, 1520, 1568, 1568), { width: 924, height: 1307 });
    assert.equal(imageTokensFor('claude-opus-4-7', 3840, 2160)!.tokens, 4784);
  });

  test('Gemini: 258 for an image within 384 px; larger ones are an estimate', () => {
    assert.equal(geminiTokens(384, 384).tokens, 258);
    assert.equal(geminiTokens(384, 384).estimate, false);
    assert.equal(imageTokensFor('gemini-2.5-flash', 1024, 1024)!.tokens, 4 * 258);
    assert.equal(imageTokensFor('gemini-2.5-flash', 1024, 1024)!.estimate, true);
  });

  test('a model without a known rule gives none; a bad size is refused', () => {
    assert.equal(imageTokensFor('llama-3.1-8b-instruct', 512, 512), undefined);
    assert.throws(() => imageTokensFor('gpt-4o', 0, 512), /image size must be positive/);
  });
});
