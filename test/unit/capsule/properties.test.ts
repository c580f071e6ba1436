import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compressPrompt } from '../../../src/core/capsule/index';
import { getTokenizer } from '../../../src/core/tokens/tokenizer';

const SEED = 20240607;
const RUNS = 60;

const WORDS = [
  'the', 'assistant', 'should', 'write', 'a', 'short', 'summary', 'of', 'each', 'chapter', 'and', 'explain', 'why',
  'it', 'matters', 'for', 'readers', 'who', 'are', 'new', 'to', 'history', 'please', 'in', 'order', 'to', 'very',
  'Paris', 'NASA', 'états', 'привет', 'мир', '数据', '分析', '🙂', '👩‍💻', 'naïve', 'café', 'co-operate', "user's",
];

/** Items the capsulator promises to keep byte for byte, with what must appear in the capsule. */
const PROTECTED = [
  '{{customer_name}}', '${tone:friendly}', '{topic}', '[PRODUCT]', '<INPUT>', '%s',
  'https://example.com/a/b?x=1', 'ops@example.com', '/etc/hosts', '`git status`', '"exact phrase here"',
  '42', '3.14', '2025-12-31', 'v2.0.1', 'H100', 'March 3, 2024',
];

const CONSTRAINTS = ['not mention prices', 'never use slang', 'only answer briefly', 'at most 3 items', 'unless asked'];

const word = fc.constantFrom(...WORDS);
const separator = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '\n', '\n- ', '\n\n## ');
const chunk = fc.oneof(
  { weight: 6, arbitrary: word },
  { weight: 1, arbitrary: fc.constantFrom(...PROTECTED) },
  { weight: 1, arbitrary: fc.constantFrom(...CONSTRAINTS) },
);
const prompt = fc
  .array(fc.tuple(chunk, separator), { minLength: 1, maxLength: 80 })
  .map((parts) => parts.map(([c, s]) => c + s).join(''));
const rate = fc.double({ min: 0.1, max: 1, noNaN: true });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('capsulator invariants (fast-check)', () => {
  test('protected spans and constraint phrases are preserved', () => {
    fc.assert(
      fc.property(prompt, rate, (text, r) => {
        const { capsule } = compressPrompt(text, { rate: r });
        for (const item of [...PROTECTED, ...CONSTRAINTS]) {
          if (text.includes(item)) assert.ok(capsule.includes(item), `lost ${item}`);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('never longer than the input, and the report tells the truth', () => {
    const tok = getTokenizer('o200k_base');
    fc.assert(
      fc.property(prompt, rate, (text, r) => {
        const { capsule, report } = compressPrompt(text, { rate: r });
        assert.ok(report.capsuleTokens <= report.originalTokens);
        assert.equal(report.capsuleTokens, tok.count(capsule));
        assert.equal(report.originalTokens, tok.count(text));
        assert.equal(report.withinBudget, report.capsuleTokens <= report.targetTokens * 1.05);
        if (!report.withinBudget) assert.ok(report.budgetNote);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('deterministic', () => {
    fc.assert(
      fc.property(prompt, rate, (text, r) => {
        assert.equal(compressPrompt(text, { rate: r }).capsule, compressPrompt(text, { rate: r }).capsule);
      }),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  test('rate 1.0 is the identity', () => {
    fc.assert(
      fc.property(fc.oneof(prompt, fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        assert.equal(compressPrompt(text, { rate: 1 }).capsule, text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('output is well-formed Unicode made of whole graphemes of the input', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    fc.assert(
      fc.property(fc.oneof(prompt, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 })), rate, (text, r) => {
        const { capsule } = compressPrompt(text, { rate: r });
        assert.ok(!LONE_SURROGATE.test(capsule));
        const graphemes = new Set([...segmenter.segment(text)].map((g) => g.segment));
        for (const { segment } of segmenter.segment(capsule)) {
          assert.ok(graphemes.has(segment) || /^\s+$/u.test(segment), `grapheme ${JSON.stringify(segment)} is not in the input`);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('JSON prompts stay valid JSON with the same keys', () => {
    const jsonValue = fc.dictionary(
      fc.constantFrom('role', 'task', 'rules', 'format', 'notes', 'max_words'),
      fc.oneof(prompt, fc.integer(), fc.array(prompt, { maxLength: 3 })),
      { minKeys: 1, maxKeys: 6 },
    );
    fc.assert(
      fc.property(jsonValue, fc.boolean(), rate, (value, pretty, r) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const parsed = JSON.parse(compressPrompt(text, { rate: r }).capsule) as Record<string, unknown>;
        assert.deepEqual(Object.keys(parsed), Object.keys(value));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
