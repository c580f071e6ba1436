import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compressPrompt } from '../../../src/core/capsule/index';

/** Every word of the capsule (split on whitespace and punctuation) is a word of the original. */
function assertWholeWords(original: string, capsule: string): void {
  const words = new Set(original.split(/[\s\p{P}]+/u).filter(Boolean));
  for (const word of capsule.split(/[\s\p{P}]+/u).filter(Boolean)) {
    assert.ok(words.has(word), `'${word}' is not a whole word of the original`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertWellFormed(text: string): void {
  assert.ok(!LONE_SURROGATE.test(text), 'capsule has a lone surrogate');
  assert.ok(!text.includes('\uFFFD'), 'capsule has a replacement character');
}

describe('scripts', () => {
  test('Latin: whole words only', () => {
    const text =
      'Act as an experienced pastry chef. Explain step by step how to bake a light, fluffy sponge cake at home, including the ingredients, the oven temperature and the most common mistakes that beginners make.';
    const { capsule } = compressPrompt(text, { rate: 0.5 });
    assertWholeWords(text, capsule);
    assertWellFormed(capsule);
  });

  test('Cyrillic: whole words, negation kept', () => {
    const text =
      'Ты опытный редактор. Исправь грамматические ошибки в тексте пользователя и объясни каждое исправление простыми словами. Не меняй стиль автора и никогда не добавляй новые факты. Отвечай только на русском языке.';
    const { capsule, report } = compressPrompt(text, { rate: 0.5 });
    assert.ok(report.capsuleTokens < report.originalTokens);
    assertWholeWords(text, capsule);
    assertWellFormed(capsule);
    assert.ok(capsule.includes('Не меняй стиль'), capsule);
    assert.ok(capsule.includes('только на русском'), capsule);
  });

  test('CJK: segments by words, keeps negations, never breaks a character', () => {
    const text =
      '你是一名专业的小红书营销专家，请为我们的邮轮项目撰写一篇吸引人的推广文案。文案需要突出邮轮旅行的独特优势和难忘体验，语气要轻松活泼。不要使用夸张的广告用语，必须包含三个话题标签。';
    const { capsule, report } = compressPrompt(text, { rate: 0.5 });
    assert.ok(report.capsuleTokens < report.originalTokens);
    assertWellFormed(capsule);
    assert.ok(capsule.includes('不要使用'), capsule);
    assert.ok(capsule.includes('必须包含'), capsule);
    // Every kept run of Han characters is made of whole segments of the original.
    const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
    const segments = new Set([...segmenter.segment(text)].map((s) => s.segment));
    for (const run of capsule.match(/\p{Script=Han}+/gu) ?? []) {
      const parts = [...segmenter.segment(run)].map((s) => s.segment);
      assert.ok(parts.every((p) => segments.has(p) || text.includes(run)), run);
    }
  });

  test('Japanese: compresses and stays well formed', () => {
    const text =
      'あなたはプロの翻訳者です。ユーザーが入力した英語の文章を、自然で読みやすい日本語に翻訳してください。専門用語はそのまま残し、説明は追加しないでください。';
    const { capsule, report } = compressPrompt(text, { rate: 0.6 });
    assert.ok(report.capsuleTokens <= report.originalTokens);
    assertWellFormed(capsule);
  });

  test('emoji: ZWJ sequences, flags and skin tones are kept or dropped whole', () => {
    const clusters = ['👩‍💻', '🇫🇷', '👍🏽', '❤️'];
    const text = `## ${clusters[0]} Coding helper\nYou help developers ${clusters[1]} write clean code ${clusters[2]} and you explain every change with care ${clusters[3]} and patience for the beginners in the team.`;
    for (const rate of [0.8, 0.5, 0.3]) {
      const { capsule } = compressPrompt(text, { rate });
      assertWellFormed(capsule);
      const pictographs = capsule.match(/(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\u200D|\uFE0F|[\u{1F3FB}-\u{1F3FF}])+/gu) ?? [];
      for (const p of pictographs) assert.ok(clusters.includes(p), `broken cluster ${JSON.stringify(p)} at rate ${rate}`);
    }
  });
});
