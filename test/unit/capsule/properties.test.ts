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

/** Placeholders written with inner spaces: the renderer must not tighten them to `{{name}}`. */
const SPACED_PLACEHOLDERS = ['{{ name }}', '{{ customer.first_name }}', '{% if vip %}', '${ order_id }', '[ USER INPUT ]'];
const PROSE = [
  ...WORDS.slice(0, 27), 'customer', 'support', 'order', 'refund', 'policy', 'tone', 'friendly', 'answer', 'question', 'product',
  'details', 'summary', 'report', 'security', 'privacy', 'data', 'review', 'code', 'function', 'tests', 'weather', 'city',
  'current', 'conditions', 'ensure', 'retrieve', 'integrate', 'lighting', 'scene', 'style', 'format', 'language', 'when', 'then',
];
const proseWord = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...PROSE) }, { weight: 1, arbitrary: fc.constantFrom(...WORDS.slice(27)) });
const inline = fc.oneof(
  { weight: 14, arbitrary: proseWord },
  { weight: 1, arbitrary: fc.constantFrom(...PROTECTED, ...SPACED_PLACEHOLDERS) },
  { weight: 1, arbitrary: fc.constantFrom(...CONSTRAINTS) },
);
const sentence = fc
  .array(inline, { minLength: 4, maxLength: 24 })
  .map((parts) => parts.join(' ').replace(/^./u, (c) => c.toUpperCase()) + '.');
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 5 }).map((s) => s.join(' '));
const heading = fc.tuple(fc.constantFrom('#', '##', '###'), fc.array(proseWord, { minLength: 1, maxLength: 5 })).map(([h, w]) => `${h} ${w.join(' ')}`);
const list = fc
  .tuple(fc.boolean(), fc.array(fc.array(inline, { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 8 }))
  .map(([ordered, items]) => items.map((item, k) => `${ordered ? `${k + 1}.` : '-'} ${item.join(' ')}`).join('\n'));
const codeLine = fc.array(fc.constantFrom('const', 'x', '=', 'await', 'fetch(url);', 'return', 'value', '{', '}', '// note', 'if', '(ok)'), { minLength: 1, maxLength: 8 });
/** A fence, at the margin or indented under a numbered step (both are code). */
const fence = fc
  .tuple(fc.constantFrom('', '   '), fc.constantFrom('ts', 'json', 'bash', ''), fc.array(codeLine, { minLength: 1, maxLength: 6 }))
  .map(([indent, lang, lines]) => {
    const body = [`\`\`\`${lang}`, ...lines.map((l) => l.join(' ')), '```'].map((l) => indent + l).join('\n');
    return indent ? `1. Run this:\n${body}` : body;
  });
const table = fc
  .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 5 }))
  .chain(([cols, rows]) =>
    fc.array(fc.array(fc.array(inline, { minLength: 1, maxLength: 4 }), { minLength: cols, maxLength: cols }), { minLength: rows + 1, maxLength: rows + 1 }),
  )
  .map((rows) => {
    const line = (cells: string[][]) => `| ${cells.map((c) => c.join(' ')).join(' | ')} |`;
    return [line(rows[0]!), `|${rows[0]!.map(() => '---').join('|')}|`, ...rows.slice(1).map(line)].join('\n');
  });
/** Documents of realistic size: hundreds to a few thousand tokens of headings, prose, lists, tables and fences. */
const realisticPrompt = fc
  .array(fc.oneof({ weight: 4, arbitrary: paragraph }, { weight: 2, arbitrary: heading }, { weight: 3, arbitrary: list }, { weight: 1, arbitrary: fence }, { weight: 1, arbitrary: table }), {
    minLength: 6,
    maxLength: 40,
  })
  .map((blocks) => blocks.join('\n\n') + '\n');

/** A seed for the unseeded pass: CAPSULE_PROPERTY_SEED replays a failure it printed. */
const RANDOM_SEED = Number(process.env['CAPSULE_PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/** Runs a property on the fixed seed, then on a fresh one, naming that seed when it fails. */
function assertBoth<T>(property: fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { seed: SEED, numRuns });
  try {
    fc.assert(property, { seed: RANDOM_SEED, numRuns });
  } catch (error) {
    throw new Error(`failed with the unseeded pass's seed ${RANDOM_SEED} (replay: CAPSULE_PROPERTY_SEED=${RANDOM_SEED} npm test)\n${String(error)}`);
  }
}

/** Every code fence of a document, whole (with its indentation). */
function fencesOf(text: string): string[] {
  return text.match(/^([ \t]*)```[^\n]*\n[\s\S]*?^\1```/gm) ?? [];
}

describe('capsulator invariants on realistic documents (fast-check, a fixed seed and an unseeded pass)', () => {
  const RUNS_LARGE = 25;

  test('generated documents are realistic: hundreds to thousands of tokens, and few come back unchanged', () => {
    const tok = getTokenizer('o200k_base');
    const samples = fc.sample(realisticPrompt, { seed: SEED, numRuns: 40 });
    const sizes = samples.map((t) => tok.count(t)).sort((a, b) => a - b);
    assert.ok(sizes[Math.floor(sizes.length / 2)]! >= 300, `median ${sizes[Math.floor(sizes.length / 2)]} tokens`);
    assert.ok(sizes[sizes.length - 1]! >= 1000, `largest ${sizes[sizes.length - 1]} tokens`);
    const unchanged = samples.filter((t) => compressPrompt(t, { rate: 0.5 }).capsule === t).length;
    assert.ok(unchanged <= 2, `${unchanged} of ${samples.length} unchanged at rate 0.5`);
  });

  test('protected spans, spaced placeholders and code fences (indented ones too) are kept byte for byte', () => {
    assertBoth(
      fc.property(realisticPrompt, rate, (text, r) => {
        const { capsule } = compressPrompt(text, { rate: r });
        for (const item of [...PROTECTED, ...SPACED_PLACEHOLDERS]) {
          if (text.includes(item)) assert.ok(capsule.includes(item), `lost ${item}`);
        }
        // A constraint phrase repeated in another case ("Only answer ... only answer") is a repeat.
        for (const item of CONSTRAINTS) {
          if (text.toLowerCase().includes(item)) assert.ok(capsule.toLowerCase().includes(item), `lost ${item}`);
        }
        for (const fenceText of fencesOf(text)) assert.ok(capsule.includes(fenceText.trimStart()), `lost a fence:\n${fenceText}`);
      }),
      RUNS_LARGE,
    );
  });

  test('never longer than the input, deterministic, and within budget holds at least 90% of the target where the prompt allows', () => {
    const tok = getTokenizer('o200k_base');
    assertBoth(
      fc.property(realisticPrompt, rate, (text, r) => {
        const first = compressPrompt(text, { rate: r });
        const { capsule, report } = first;
        assert.ok(report.capsuleTokens <= report.originalTokens);
        assert.equal(report.capsuleTokens, tok.count(capsule));
        assert.equal(compressPrompt(text, { rate: r }).capsule, capsule);
        if (report.withinBudget && report.capsuleTokens < report.originalTokens) {
          assert.ok(report.capsuleTokens >= 0.9 * report.targetTokens || first.report.dropped.length === 0, `${report.capsuleTokens} of ${report.targetTokens}`);
        }
      }),
      RUNS_LARGE,
    );
  });
});

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
