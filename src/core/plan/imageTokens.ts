/**
 * Visual tokens of an image for hosted models, by each provider's documented rule
 * (data/image-token-rules.json, with the quoted source of every constant).
 */
import rules from './data/image-token-rules.json';

export type ImageDetail = 'high' | 'low';

export interface ImageTokens {
  tokens: number;
  /** The rule applied, for the UI: "OpenAI 512px tiles (85 + 170 per tile)". */
  rule: string;
  /** The size the provider resizes the image to before counting, where it does. */
  resized?: { width: number; height: number };
  /** true where the provider's documentation leaves the count open (Gemini's cropping). */
  estimate: boolean;
}

const matches = (model: string, prefixes: readonly string[]) => prefixes.some((p) => model === p || model.startsWith(`${p}-`));

/** OpenAI's tile rule: fit in 2048x2048, shortest side to 768 px, 512 px tiles. */
export function openAiTileTokens(width: number, height: number, baseTokens: number, tileTokens: number, detail: ImageDetail = 'high'): ImageTokens {
  const { maxSide, shortSide, tile } = rules.openaiTile;
  if (detail === 'low') return { tokens: baseTokens, rule: `OpenAI low detail (${baseTokens})`, estimate: false };
  let w = width;
  let h = height;
  if (w > maxSide || h > maxSide) {
    const r = Math.min(maxSide / w, maxSide / h);
    w *= r;
    h *= r;
  }
  // The shortest side is scaled down to 768 px. Never up: a small or very wide image would
  // otherwise be enlarged past the 2048 px box it was just fitted into (a 4000x100 banner to
  // 30720x768, 120 tiles), which the docs' examples and OpenAI's cookbook never do.
  const r = Math.min(1, shortSide / Math.min(w, h));
  w *= r;
  h *= r;
  const tiles = Math.ceil(w / tile) * Math.ceil(h / tile);
  return { tokens: baseTokens + tileTokens * tiles, rule: `OpenAI ${tile}px tiles (${baseTokens} + ${tileTokens} per tile, ${tiles} tiles)`, resized: { width: Math.round(w), height: Math.round(h) }, estimate: false };
}

/** OpenAI's patch rule: 32 px patches, at most 1536 (the image shrunk to fit), times the model's multiplier. */
export function openAiPatchTokens(width: number, height: number, multiplier = 1): ImageTokens {
  const { patch, maxPatches } = rules.openaiPatch;
  let w = width;
  let h = height;
  if (Math.ceil(w / patch) * Math.ceil(h / patch) > maxPatches) {
    let r = Math.sqrt((patch * patch * maxPatches) / (w * h));
    r *= Math.min(Math.floor((w * r) / patch) / ((w * r) / patch), Math.floor((h * r) / patch) / ((h * r) / patch));
    w *= r;
    h *= r;
  }
  const patches = Math.min(Math.ceil(w / patch) * Math.ceil(h / patch), maxPatches);
  return { tokens: patches * multiplier, rule: `OpenAI ${patch}px patches (${patches}${multiplier === 1 ? '' : ` x ${multiplier}`})`, resized: { width: Math.round(w), height: Math.round(h) }, estimate: false };
}

const patchCount = (w: number, h: number, patch: number) => Math.ceil(w / patch) * Math.ceil(h / patch);

/** Python's round(): halves go to the even neighbour, as in the documentation's reference code. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Anthropic's resize: the largest aspect-preserving size within the edge and visual-token limits (the documented reference search). */
export function anthropicResize(width: number, height: number, maxEdge: number, maxTokens: number): { width: number; height: number } {
  const { patch } = rules.anthropicPatch;
  const fits = (w: number, h: number) => Math.ceil(w / patch) * patch <= maxEdge && Math.ceil(h / patch) * patch <= maxEdge && patchCount(w, h, patch) <= maxTokens;
  if (fits(width, height)) return { width, height };
  if (height > width) {
    const turned = anthropicResize(height, width, maxEdge, maxTokens);
    return { width: turned.height, height: turned.width };
  }
  const aspect = width / height;
  let lo = 1;
  let hi = width;
  while (lo + 1 < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid, Math.max(roundHalfEven(mid / aspect), 1))) lo = mid;
    else hi = mid;
  }
  return { width: lo, height: Math.max(roundHalfEven(lo / aspect), 1) };
}

export function anthropicTokens(width: number, height: number, maxEdge: number, maxTokens: number): ImageTokens {
  const { patch } = rules.anthropicPatch;
  const resized = anthropicResize(width, height, maxEdge, maxTokens);
  return { tokens: patchCount(resized.width, resized.height, patch), rule: `Anthropic ${patch}px patches (at most ${maxTokens}, long edge ${maxEdge})`, resized, estimate: false };
}

export function geminiTokens(width: number, height: number): ImageTokens {
  const { smallSide, tile, tileTokens } = rules.geminiTile;
  if (width <= smallSide && height <= smallSide) return { tokens: tileTokens, rule: `Gemini small image (${tileTokens})`, estimate: false };
  const tiles = Math.ceil(width / tile) * Math.ceil(height / tile);
  return { tokens: tiles * tileTokens, rule: `Gemini ${tile}px tiles (${tileTokens} each, ${tiles} tiles; cropping undocumented)`, estimate: true };
}

/** The tokens `model` (a catalog id) counts for one image, or undefined when no rule is known for it. */
export function imageTokensFor(model: string, width: number, height: number, detail: ImageDetail = 'high'): ImageTokens | undefined {
  if (!(width > 0 && height > 0)) throw new RangeError(`image size must be positive, got ${width}x${height}`);
  const patchModel = rules.openaiPatch.models.find((m) => matches(model, m.match));
  if (patchModel) return openAiPatchTokens(width, height, patchModel.multiplier);
  // Longest prefix first: gpt-4o-mini before gpt-4o.
  const tileModel = [...rules.openaiTile.models].sort((a, b) => Math.max(...b.match.map((s) => s.length)) - Math.max(...a.match.map((s) => s.length))).find((m) => matches(model, m.match));
  if (tileModel) return openAiTileTokens(width, height, tileModel.baseTokens, tileModel.tileTokens, detail);
  const tier = rules.anthropicPatch.tiers.find((t) => matches(model, t.match));
  if (tier) return anthropicTokens(width, height, tier.maxEdge, tier.maxTokens);
  if (matches(model, rules.geminiTile.match)) return geminiTokens(width, height);
  return undefined;
}
