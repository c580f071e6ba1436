/**
 * What drops leave behind: empty JSON/YAML elements, blank lines, empty quotes,
 * decoration, orphaned list continuations; and words the lexer must keep whole.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { compressPrompt } from '../../../src/core/capsule/index';

const PROSE =
  'Please take a careful look at the overall situation described here and then write a friendly, thorough and genuinely helpful reply for the reader.';

describe('the lexer keeps whole words whole', () => {
  test('a word joined by a non-breaking hyphen (U+2011) is one word', () => {
    const text = `Rédige un e\u2011mail professionnel destiné à \${client} pour lui présenter la nouvelle offre de la banque et ses avantages principaux.`;
    for (const rate of [0.6, 0.3, 0.1]) {
      const { capsule } = compressPrompt(text, { rate });
      // Either the whole word or nothing of it: never a hyphen left alone or glued to another word.
      const hyphens = capsule.split('\u2011').length - 1;
      assert.equal(hyphens, capsule.includes('e\u2011mail') ? 1 : 0, capsule);
    }
  });

  test('command options ("--ar 16:9", "--no-cache") stay whole and are never glued to a word', () => {
    const text = `${PROSE} Hyper-realistic portrait of a lighthouse at dawn, cinematic composition. --ar 16:9 --v 6 and run it with --no-cache.`;
    const { capsule } = compressPrompt(text, { rate: 0.2 });
    for (const item of ['--ar 16:9', '--v 6', '--no-cache']) assert.ok(capsule.includes(item), `${item} in ${capsule}`);
    assert.doesNotMatch(capsule, /\w-ar\b|(?<![\s-])-ar\b/, capsule);
    // An option given twice with different values keeps both, even at the floor.
    const twice = compressPrompt(`${PROSE} First shot, wide. --ar 16:9\n${PROSE} Second shot, close. --ar 9:16\n`, { targetTokens: 1 }).capsule;
    for (const item of ['--ar 16:9', '--ar 9:16']) assert.ok(twice.includes(item), `${item} in ${twice}`);
  });
});

describe('what drops leave behind is swept up', () => {
  test('decoration runs and spaced signs go before words', () => {
    const text = `# === Setup Guide === \n\n${PROSE} Apples & pears + plums / cherries are all fine to mention in the reply.`;
    const { capsule } = compressPrompt(text, { rate: 0.6 });
    assert.doesNotMatch(capsule, /===/, capsule);
    assert.match(capsule, /^# \S/m, capsule);
    assert.doesNotMatch(capsule, / [&+/] /, capsule);
  });

  test('straight quotes left with nothing between them go in pairs', () => {
    // Too long to be a protected quotation: its words are ordinary words.
    const quote = `"${PROSE} ${PROSE} ${PROSE}"`;
    const text = `Tell them ${quote} and then close the ticket with {{ticket_id}} for the record.`;
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    assert.ok(capsule.includes('{{ticket_id}}'), capsule);
    assert.doesNotMatch(capsule, /"\s*"/, capsule);
  });

  test('pruned paragraphs leave no run of blank lines, at the top, inside or at the end', () => {
    const text = `${PROSE}\n\n## Inputs\n\n${PROSE}\n\n{{input}}\n\n${PROSE}\n\n${PROSE}\n\n## Output\n\nReturn {{format}}.\n\n${PROSE}\n`;
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    assert.doesNotMatch(capsule, /\n\n\n/, JSON.stringify(capsule));
    assert.doesNotMatch(capsule, /^\n/, JSON.stringify(capsule));
    assert.doesNotMatch(capsule, /\n\n$/, JSON.stringify(capsule));
    for (const item of ['## Inputs', '{{input}}', '## Output', '{{format}}']) assert.ok(capsule.includes(item), capsule);
    // Without a final line break in the source, none is left after the last kept line.
    const unterminated = compressPrompt(text.trimEnd(), { targetTokens: 1 }).capsule;
    assert.doesNotMatch(unterminated, /\n$/, JSON.stringify(unterminated));
  });

  test('a table body row whose cells all went empty goes; the header and separator rows stay', () => {
    const text = [
      'Please fill in the following table carefully for the reader and for the whole team.',
      '',
      '| Field | Meaning | Example |',
      '|---|---|---|',
      '| name | the full legal name of the person | {{name}} |',
      '| role | what the person does in the company every single day | engineer |',
      '',
    ].join('\n');
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    const rows = capsule.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows.length, 3, capsule);
    assert.match(rows[1]!, /^\|---\|---\|---\|$/);
    assert.ok(rows[2]!.includes('{{name}}'), capsule);
  });

  test('no sign is left alone in brackets: a word\'s last sign before ")" goes, and so does a dot after "("', () => {
    const text =
      `1. **What is the "stumbling block"?** (Which specific part of this concept do people usually find most confusing?)\n` +
      `2. **Who is the audience?** (e.g., 5-year-old, CEO, non-tech stakeholders).\n${PROSE}\n`;
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    assert.ok(capsule.includes('"stumbling block"') && capsule.includes('5-year-old'), capsule);
    assert.doesNotMatch(capsule, /\(\s*[?.!,;:]+\s*\)/, capsule);
    assert.doesNotMatch(capsule, /\(\s*[.:]|\( /, capsule);
    // A sign between two parts of a word or number still stays: "2,000", "(.5)".
    const numbers = compressPrompt(`${PROSE} Budget 2,000 (.5 of it up front).`, { targetTokens: 1 }).capsule;
    assert.ok(numbers.includes('2,000') && numbers.includes('.5'), numbers);
  });

  test('a word spelt like an object property ("constructor", "toString") is a word, not a bracket: the space after it stays', () => {
    const text = `${PROSE}\n- Prefer the \`dict()\` constructor instead of the literal \`{}\` in this codebase.\n- Use the toString method and then call \`format()\` on it.\n`;
    for (const rate of [0.5, 0.3]) {
      const { capsule } = compressPrompt(text, { rate });
      // Each is followed by a space and what comes next, never glued to it (at 0.3 the
      // budget may take the word itself).
      if (rate === 0.5 || capsule.includes('constructor')) assert.match(capsule, /constructor (?:\p{L}+ )*`\{\}`/u, capsule);
      if (rate === 0.5 || capsule.includes('toString')) assert.match(capsule, /toString (?:\p{L}+ )*`format\(\)`/u, capsule);
    }
  });

  test('a list item whose first line goes keeps its marker on the line that stays', () => {
    const text = [
      '1. Please reply politely and patiently to every single message from the customer,',
      '   whatever the topic.',
      '2. Escalate the conversation to a human agent when the customer is upset, or when the',
      '   order value is above $1,000.',
      '',
    ].join('\n');
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    assert.match(capsule, /^2\. \$1,000/m, capsule);
    assert.doesNotMatch(capsule, /^\s+\$1,000/m, capsule);
  });
});

describe('JSON and YAML elements left empty go, and the document stays valid', () => {
  test('JSON array strings emptied by drops are removed with their commas; kept ones stay', () => {
    const prompt = {
      subject: { hair: ['Dark brown, loose waves tucked behind one ear', 'natural strands with slight flyaways'] },
      negative_prompt: ['readable text anywhere in the frame', 'extra fingers on either hand', 'no logos', 'warped steps and stairs', 'plastic looking skin'],
      count: [1, 'several extra words in a mixed array'],
    };
    const text = JSON.stringify(prompt, null, 2);
    const { capsule, report } = compressPrompt(text, { targetTokens: 1 });
    const value = JSON.parse(capsule) as typeof prompt;
    assert.deepEqual(Object.keys(value), Object.keys(prompt));
    assert.deepEqual(value.subject.hair, []);
    // The element with a protected constraint stays, alone and byte for byte.
    assert.deepEqual(value.negative_prompt, ['no logos']);
    // A mixed array cannot lose elements safely: it keeps its shape.
    assert.equal(value.count.length, 2);
    assert.ok(report.dropped.some((d) => d.category === 'empty-element'));
  });

  test('YAML list items emptied by drops are removed; keys and nested items stay', () => {
    const text = [
      'name: careful reviewer of pull requests',
      'role: a senior engineer who reviews the code with care',
      'tone: friendly, calm and precise in every comment',
      'steps:',
      '  - analyze the code for obvious syntax errors',
      '  - evaluate the adherence to the team standards',
      '  - do not use tabs',
      'output:',
      '  format: plain text with short paragraphs',
      '  length: moderate and never rambling',
      '',
    ].join('\n');
    const { capsule } = compressPrompt(text, { targetTokens: 1 });
    const value = parseYaml(capsule) as { steps: string[]; output: Record<string, unknown> };
    // Only the item with a constraint is left ("do" carries nothing the cue does not).
    assert.equal(value.steps.length, 1);
    assert.match(value.steps[0]!, /not use tabs$/);
    assert.deepEqual(Object.keys(value.output), ['format', 'length']);
    assert.doesNotMatch(capsule, /^\s*-\s*$/m, capsule);
  });
});

describe('markup tags are structure', () => {
  test('a repeated closing tag is never dropped as a repeat: every tag keeps its partner', () => {
    const items = ['Track the order for the customer', 'Offer a refund when it is late', 'Escalate angry customers to a human'];
    const text = `<rules>\n<ul>\n${items.map((t) => `  <li>${t} as quickly as you possibly can today.</li>`).join('\n')}\n</ul>\n</rules>\nRepeat <INPUT> and then <INPUT> again.\n`;
    const { capsule, report } = compressPrompt(text, { targetTokens: 1 });
    const count = (needle: string): number => capsule.split(needle).length - 1;
    assert.equal(count('<li>'), 3, capsule);
    assert.equal(count('</li>'), 3, capsule);
    assert.equal(count('</rules>'), 1, capsule);
    // A template slot in capitals is a placeholder: its verbatim repeat may still go.
    assert.equal(count('<INPUT>'), 1, capsule);
    assert.ok(report.dropped.some((d) => d.category === 'repeated-protected'));
  });
});

describe('slash-joined words are a last resort', () => {
  test('kept whole while ordinary words remain, dropped whole (and reported) only at the floor', () => {
    const text = `${PROSE} Choose the tone Education/Promotion/Inspirational and keep it under {{limit}} words.`;
    const roomy = compressPrompt(text, { rate: 0.5 });
    assert.ok(roomy.capsule.includes('Education/Promotion/Inspirational'), roomy.capsule);
    const floor = compressPrompt(text, { targetTokens: 1 });
    assert.ok(!floor.capsule.includes('Education'), floor.capsule);
    assert.ok(floor.capsule.includes('{{limit}}'), floor.capsule);
    assert.ok(floor.report.dropped.some((d) => d.category === 'identifier-last-resort' && d.count === 1));
  });
});

describe('tables keep their column names', () => {
  // Body rows hold protected content (dates, a percentage), so their best words go late;
  // the header's must go later still, or cells are left under empty column names.
  const TABLE = [
    'Summarise the quarterly search updates below for the marketing team in plain words.',
    '',
    '| Update | Impact | Focus |',
    '|--------|--------|-------|',
    '| March 2025 core update | 63% of results fluctuated | Content quality and depth |',
    '| June 2025 core update | Expertise gained weight | Authority signals and sources |',
    '| Helpful content update | AI content penalties | People-first content written by experts |',
    '',
  ].join('\n');
  const PROTECTED = /March 2025|June 2025|63%/g;

  for (const rate of [0.9, 0.8, 0.7, 0.5, 0.33]) {
    test(`rate ${rate}: no header cell is emptied while a body cell keeps a word that could go`, () => {
      const { capsule } = compressPrompt(TABLE, { rate });
      const rows = capsule.split('\n').filter((line) => line.startsWith('|'));
      const cells = (row: string): string[] => row.split('|').slice(1, -1).map((cell) => cell.trim());
      const header = cells(rows[0]!);
      // At every rate the table keeps its shape and its protected cells...
      assert.equal(rows[1], '|--------|--------|-------|', capsule);
      for (const row of rows) assert.equal(cells(row).length, 3, `three cells in ${JSON.stringify(row)}`);
      for (const item of ['March 2025', 'June 2025', '63%']) assert.ok(capsule.includes(item), `${item} kept:\n${capsule}`);
      // ...and a column name goes only after every word of the body that could go.
      const bodyWords = rows.slice(2).flatMap(cells).some((cell) => /\p{L}{2,}/u.test(cell.replace(PROTECTED, '')));
      if (bodyWords) assert.ok(header.every((cell) => cell !== ''), capsule);
      else assert.ok(rows.slice(2).flatMap(cells).every((cell) => cell.replace(PROTECTED, '').trim() === ''), capsule);
    });
  }
});

describe('arrows and comparisons stay whole', () => {
  const TEXT = [
    'Route each request by how long it runs, and explain the choice to the developer in one short sentence.',
    '- Request duration under 15 minutes -> Lambda functions behind the gateway',
    '- Long-running batch work with GPUs -> AWS Batch with spot capacity',
    '- When the status != done, retry the whole upload => then report the failure to the owner.',
    '',
  ].join('\n');

  for (const rate of [0.7, 0.5, 0.33]) {
    test(`rate ${rate}: no "->" or "=>" loses a sign, no "!=" its "!", and no arrow points at nothing`, () => {
      const { capsule } = compressPrompt(TEXT, { rate });
      assert.doesNotMatch(capsule, /(?<![-=])>/, capsule);
      assert.doesNotMatch(capsule, /(?<!!)=(?!>)/, capsule);
      assert.doesNotMatch(capsule, /(?:->|=>)\s*$/m, capsule);
    });
  }
});

describe('constraints keep their edges', () => {
  const TEXT = [
    'You are a patient programming tutor for complete beginners who are learning their first language.',
    '',
    'You will:',
    '- Explain each new concept with a small runnable example program',
    '- Keep every answer short enough to read in under a minute',
    '',
    'Teach through examples from real usage, not theory. You should encourage experimentation and curiosity in every lesson.',
    'Keep the line length max 79 characters in all code you show. 参数使用Truncation和Neutralization两个设置。',
    '',
  ].join('\n');

  for (const rate of [0.7, 0.5]) {
    test(`rate ${rate}: a negation's sentence ends where it did, limits keep their word, no line of function words alone`, () => {
      const { capsule } = compressPrompt(TEXT, { rate });
      assert.match(capsule, /not theory\./, capsule);
      assert.match(capsule, /max 79 characters/, capsule);
      assert.doesNotMatch(capsule, /^(?:you|will|you will):?$/im, capsule);
      assert.doesNotMatch(capsule, /TruncationNeutralization/, capsule);
    });
  }
});
