/**
 * The encode side of the capsule bench's whole-process row: reads the JSON lines that
 * `capsule compress --jsonl` reads, encodes each prompt with the tokenizer and writes
 * one JSON line per prompt, so both sides pay for start-up, parsing and output alike.
 */
import * as fs from 'node:fs';
import { getTokenizer } from '../../src/core/tokens/tokenizer';

const tokenizer = getTokenizer('o200k_base');
const out: string[] = [];
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const row = JSON.parse(line) as { id: unknown; prompt: string };
  out.push(JSON.stringify({ id: row.id, tokens: tokenizer.encode(row.prompt).length }));
}
process.stdout.write(`${out.join('\n')}\n`);
