/**
 * A capsule should read like telegraphic but complete instructions: each sentence, list
 * item and table cell keeps its key content words, the opening (role) sentence is kept
 * strongly, and filler and function words go first. Prompts: the bundled sample and the
 * fixtures copied from the dev set (fixtures/README.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compressPrompt } from '../../../src/core/capsule/index';
import { isVerbatimQuote } from '../../../src/core/capsule/protect';
import { parseStructure } from '../../../src/core/capsule/structure';
import { REPO_ROOT } from '../../support/paths';

const SAMPLE = readFileSync(path.join(REPO_ROOT, 'media/samples/support-agent-prompt.md'), 'utf8');

interface Fixture {
  act: string;
  kind: string;
  prompt: string;
}
const FIXTURES = readFileSync(path.join(REPO_ROOT, 'test/unit/capsule/fixtures/prompts.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Fixture);

function fixture(act: string): string {
  const found = FIXTURES.find((f) => f.act === act);
  assert.ok(found, act);
  return found.prompt;
}

function assertKeeps(capsule: string, phrases: readonly string[]): void {
  for (const phrase of phrases) assert.ok(capsule.toLowerCase().includes(phrase.toLowerCase()), `missing ${JSON.stringify(phrase)} in\n${capsule}`);
}

describe('readable capsules at rate 0.5', () => {
  const sample = compressPrompt(SAMPLE, { rate: 0.5 }).capsule;

  test('the sample keeps its identity line: name, company, role', () => {
    const opening = sample.split('\n').find((line) => line.includes('Atlas')) ?? '';
    assertKeeps(opening, ['Atlas', 'customer support', 'Northwind']);
  });

  test('soft modals are not protected, so their filler can go', () => {
    assert.ok(!sample.includes('should always try your very'), sample);
    const pieces = parseStructure('You should be polite, and you can always try your very best, if possible.').pieces;
    assert.deepEqual(pieces.filter((p) => p.kind === 'protected').map((p) => p.text), []);
  });

  test('every list item left keeps two words or more (a verb and its object, a noun phrase), or goes whole', () => {
    for (const rate of [0.5, 0.33]) {
      const capsule = compressPrompt(SAMPLE, { rate }).capsule;
      // An item is its marker's line and the indented lines under it.
      const items = capsule.split(/\n(?=\S)/).filter((block) => /^(?:[-*]|\d+\.)\s/.test(block));
      assert.ok(items.length >= 4, capsule);
      for (const item of items) {
        // Code and amounts count: "- shipping (`lookup_order`)" says what the tool is for.
        const content = item.replace(/^(?:[-*]|\d+\.)\s+/, '');
        assert.ok((content.match(/\p{L}{2,}|\d+/gu) ?? []).length >= 2, `${item}\n---\n${capsule}`);
      }
    }
  });

  test('every numbered rule keeps its number and some words', () => {
    for (let n = 1; n <= 6; n++) assert.match(sample, new RegExp(`^${n}\\. \\S`, 'm'), sample);
  });

  const cases: Array<[string, string[]]> = [
    ['Linux Terminal', ['linux terminal', 'code block', 'do not write explanations']],
    ['English Translator and Improver', ['English translator', 'spelling corrector']],
    ['The PRD Mastermind', ['Product Discovery Facilitator', 'Technical Visionary']],
    ['Developer Daily Report Generator', ['productivity assistant']],
  ];
  for (const [act, phrases] of cases) {
    test(`"${act}" keeps its role`, () => {
      assertKeeps(compressPrompt(fixture(act), { rate: 0.5 }).capsule, phrases);
    });
  }

  test('function words go before content words', () => {
    const { capsule } = compressPrompt(fixture('Linux Terminal'), { rate: 0.5 });
    const words = capsule.toLowerCase().split(/[^\p{L}']+/u);
    for (const filler of ['a', 'will', 'what', 'want']) assert.ok(!words.includes(filler), `${filler}: ${capsule}`);
  });

  test('bold words survive', () => {
    const text =
      'You are **Nova**, a research assistant for the library of the university. You help the students with the questions that they have about the catalogue and the opening hours of the reading rooms, and you are always patient with them.';
    assertKeeps(compressPrompt(text, { rate: 0.4 }).capsule, ['Nova', 'research assistant']);
  });
});

describe('what is and is not kept verbatim', () => {
  test('long quotations are verbatim where the prompt asks for those exact words or gives a value', () => {
    const reply = 'If asked about prices, say: "Our sales team will contact you within two business days."';
    assert.ok(isVerbatimQuote(reply, reply.indexOf('"'), reply.length - reply.indexOf('"')));
    // The user's own input ("My first request is ...") must reach the model as written.
    const example = 'My first request is "I have a budget of 100 dollars and I am looking for a new dress."';
    assert.ok(isVerbatimQuote(example, example.indexOf('"'), example.length - example.indexOf('"')));
    const prose = 'Write in the voice of "a seasoned travel writer who has seen every continent twice" throughout.';
    assert.ok(!isVerbatimQuote(prose, prose.indexOf('"'), prose.indexOf('" throughout') + 1 - prose.indexOf('"')));
    assert.ok(isVerbatimQuote('the "Submit" button', 4, 8));
  });

  test('separator lines of any repeated sign can go', () => {
    const text = ['════════════════', '■ ROLE', '════════════════', 'You are a careful analyst who writes clear, short and well sourced reports for the board of the company.'].join('\n');
    const { capsule } = compressPrompt(text, { rate: 0.5 });
    assert.ok(!capsule.includes('════'), capsule);
    assertKeeps(capsule, ['analyst']);
  });
});
