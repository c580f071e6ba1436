import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compressPrompt, resolveTarget } from '../../../src/core/capsule/index';
import { LineCountCache } from '../../../src/core/capsule/token-costs';
import { getTokenizer, TOKENIZER_IDS } from '../../../src/core/tokens/tokenizer';

interface Fixture {
  kind: string;
  prompt: string;
}

// Fixtures live in the source tree (tsc does not copy them to out/).
const FIXTURES = fs
  .readFileSync(path.resolve(__dirname, '../../../../test/unit/capsule/fixtures/prompts.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Fixture);

describe('budget', () => {
  test('hits the target within 5% on real prompts, counted with each tokenizer', () => {
    for (const tokenizer of TOKENIZER_IDS) {
      for (const { prompt, kind } of FIXTURES) {
        for (const rate of [0.7, 0.5, 0.33]) {
          const { capsule, report } = compressPrompt(prompt, { rate, tokenizer });
          // The text itself is counted, not the report's own figures.
          const tokens = getTokenizer(tokenizer).count(capsule);
          const target = Math.max(1, Math.round(rate * getTokenizer(tokenizer).count(prompt)));
          assert.equal(report.capsuleTokens, tokens);
          if (report.withinBudget) {
            assert.ok(tokens <= target * 1.05, `${kind} ${rate} ${tokenizer}: ${tokens} tokens for a target of ${target}`);
            // Nor far under it: dropping more than asked loses meaning for nothing.
            assert.ok(tokens >= target * 0.9, `${kind} ${rate} ${tokenizer}: ${tokens} tokens, under 90% of the target of ${target}`);
          } else {
            assert.ok(tokens > target * 1.05, `${kind} ${rate} ${tokenizer}: reported over budget at ${tokens} tokens for ${target}`);
            assert.match(report.budgetNote ?? '', /protected content/);
          }
          if (kind === 'json') assert.doesNotThrow(() => JSON.parse(compressPrompt(prompt, { rate, tokenizer }).capsule));
        }
      }
    }
  });

  test('most fixtures are feasible at 0.5', () => {
    const within = FIXTURES.filter(({ prompt }) => compressPrompt(prompt, { rate: 0.5 }).report.withinBudget).length;
    assert.ok(within >= FIXTURES.length - 1, `${within}/${FIXTURES.length}`);
  });

  test('targetTokens wins over rate', () => {
    const { prompt } = FIXTURES[0]!;
    const { report } = compressPrompt(prompt, { rate: 0.9, targetTokens: 40 });
    assert.equal(report.targetTokens, 40);
    assert.ok(report.capsuleTokens <= 42);
  });

  test('infeasible targets keep every protected span and say why', () => {
    const text = 'Call {{first_name}} at https://example.com/contact/form?id=123456 before 2025-01-31 about `deploy --prod`.';
    const { capsule, report } = compressPrompt(text, { targetTokens: 3 });
    for (const item of ['{{first_name}}', 'https://example.com/contact/form?id=123456', '2025-01-31', '`deploy --prod`']) {
      assert.ok(capsule.includes(item), item);
    }
    assert.equal(report.withinBudget, false);
    assert.match(report.budgetNote ?? '', /protected content/);
  });

  test('verbatim repeats of protected spans go last, and the first occurrence always stays', () => {
    const text = [
      'Greet {{first_name}} warmly, reply only in "plain text", link https://example.com/help and never share `api_key` values.',
      'When the order ships, thank {{first_name}} again; a courteous reply only in "plain text" suits, with https://example.com/help for returns. Still never share `api_key` secrets.',
      'Before closing the ticket remind {{first_name}} that replies come only in "plain text", that https://example.com/help exists, and to never share `api_key` tokens.',
    ].join('\n');
    const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
    // A generous target: ordinary words go, every repeat stays.
    const roomy = compressPrompt(text, { rate: 0.8 });
    assert.equal(count(roomy.capsule, '{{first_name}}'), 3, roomy.capsule);
    assert.ok(!roomy.report.dropped.some((d) => d.category === 'repeated-protected'));
    // A tight one: repeats go, one of each is kept byte for byte, and the report counts only what is kept.
    const tight = compressPrompt(text, { targetTokens: 1 });
    for (const item of ['{{first_name}}', '"plain text"', 'https://example.com/help', '`api_key`', 'never share']) {
      assert.equal(count(tight.capsule, item), 1, `${item} in ${tight.capsule}`);
    }
    assert.ok(tight.report.dropped.some((d) => d.category === 'repeated-protected' && d.count >= 8));
    assert.equal(tight.report.protected.find((p) => p.kind === 'placeholder')?.count, 1);
    assert.equal(tight.report.withinBudget, false);
  });

  test('trailing whitespace goes; code keeps its bytes', () => {
    const code = '```\nline one   \n  indented\t\n```';
    const text = `${'Please always write a rather long, careful and very friendly answer for the reader here.   \n'.repeat(3)}   \n${code}\n`;
    const { capsule } = compressPrompt(text, { rate: 0.7 });
    assert.ok(capsule.includes(code), capsule);
    assert.ok(!/[ \t]\n/.test(capsule.replace(code, '')), JSON.stringify(capsule));
  });

  test('the budget note writes its token counts with thousands separators', () => {
    // A code block (kept byte for byte) far over the target: the note names both counts.
    const code = ['```js', ...Array.from({ length: 300 }, (_, i) => `const value${i} = compute(${i}, "item-${i}");`), '```'].join('\n');
    const { report } = compressPrompt(`Run this:\n${code}\n`, { rate: 0.1 });
    assert.equal(report.withinBudget, false);
    assert.ok(report.capsuleTokens >= 1000 && report.targetTokens >= 100, `${report.capsuleTokens} tokens, target ${report.targetTokens}`);
    const counts: string[] = (report.budgetNote ?? '').match(/\d[\d,]*/g) ?? [];
    assert.ok(counts.includes(report.capsuleTokens.toLocaleString('en-US')), `note: ${report.budgetNote}`);
    assert.ok(counts.includes(report.targetTokens.toLocaleString('en-US')), `note: ${report.budgetNote}`);
  });

  test('whitespace-only input comes back unchanged, with the reason', () => {
    const { capsule, report } = compressPrompt('   \n\n  ', { rate: 0.5 });
    assert.equal(capsule, '   \n\n  ');
    assert.match(report.budgetNote ?? '', /protected content and structure/);
  });

  test('empty and tiny inputs', () => {
    assert.equal(compressPrompt('', { rate: 0.5 }).capsule, '');
    assert.equal(compressPrompt('', { rate: 0.5 }).report.rateReached, 1);
    const tiny = compressPrompt('Hi', { rate: 0.5 });
    assert.ok(tiny.report.capsuleTokens <= 1);
  });

  test('rejects rates outside (0, 1]', () => {
    assert.throws(() => compressPrompt('text', { rate: 0 }), RangeError);
    assert.throws(() => compressPrompt('text', { rate: 1.5 }), RangeError);
    assert.throws(() => compressPrompt('text', { targetTokens: -1 }), RangeError);
    assert.deepEqual(resolveTarget({ rate: 0.5 }, 101), { target: 51, rateRequested: 0.5 });
  });

  test('report lists protected kinds and dropped categories', () => {
    const fenced = FIXTURES.find((f) => f.kind === 'fence')!;
    const { report } = compressPrompt(fenced.prompt, { rate: 0.5 });
    assert.ok(report.protected.some((p) => p.kind === 'code-fence' && p.count >= 1 && p.tokens > 0));
    assert.ok(report.dropped.some((d) => d.category === 'low-information-word' && d.count > 0));
    assert.ok(report.elapsedMs >= 0);
    assert.equal(report.rateRequested, 0.5);
    assert.equal(report.rateReached, report.capsuleTokens / report.originalTokens);
  });

  test('an aborted signal stops the work with an AbortError', () => {
    const { prompt } = FIXTURES[0]!;
    assert.throws(() => compressPrompt(prompt, { rate: 0.5 }, { aborted: true }), { name: 'AbortError' });
    let calls = 0;
    const flipping = {
      get aborted(): boolean {
        return ++calls > 3;
      },
    };
    assert.throws(() => compressPrompt(prompt.repeat(20), { rate: 0.5 }, flipping), { name: 'AbortError' });
  });
});

describe('LineCountCache', () => {
  test('adds up to the exact count of the whole text', () => {
    for (const id of TOKENIZER_IDS) {
      const tok = getTokenizer(id);
      for (const { prompt } of FIXTURES) {
        for (const text of [prompt, prompt.replace(/ /g, '\n'), prompt.replace(/\n/g, '\n\n//'), prompt.replace(/\. /g, '.\n ')]) {
          assert.equal(new LineCountCache(tok).count(text), tok.count(text));
        }
      }
    }
  });
});

describe('LineCountCache chunking (fast-check)', () => {
  // Characters around every cut the counter makes: spaces, breaks, slashes, letters of
  // several scripts, marks, digits, apostrophes and punctuation runs.
  const pieces = fc.constantFrom(
    ' ', '  ', '\t', '\n', '\r\n', '\n\n', '/', ' /', 'a', 'Ab', 'word', 'WORD', "'s", "'ll", '’', '1', '2024', '.', ',', '**', '->',
    'é', 'e\u0301', 'привет', 'Привет', 'ПРИВЕТ', '数据', 'Ελλάδα', '🙂', '\u00a0', '\u3000', '{{x}}', '<|endoftext|>', '```', '- ', '# ',
    // Minified JSON and quotes: sign runs before letters.
    '"', '{"', '":"', '","', '"}', "'", "'t", '(', '[', '_', '\t"', '\n"', ' "', '.\'', '$', '\n/', 'ß',
  );
  const text = fc.array(pieces, { maxLength: 60 }).map((parts) => parts.join(''));

  test('adds up to the exact count of any text, with each tokenizer', () => {
    for (const id of TOKENIZER_IDS) {
      const tok = getTokenizer(id);
      fc.assert(
        fc.property(text, (t) => {
          assert.equal(new LineCountCache(tok).count(t), tok.count(t));
        }),
        { seed: 20240611, numRuns: 1000 },
      );
    }
  });
});
