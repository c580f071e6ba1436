// The panel's state for the harness: a counted prompt, the Serving card and the Plan card
// from fixtures/ (made by make-fixture.mjs from the real planner and simulator).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = (name) => JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8'));

const row = (id, name, provider, perMIn, perMOut, tokens) => ({
  id, name, provider, tokens, exact: true, tokenizer: 'o200k_base', inputPerMTok: perMIn, cachedInputPerMTok: null, outputPerMTok: perMOut,
  inputCostUsd: (tokens * perMIn) / 1e6, perCallUsd: (tokens * perMIn + 256 * perMOut) / 1e6, perDayUsd: ((tokens * perMIn + 256 * perMOut) / 1e6) * 1000,
  contextWindow: 128000, maxOutputTokens: 16384, overflowsContext: false, overflowsOutput: false, contextShare: (tokens + 256) / 128000,
  source: 'harness', asOf: '2026-11-25', origin: 'bundled',
});

export function panelState({ plan = fixture('plan.json'), serving = fixture('serving.json') } = {}) {
  return {
    status: 'ready',
    source: { uri: 'file:///work/prompt.md', fileName: 'prompt.md', scope: 'document', characters: 6400 },
    tokenizers: [{ id: 'o200k_base', tokens: 1500 }],
    rows: [row('gpt-4o', 'GPT-4o', 'openai', 2.5, 10, 1500), row('gpt-4o-mini', 'GPT-4o mini', 'openai', 0.15, 0.6, 1500)],
    usage: { callsPerDay: 1000, outputTokens: 256 },
    activeModelId: 'gpt-4o',
    catalogReviewed: '2026-11-25',
    compressionRate: 0.5,
    serving,
    ...(plan ? { plan } : {}),
  };
}
