// The panel's state for the harness: a counted prompt with a per-model table, the Capsule
// card (built-in, local-model and LLM capsules, written here), and the Serving and Plan
// cards from fixtures/ (made by make-fixture.mjs from the real planner and simulator).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = (name) => JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8'));

const OUTPUT_TOKENS = 256;
const CALLS_PER_DAY = 1000;

const row = (id, name, provider, perMIn, perMOut, tokens, more = {}) => {
  const contextWindow = more.contextWindow ?? 128000;
  const perCallUsd = (tokens * perMIn + OUTPUT_TOKENS * perMOut) / 1e6;
  return {
    id, name, provider, tokens, exact: true, tokenizer: 'o200k_base', inputPerMTok: perMIn, cachedInputPerMTok: null, outputPerMTok: perMOut,
    inputCostUsd: (tokens * perMIn) / 1e6, perCallUsd, perDayUsd: perCallUsd * CALLS_PER_DAY,
    contextWindow, maxOutputTokens: 16384, overflowsContext: tokens + OUTPUT_TOKENS > contextWindow, overflowsOutput: false, contextShare: (tokens + OUTPUT_TOKENS) / contextWindow,
    source: 'harness', asOf: '2026-11-25', origin: 'bundled',
    ...more,
  };
};

/** The Budget card's rows: exact and estimated counts, a cached-input price, a context overflow. */
export const budgetRows = () => [
  row('gpt-4o', 'GPT-4o', 'openai', 2.5, 10, 1500, { cachedInputPerMTok: 1.25 }),
  row('gpt-4o-mini', 'GPT-4o mini', 'openai', 0.15, 0.6, 1500, { cachedInputPerMTok: 0.075 }),
  row('claude-sonnet-4', 'Claude Sonnet 4', 'anthropic', 3, 15, 1718, { exact: false, tokenizer: 'o200k_base', estimateBasis: 'o200k_base count × 1.145, measured ratio' }),
  row('gemini-2.5-flash', 'Gemini 2.5 Flash', 'google', 0.3, 2.5, 1562, { exact: false, tokenizer: 'o200k_base', estimateBasis: 'o200k_base count × 1.041, measured ratio', contextWindow: 1048576 }),
  row('llama-3.1-8b', 'Llama 3.1 8B', 'meta', 0.05, 0.08, 1509, { tokenizer: 'llama3' }),
  row('tiny-ctx', 'Tiny Context 1k', 'example', 0.1, 0.1, 1500, { contextWindow: 1024 }),
];

/** The Capsule card's choice of compressor; `llm` says whether an LLM is set up. */
export const compressorChoice = (backend = 'builtin', llm = true) => ({
  backend,
  options: [
    { id: 'builtin', label: 'Built-in (no model, offline)', available: true },
    { id: 'onnx', label: 'Local model: capsule-tiny (6 layers, int8/fp32)', available: true },
    { id: 'llm', label: llm ? 'LLM: gpt-4o-mini at api.openai.com' : 'LLM (not set up: see promptCapsule.llm settings)', available: llm },
  ],
});

const PREVIEW = `# Support agent for {{agent_name}}

You answer questions about refunds and orders. Keep answers short; link the policy page.

\`\`\`json
{ "refund_days": 30, "escalate": "billing@example.com" }
\`\`\`
- Never promise a refund before checking the order.
- Ask for the order number first.`;

/** A pending capsule made by the built-in compressor. */
export function capsuleCard(more = {}) {
  return {
    status: 'ready', capsuleId: 7, rate: 0.5, fileName: 'prompt.md', scope: 'document',
    originalTokens: 1500, capsuleTokens: 781, rateReached: 0.5207, withinBudget: true,
    modelName: 'GPT-4o', originalCostUsd: 0.00375, capsuleCostUsd: 0.0019525,
    protected: [{ kind: 'code-block', count: 1, tokens: 22 }, { kind: 'placeholder', count: 1, tokens: 5 }, { kind: 'structure', count: 6, tokens: 14 }],
    dropped: [{ category: 'filler-phrase', count: 9, tokens: 61 }, { category: 'low-information-word', count: 212, tokens: 430 }, { category: 'duplicate-sentence', count: 3, tokens: 128 }, { category: 'whole-clause', count: 4, tokens: 100 }],
    preview: PREVIEW, previewTruncated: false, stale: false, backend: 'builtin',
    ...more,
  };
}

/** A capsule of the local model: over budget, and the document changed since (Apply refused). */
export const localCapsuleCard = () =>
  capsuleCard({
    capsuleId: 8, backend: 'onnx', rate: 0.3, rateReached: 0.412, capsuleTokens: 618, capsuleCostUsd: 0.001545, withinBudget: false,
    budgetNote: 'protected content exceeds the target', stale: true, previewTruncated: true,
    local: {
      modelId: 'capsule-tiny', depth: 4, maxDepth: 6, precision: 'int8', provider: 'cpu', providerNote: 'cpu (webgpu: no adapter in this window)',
      modelMs: 212, modelTokens: 1620, selection: 'depth 4/6 int8: the deepest that fits the 250 ms budget',
    },
  });

/** An LLM capsule: one candidate rejected, one chosen, its cost and break-even, and a probe check. */
export const llmCapsuleCard = () =>
  capsuleCard({
    capsuleId: 9, backend: 'llm', capsuleTokens: 760, rateReached: 0.5067, capsuleCostUsd: 0.0019,
    llm: {
      model: 'gpt-4o-mini', endpoint: 'https://api.openai.com/v1', chosen: 1, fallback: false, ranking: 'distinctive-words', cached: false,
      selection: 'gpt-4o-mini, the fastest within the 4 s latency budget',
      candidates: [{ tokens: 702, passed: false, reason: 'placeholder "{{agent_name}}" missing or altered' }, { tokens: 760, passed: true, score: 0.9123 }, { tokens: 815, passed: true, score: 0.8741 }],
      usage: { promptTokens: 420, completionTokens: 150, embeddingTokens: 0, requests: 1 },
      compressionCostUsd: 0.000153, savingPerCallUsd: 0.00185, breakEvenCalls: 1,
    },
    probe: {
      agreeing: 2, total: 3, measure: 'word-overlap',
      answers: [
        { question: 'Can I get a refund?', agree: true, similarity: 0.81 },
        { question: 'Who handles billing escalations?', agree: true, similarity: 0.77 },
        { question: 'How many days do refunds take?', agree: false, similarity: 0.42 },
      ],
    },
  });

export function panelState({ plan = fixture('plan.json'), serving = fixture('serving.json'), capsule, compressor = compressorChoice(), ...more } = {}) {
  return {
    status: 'ready',
    source: { uri: 'file:///work/prompt.md', fileName: 'prompt.md', scope: 'document', characters: 6400 },
    tokenizers: [{ id: 'o200k_base', tokens: 1500 }, { id: 'llama3', tokens: 1509 }],
    rows: budgetRows(),
    usage: { callsPerDay: CALLS_PER_DAY, outputTokens: OUTPUT_TOKENS },
    activeModelId: 'gpt-4o',
    catalogReviewed: '2026-11-25',
    compressionRate: 0.5,
    ...(compressor ? { compressor } : {}),
    ...(capsule ? { capsule } : {}),
    serving,
    ...(plan ? { plan } : {}),
    ...more,
  };
}
