/**
 * Spec conformance, added by the lead after reviewing the capsule of the bundled sample
 * prompt (media/samples/support-agent-prompt.md) at rate 0.5. Each test quotes the
 * issue's wording; they must pass at every rate the bench uses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compressPrompt } from '../../../src/core/capsule';
import { REPO_ROOT } from '../../support/paths';

const SAMPLE = readFileSync(path.join(REPO_ROOT, 'media/samples/support-agent-prompt.md'), 'utf8');
const RATES = [0.7, 0.5, 0.33];

function bracketBalance(text: string): number[] {
  return ['()', '[]', '{}'].map(([open, close]) => [...text].filter((c) => c === open).length - [...text].filter((c) => c === close).length);
}

describe('spec conformance on the sample prompt', () => {
  for (const rate of RATES) {
    const { capsule } = compressPrompt(SAMPLE, { rate });

    test(`rate ${rate}: quoted strings are kept byte for byte`, () => {
      // "… quoted strings. These are kept byte for byte."
      assert.ok(capsule.includes('"I\'m sorry, I can\n   only help with Northwind orders and products."'), capsule);
    });

    test(`rate ${rate}: every Markdown heading keeps its mark`, () => {
      // "Parse the prompt's structure first: Markdown (headings, …)": a heading may lose
      // words, but never its line or its # mark.
      const headings = SAMPLE.split('\n').filter((l) => /^#{1,6} /.test(l)).length;
      assert.equal(capsule.split('\n').filter((l) => /^#{1,6} \S/.test(l)).length, headings, capsule);
    });

    test(`rate ${rate}: brackets stay balanced (no dangling "(" or ")")`, () => {
      assert.deepEqual(bracketBalance(capsule), bracketBalance(SAMPLE), capsule);
    });

    test(`rate ${rate}: constraints keep the words they govern`, () => {
      // "negations, modals and limits ('not', 'never', 'must', 'only', 'at most', 'unless')
      // and the words they govern" are kept.
      for (const phrase of ['Never promise a refund', 'must not share', 'at most $50', 'not answer the question', 'not use emojis', 'not ask for the full card number']) {
        assert.ok(capsule.toLowerCase().includes(phrase.toLowerCase()), `${phrase}\n---\n${capsule}`);
      }
    });
  }
});
