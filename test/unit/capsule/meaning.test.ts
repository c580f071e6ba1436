/**
 * Capsules that still read as instructions (issue 15): a clause keeps its key phrase or
 * goes whole, noun phrases go or stay together, the first mention of a word the prompt
 * repeats is its topic, a number keeps its unit, and a clause that governs the output
 * (its language, format, length) is a constraint. Each case failed before that work.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compressPrompt } from '../../../src/core/capsule/index';
import { nounPhrases } from '../../../src/core/capsule/phrases';
import { findOutputClauses } from '../../../src/core/capsule/protect';
import { parseStructure } from '../../../src/core/capsule/structure';
import { pieceCosts, TokenCoster } from '../../../src/core/capsule/token-costs';
import { DEV_PROMPTS } from '../../support/paths';

const RULES = [
  'You are a friendly nutrition coach for a fitness app. Help each user reach their weight loss goals with practical, encouraging advice.',
  '',
  '- Integrate gentle, lifelike lighting and shadow effects into every generated scene.',
  '- Ensure all transformations maintain user privacy and security at every step.',
  '- Retrieve current weather conditions for the specified city before answering.',
  "- Never ask for the customer's password or full credit card number, even when they offer it.",
  '- Reply in the same language the customer used.',
  '- Explain how grain is stored, how grain prices move, why grain quality varies and which grain suppliers to trust.',
  '- Keep security logs for audits.',
  '',
].join('\n');

const CHINESE =
  '你是一名专业的客服助理，负责回答顾客关于订单、退货和配送的问题。请始终使用简体中文回答，语气要友好、耐心。每次回复不超过一百五十字，并且不要透露顾客的个人信息。如果问题超出你的范围，请礼貌地说明并建议顾客联系人工客服。\n';

function words(text: string): string[] {
  return text.toLowerCase().match(/\p{L}+/gu) ?? [];
}

describe('the topic of a prompt survives', () => {
  for (const rate of [0.5, 0.33]) {
    test(`rate ${rate}: a word said four times ("grain") or twice ("security") keeps its first mention`, () => {
      const kept = words(compressPrompt(RULES, { rate }).capsule);
      assert.ok(kept.includes('grain'), kept.join(' '));
      assert.ok(kept.includes('security'), kept.join(' '));
    });
  }
});

describe('phrases go or stay whole', () => {
  test('noun phrases are found with the part-of-speech table; an imperative verb is not part of one', () => {
    const text = 'Use clear headings. The customer support assistant checks current weather conditions, then you should review the full credit card number.';
    const { pieces } = parseStructure(text);
    const coster = new TokenCoster('o200k_base');
    const ids = new Int32Array(pieces.length);
    pieceCosts(pieces, coster, ids);
    const scored = pieces.flatMap((piece, index) => (piece.kind === 'word' ? [index] : []));
    const found = nounPhrases(pieces, scored, ids, coster.words).map((phrase) => phrase.map((index) => pieces[index]!.text).join(' '));
    assert.deepEqual(found, ['clear headings', 'customer support assistant', 'current weather conditions', 'full credit card number']);
  });

  for (const rate of [0.5, 0.33]) {
    test(`rate ${rate}: "full credit card number" stays whole, and "Retrieve" keeps its object`, () => {
      const { capsule } = compressPrompt(RULES, { rate });
      assert.match(capsule, /full credit card number/, capsule);
      const retrieve = capsule.split('\n').find((line) => line.includes('Retrieve'));
      if (retrieve !== undefined) assert.match(retrieve, /Retrieve current weather conditions/, capsule);
    });
  }

  test('rate 0.5: the instruction keeps its verb and its object ("Retrieve current weather conditions")', () => {
    assert.match(compressPrompt(RULES, { rate: 0.5 }).capsule, /- Retrieve current weather conditions/);
  });
});

describe('whole clauses and list items', () => {
  test('a list item is never cut to one word: it keeps its key phrase or goes whole, and the report says so', () => {
    for (const rate of [0.5, 0.33, 0.2]) {
      const { capsule, report } = compressPrompt(RULES, { rate });
      for (const line of capsule.split('\n').filter((l) => l.startsWith('- '))) assert.ok(words(line).length >= 2, `${line}\n---\n${capsule}`);
      if (rate < 0.5) assert.ok(report.dropped.some((d) => d.category === 'whole-clause' && d.count > 0), JSON.stringify(report.dropped));
    }
  });

  test('over a seeded sample of the dev prompts, one-word list items stay under 5% at rate 0.5 and 10% at 0.33', () => {
    const prompts = readFileSync(DEV_PROMPTS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { prompt: string }).prompt);
    // Every 5th prompt: about 200, all shapes.
    const sample = prompts.filter((_, k) => k % 5 === 2);
    const item = /^[ \t]*(?:>[ \t]?)*(?:[-*+•]|\d{1,9}[.)])[ \t]+(.*)$/gmu;
    for (const [rate, limit] of [[0.5, 0.05], [0.33, 0.1]] as const) {
      let items = 0;
      let short = 0;
      for (const prompt of sample) {
        for (const m of compressPrompt(prompt, { rate }).capsule.matchAll(item)) {
          items++;
          if ((m[1]!.match(/[\p{L}\p{N}]+/gu) ?? []).length <= 1) short++;
        }
      }
      assert.ok(items > 500, `${items} items`);
      assert.ok(short / items <= limit, `rate ${rate}: ${short} of ${items} items keep one word or none`);
    }
  });
});

describe('a clause that governs the output is a constraint', () => {
  test('language, format and length clauses are found; style words and ordinary uses of 用 are not', () => {
    const clauses = (text: string) => findOutputClauses(text).map(([start, end]) => text.slice(start, end));
    assert.deepEqual(clauses('Reply in the same language the customer used. Be brief.'), ['Reply in the same language the customer used']);
    assert.deepEqual(clauses('Respond with JSON matching the schema.'), ['Respond with JSON matching the schema']);
    assert.deepEqual(clauses('Keep the summary under 300 words.'), ['Keep the summary under 300 words']);
    assert.deepEqual(clauses('请始终使用简体中文回答，语气要友好。'), ['请始终使用简体中文回答']);
    assert.deepEqual(clauses('Use simple and clear language.'), []);
    assert.deepEqual(clauses('常用的编程语言都可以作为筛选条件。'), []);
  });

  for (const rate of [0.5, 0.33]) {
    test(`rate ${rate}: "Reply in the same language the customer used" and 请始终使用简体中文回答 stay word for word`, () => {
      assert.match(compressPrompt(RULES, { rate }).capsule, /Reply in the same language the customer used/);
      assert.match(compressPrompt(CHINESE, { rate }).capsule, /请始终使用简体中文回答/);
    });
  }
});

describe('numbers keep their unit; sentences written without spaces keep their ends', () => {
  test('rate 0.5: 一百五十字 keeps 字 (150 characters, not 150)', () => {
    assert.match(compressPrompt(CHINESE, { rate: 0.5 }).capsule, /一百五十字/);
  });

  for (const rate of [0.5, 0.33]) {
    test(`rate ${rate}: no line starts with a "。" left by a dropped sentence, and sentences stay apart`, () => {
      for (const text of [CHINESE, '你是一名客服助理。请始终使用简体中文回答，语气要友好。回复不超过一百五十字。\n']) {
        const { capsule } = compressPrompt(text, { rate });
        assert.doesNotMatch(capsule, /^[。，、；]/mu, capsule);
        assert.match(capsule, /回答[。，、]/u, capsule);
      }
    });
  }
});

describe('what the last review of dev capsules found', () => {
  const TEXT = [
    '## STEP 2 — Design Decision Log',
    '',
    'Record every design decision you make in a short table, with the reason and the date. Use a warm orange–red accent colour for the highlighted rows of the table, and keep each entry brief and factual.',
    '',
    'Build the landing page with Next.js 15 and Tailwind, deploy it to Vercel, and set retries=3 and timeout=30s in the client config before the launch review.',
    '',
  ].join('\n');

  for (const rate of [0.5, 0.33]) {
    test(`rate ${rate}: a heading keeps its words, a key keeps its value, a number its label, and no dash is left joining nothing`, () => {
      const { capsule } = compressPrompt(TEXT, { rate });
      assert.match(capsule, /STEP 2 .*Design Decision Log/, capsule);
      assert.match(capsule, /retries=3/, capsule);
      assert.match(capsule, /timeout=30s/, capsule);
      assert.match(capsule, /Next\.js 15/, capsule);
      assert.doesNotMatch(capsule, /[–—](?![\p{L}\p{N}])|(?<![\p{L}\p{N}])[–—](?=\p{L})/u, capsule);
    });
  }
});

describe('pictographs', () => {
  test('rate 0.5: an emoji between words is content and stays; one heading a line is decoration and goes', () => {
    const text =
      'You are a task tracker for a small design team that ships weekly.\n\nMark finished tasks with ✅ and blocked ones with ⛔ so the team sees them at a glance, and list the owners of blocked tasks first.\n\n🚀 Launch checklist\n- Confirm the release notes with the product manager before Friday\n';
    const { capsule } = compressPrompt(text, { rate: 0.5 });
    assert.match(capsule, /✅/u, capsule);
    assert.match(capsule, /⛔/u, capsule);
    assert.doesNotMatch(capsule, /🚀/u, capsule);
    assert.doesNotMatch(capsule, /^are\b/m, capsule);
  });
});

describe('a long document', () => {
  test('spends its budget evenly along the text: the first and the second half keep about the same share', () => {
    const prompts = readFileSync(DEV_PROMPTS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { prompt: string }).prompt)
      .filter((p) => p.length > 800 && p.length < 3000 && !p.trim().startsWith('{'));
    const sections = prompts.slice(0, 24).map((p, k) => `## Section ${k + 1}\n\n${p}`);
    const text = sections.join('\n\n');
    for (const rate of [0.5, 0.33]) {
      const parts = compressPrompt(text, { rate }).capsule.split(/^## Section \d+$/m).slice(1);
      assert.equal(parts.length, sections.length);
      const share = (from: number, to: number) => {
        let kept = 0;
        let total = 0;
        for (let k = from; k < to; k++) {
          kept += parts[k]!.length;
          total += sections[k]!.length;
        }
        return kept / total;
      };
      const first = share(0, 12);
      const second = share(12, 24);
      assert.ok(Math.abs(first - second) <= 0.1, `rate ${rate}: first half keeps ${first.toFixed(2)}, second half ${second.toFixed(2)}`);
    }
  });
});

describe('dates and ranges', () => {
  test('an ISO date is not a range, and a date after it keeps its comma ("2025-12-31 March 3, 2024")', () => {
    const text = 'The the the the.\n\n2025-12-31 March 3, 2024 not mention prices the the not mention prices. The not mention prices the the.\n';
    for (const rate of [0.5, 0.1]) {
      const { capsule } = compressPrompt(text, { rate });
      assert.match(capsule, /2025-12-31/, capsule);
      assert.match(capsule, /March 3, 2024/, capsule);
    }
  });

  test('a number before a month that has its own day is not that day: "42 March 3, 2024" keeps its comma, in a table cell too', () => {
    // Found by the unseeded property pass (seed 1897695039): "3.14 March 3, 2024" in a table
    // cell came out "3.14 March 3 2024", the date taken as "14 March".
    for (const text of [
      '| a | b |\n|---|---|\n| 3.14 March 3, 2024 | the |\n',
      'The the 42 March 3, 2024 the the the.\n',
      'Due 3.14 Mar. 3rd, 2024 the the the.\n',
    ]) {
      for (const rate of [0.5, 0.1]) {
        const { capsule } = compressPrompt(text, { rate });
        assert.match(capsule, /(March 3|Mar\. 3rd), 2024/, capsule);
        assert.match(capsule, /3\.14|42/, capsule);
      }
    }
    // A day before a month without its own day is still a date, with its year.
    for (const rate of [0.5, 0.1]) assert.match(compressPrompt('Ship on 14 March 2024 the the the.\n', { rate }).capsule, /14 March 2024/);
  });
});

describe('words of scripts written without spaces', () => {
  test('a compound the segmenter splits into single characters stays whole ("字段", not "段")', () => {
    const text = '你是一名数据工程师。返回的字段必须包含用户名和订单号，并且不要修改原始数据。请用简短的句子说明每个字段的含义，以及它来自哪一张表。\n';
    for (const rate of [0.5, 0.33]) {
      const { capsule } = compressPrompt(text, { rate });
      // Every 段 left is part of 字段.
      assert.equal((capsule.match(/段/g) ?? []).length, (capsule.match(/字段/g) ?? []).length, capsule);
      assert.ok(!/^的/m.test(capsule), capsule);
    }
  });
});

describe('found in review', () => {
  test('a dash or slash that lost a word never glues the words on either side ("palegreen", "readexecute")', () => {
    const text =
      'You are a painter of calm landscapes for a gallery in the north.\n\nUse a pale blue–green wash for every sky, give the user read/write/execute access only when asked, and use a warm orange–red accent for the highlighted rows.\n';
    for (const rate of [0.7, 0.5, 0.33, 0.2]) {
      const { capsule } = compressPrompt(text, { rate });
      assert.doesNotMatch(capsule, /palegreen|readexecute|askedred|asked–red|^\s*[–/]/mu, capsule);
    }
  });

  test('a quoted separator stays a quotation and the quotation after it stays whole ("," ... "done")', () => {
    const text = 'You are a careful formatter of tables for the finance team of the company.\n\nSeparate every field with "," and then output "done" on a line of its own when the table is complete.\n';
    for (const rate of [0.5, 0.3]) assert.match(compressPrompt(text, { rate }).capsule, /"done"/);
  });

  test('an output clause inside a run of Chinese is found where it is, and only it is kept whole', () => {
    const text = '你必须始终使用简体中文回答，并且保持礼貌和耐心，不要透露任何内部信息。请用中文回答顾客提出的每一个关于订单和配送的具体问题，语气要友好。\n';
    for (const rate of [0.5, 0.33]) {
      const { capsule } = compressPrompt(text, { rate });
      assert.match(capsule, /始终使用简体中文回答/, capsule);
      assert.match(capsule, /请用中文回答/, capsule);
    }
    const clauses = (t: string) => findOutputClauses(t).map(([a, b]) => t.slice(a, b));
    assert.deepEqual(clauses(text), ['必须始终使用简体中文回答', '请用中文回答']);
  });

  test('a language or format named later in a sentence is not an output clause', () => {
    const clauses = (t: string) => findOutputClauses(t).map(([a, b]) => t.slice(a, b));
    assert.deepEqual(clauses('Write a poem in the style of English romantic poets about love.'), []);
    assert.deepEqual(clauses('Answer questions about history in detail, and the French Revolution.'), []);
    assert.deepEqual(clauses('Keep the summary under 300 words please and be nice.'), ['Keep the summary under 300 words']);
  });
});

describe('sentence ends', () => {
  test('a sentence whose words all went leaves no second full stop ("耐心。。"), and "你是" is not a keeper', () => {
    const text = '你是一名客服助理。请保持耐心。好。不要透露顾客的个人信息，也不要猜测订单状态。\n';
    for (const rate of [0.5, 0.33]) {
      const { capsule } = compressPrompt(text, { rate });
      assert.doesNotMatch(capsule, /[。！？][。！？]/u, capsule);
      assert.doesNotMatch(capsule, /^你是。/u, capsule);
    }
  });
});
