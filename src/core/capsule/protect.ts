/**
 * Finds the spans of a text run that must survive compression byte for byte: URLs,
 * e-mails, paths, placeholders, inline code, links, quoted strings and dates. Words
 * are judged one by one in the lexer (identifiers, numbers with units, and constraint
 * cues with the words they govern), using the cue tables exported here.
 */
import cues from './data/constraint-cues.json';

export interface Span {
  start: number;
  end: number;
  kind: string;
}

export interface ProtectOptions {
  /** Inside a JSON string literal, quotes appear escaped (`\"`). */
  readonly jsonString: boolean;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';

interface Rule {
  kind: string;
  re: RegExp;
  /** A cheap test that the rule can match at all (most text has no '@', no '`'). */
  worthTrying: (text: string) => boolean;
}

const hasDigit = (text: string): boolean => /\d/.test(text);

const UNITS = 'one|two|three|four|five|six|seven|eight|nine';
const TEENS = 'ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen';
const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
const SMALL = `(?:(?:${TENS})(?:-(?:${UNITS}))?|${TEENS}|${UNITS})`;
/**
 * Numbers written in words or numerals are numbers (issue 15): "一百五十" must not lose
 * its "五十" (150 would read 100), "5到8" its range word, "two hundred and fifty" its tail.
 * Single English number words are left to the word scorer ("one" is mostly a pronoun).
 */
const NUMBER_WORDS = new RegExp(
  [
    // A range: 5到8, 5-8, 10 ~ 20.
    // (Not inside an ISO date: "2025-12-31" is not the range 2025 to 12.)
    String.raw`(?<![\d.,-])\d+(?:[.,]\d+)?[ \t]*(?:到|至|~|～|–|—|-)[ \t]*\d+(?:[.,]\d+)?(?!\d|-\d)`,
    // CJK numerals with a unit (一百五十, 三十, 两千) or a digit string (二〇二四).
    '(?:[零〇一二两三四五六七八九]?[十百千万亿]){1,6}[零〇一二两三四五六七八九]?',
    '[零〇一二两三四五六七八九]{2,}',
    // English compounds: twenty-five, two hundred (and fifty), three thousand four hundred.
    String.raw`\b${SMALL}(?:[ -]+(?:hundred|thousand|million|billion)(?:[ -]+(?:and[ -]+)?${SMALL})?)+\b`,
    String.raw`\b(?:${TENS})-(?:${UNITS})\b`,
  ].join('|'),
  'giu',
);

const LANGUAGES =
  'english|chinese|mandarin|cantonese|spanish|french|german|japanese|korean|portuguese|italian|russian|ukrainian|arabic|hindi|dutch|polish|turkish|vietnamese|thai|indonesian';
const FORMATS = 'json|markdown|yaml|csv|xml|html|plain text|a table|a numbered list|bullet points';
const LENGTH_UNITS = 'words?|sentences?|paragraphs?|lines?|characters?|bullets?|items?|tokens?';
/** The rest of the clause: up to five more whole words ("... the customer used"). */
/** The rest of a "same language" clause: up to five more whole words ("... the customer used"). */
const CLAUSE_REST = String.raw`(?:[ \t]+[^\s.!?;:,]+){0,5}`;
/** Words between the verb and what the clause is about, within the clause (no comma). */
const GAP = String.raw`[^.!?;:,\n]{0,30}?`;
const CJK_LANGUAGES = '(?:简体|繁体|繁體)?(?:中文|汉语|漢語|英文|英语|日语|日文|韩语|法语|德语|西班牙语|同一种语言|相同的语言|JSON|Markdown)';
const CJK_ANSWER = '(?:回答|回复|答复|回覆|回應|作答|输出|輸出|交流|书写|撰写)';
/**
 * A clause that governs the output (its language, format or length) is a constraint
 * (issue 15): "Reply in the same language the customer used", "Answer in Spanish",
 * "Respond with JSON matching the schema", "Keep the summary under 300 words", 请始终使用简体中文回答.
 * The language or format must follow "in", "as", "with" at once (an article or "plain"
 * between at most), so "in the style of English poets" is not one.
 */
const OUTPUT_CLAUSE = new RegExp(
  [
    String.raw`\b(?:reply|replies|respond|responds|answer|answers|write|speak|communicate|output|translate)\b${GAP}\bin[ \t]+(?:the same language${CLAUSE_REST}|(?:plain |simple |formal |informal |fluent )?(?:${LANGUAGES})\b)`,
    String.raw`\b(?:reply|respond|answer|return|output|format|give)\b${GAP}\b(?:as|in|with|using)[ \t]+(?:(?:a|an|valid|only|strict|plain|clean)[ \t]+)?(?:${FORMATS})\b(?:[ \t]+(?:matching|following|that|which)(?:[ \t]+[^\s.!?;:,]+){0,3})?`,
    String.raw`\b(?:keep|limit)\b${GAP}\b(?:under|to|within|below|at most)[ \t]+\d+[ \t]+(?:${LENGTH_UNITS})\b`,
    String.raw`(?:请|請)?[^。！？；，,\s]{0,4}(?:使用|用|以)${CJK_LANGUAGES}[^。！？；，,\s]{0,2}${CJK_ANSWER}`,
    String.raw`${CJK_ANSWER}[^。！？；，,\s]{0,4}(?:使用|用|以)${CJK_LANGUAGES}`,
  ].join('|'),
  'giu',
);

const OUTPUT_CLAUSE_TOPIC = /language|english|chinese|mandarin|cantonese|spanish|french|german|japanese|korean|portuguese|italian|russian|ukrainian|arabic|hindi|dutch|polish|turkish|vietnamese|thai|indonesian|json|markdown|yaml|csv|xml|html|plain text|table|numbered list|bullet points|\d|中|汉|漢|英|日|韩|法|德|语|語/i;
/**
 * The verbs, as usually written (lower case, Capitalised, a few in capitals), without the
 * /i flag: this test runs on every text run and is the cheapest of the three.
 */
const OUTPUT_CLAUSE_TRIGGER =
  /\b(?:[Rr]eply|[Rr]eplies|[Rr]espond|[Rr]esponds|[Aa]nswer|[Aa]nswers|[Ww]rite|[Ss]peak|[Cc]ommunicate|[Oo]utput|[Tt]ranslate|[Rr]eturn|[Ff]ormat|[Gg]ive|[Kk]eep|[Ll]imit|REPLY|RESPOND|ANSWER|WRITE|OUTPUT|RETURN|FORMAT|KEEP)\b|使用|用|以/;

const COMMON_RULES: readonly Rule[] = [
  { kind: 'number', worthTrying: (t) => /[\d十百千万亿〇零]|hundred|thousand|million|billion|ty-/i.test(t), re: NUMBER_WORDS },
  {
    // Chat-template markers with their role name: ChatML (<|im_start|>system), Llama 3
    // headers, Zephyr/Phi-style <|user|>, Llama 2's [INST] and <<SYS>>. The role name is
    // structure: dropping it leaves a template no model parses (issue 15).
    kind: 'chat-role',
    worthTrying: (t) => t.includes('<|') || t.includes('[INST') || t.includes('[/INST') || t.includes('<<SYS') || t.includes('<</SYS'),
    re: /<\|im_start\|>[ \t]*[\w.-]*(?:[ \t]+name=[\w.-]+)?|<\|start_header_id\|>[\w.-]*<\|end_header_id\|>|<\|[a-z_]{2,20}\|>|\[\/?INST\]|<<\/?SYS>>/g,
  },
  {
    // key=value settings ("retries=3", "timeout=30s", "mode=fast"): neither side means
    // anything alone (issue 15: "retries=3" left "=3").
    kind: 'identifier',
    worthTrying: (t) => t.includes('='),
    re: /(?<![\p{L}\p{N}_=!<>.-])[A-Za-z_][\w.-]{0,40}=(?:"[^"\n]{0,60}"|'[^'\n]{0,60}'|[\p{L}\p{N}_%/+-]+(?:[.:][\p{L}\p{N}_%/+-]+)*)/gu,
  },
  { kind: 'inline-code', re: /``[^\n]+?``|`[^`\n]+`/gu, worthTrying: (t) => t.includes('`') },
  { kind: 'link', re: /!?\[[^[\]\n]{0,200}\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)/gu, worthTrying: (t) => t.includes('](') },
  { kind: 'url', re: /\b(?:https?|ftp|file|wss?):\/\/[^\s<>"'`]+|\bwww\.[^\s<>"'`]+/giu, worthTrying: (t) => t.includes('://') || /www\./i.test(t) },
  {
    kind: 'placeholder',
    worthTrying: (t) => /[{[<%]/.test(t),
    re: /\{\{[^{}\n]{1,100}\}\}|\$\{(?:[^{}\n]|\$\{[^{}\n]*\})*\}|\{[^{}\s"\\][^{}\n]{0,80}\}|\{\}|\[[^[\]\n]{1,80}\](?!\()|<[^<>\s\\][^<>\n]{0,79}>|%(?:\(\w+\))?\d*\$?[sdifgxXc](?![\p{L}\p{N}])/gu,
  },
  { kind: 'path', worthTrying: (t) => t.includes('/') || t.includes(':\\'), re: /(?<![\p{L}\p{N}/])(?:~|\.{1,2})?\/(?:[\w.@-]+\/)*[\w.@-]*\w\/?|(?<![\p{L}\p{N}])[A-Za-z]:\\(?:[\w.-]+\\)*[\w.-]+/gu },
  {
    kind: 'date',
    worthTrying: hasDigit,
    // Month names are ASCII, so \b is a true word boundary here (and much faster than a lookbehind).
    re: new RegExp(
      // (A day before the month is not the end of an ISO date: "2025-12-31 March 3, 2024";
      // nor a number before a month that has its own day: "42 March 3, 2024" is 42 and
      // "March 3, 2024", whose comma would otherwise be left outside the span.)
      `\\b(?:${MONTH}\\.?[ \\t]+\\d{1,2}(?:st|nd|rd|th)?(?:,?[ \\t]+\\d{4})?|(?<![\\d-])\\d{1,2}(?:st|nd|rd|th)?[ \\t]+${MONTH}\\.?(?!\\.?[ \\t]+\\d{1,2}(?:st|nd|rd|th)?(?!\\d))(?:,?[ \\t]+\\d{4})?|${MONTH}\\.?[ \\t]+\\d{4})\\b`,
      'g',
    ),
  },
];

const hasQuote = (t: string): boolean => /["“„«「『'\\]/.test(t);
const PLAIN_QUOTES: Rule = {
  kind: 'quoted',
  worthTrying: hasQuote,
  re: /"[^"\n]{1,100}"|“[^”\n]{1,100}”|„[^“”\n]{1,100}[“”]|«[^»\n]{1,100}»|「[^」\n]{1,100}」|『[^』\n]{1,100}』|(?<![\p{L}\p{N}])'[^'\n]{1,100}'(?![\p{L}\p{N}])/gu,
};
const JSON_QUOTES: Rule = {
  kind: 'quoted',
  worthTrying: hasQuote,
  re: /\\"(?:[^"\\\n]|\\[^"\n]){1,100}?\\"|“[^”\n]{1,100}”|«[^»\n]{1,100}»|「[^」\n]{1,100}」|(?<![\p{L}\p{N}])'[^'\n]{1,100}'(?![\p{L}\p{N}])/gu,
};

const PLAIN_RULES: readonly Rule[] = [...COMMON_RULES, PLAIN_QUOTES];
const JSON_RULES: readonly Rule[] = [...COMMON_RULES, JSON_QUOTES];

const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

const URL_TRAILING = /[.,;:!?'"]+$/u;

function trimUrl(text: string): string {
  let t = text.replace(URL_TRAILING, '');
  // A closing bracket belongs to the URL only when it opened inside it.
  for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
    while (t.endsWith(close) && t.split(open).length < t.split(close).length) {
      t = t.slice(0, -1).replace(URL_TRAILING, '');
    }
  }
  return t;
}

/**
 * The clauses of `text` that govern the output (see OUTPUT_CLAUSE), as [start, end)
 * ranges, in order. The lexer keeps their words as constraint words, one by one, so that
 * the spans inside them (a quotation, a number) keep their own kinds.
 */
export function findOutputClauses(text: string): Array<[number, number]> {
  // A verb first (the cheapest test), then what such a clause is about.
  if (!OUTPUT_CLAUSE_TRIGGER.test(text) || !OUTPUT_CLAUSE_TOPIC.test(text)) return [];
  const ranges: Array<[number, number]> = [];
  OUTPUT_CLAUSE.lastIndex = 0;
  for (let m = OUTPUT_CLAUSE.exec(text); m !== null; m = OUTPUT_CLAUSE.exec(text)) {
    if (m[0].length === 0) OUTPUT_CLAUSE.lastIndex++;
    else ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/** Protected spans of `text`, sorted and merged (an overlap keeps the first kind). */
export function findProtectedSpans(text: string, options: ProtectOptions): Span[] {
  const found: Span[] = [];
  const rules = options.jsonString ? JSON_RULES : PLAIN_RULES;
  for (const { kind, re, worthTrying } of rules) {
    if (!worthTrying(text)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      let end = m.index + m[0].length;
      if (kind === 'url') end = m.index + trimUrl(m[0]).length;
      // In JSON- or YAML-like text that did not parse ("key": "value" or key: "value"
      // lines in a Markdown prompt) a value is prose, compressed like a JSON string
      // value; its key stays.
      if (kind === 'quoted' && !HAS_LETTER_OR_DIGIT.test(m[0]) && /[\p{L}\p{N}]/u.test(text[end] ?? '')) {
        // `","EFFECTS":` between two JSON-like pairs: the closing mark opens the next
        // quotation (a separator quoted in prose, `"," and`, stays a quotation).
        re.lastIndex = end - 1;
        continue;
      }
      if (kind === 'quoted' && (isJsonLikeValue(text, m.index) || !isVerbatimQuote(text, m.index, m[0].length))) continue;
      if (end > m.index) found.push({ start: m.index, end, kind });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  if (text.includes('@')) found.push(...findEmails(text));
  return mergeSpans(found);
}

/** Quotations up to this many characters (marks included) are names, labels or phrases: kept whole. */
export const SHORT_QUOTE_CHARS = 48;
/**
 * A longer quotation is kept whole only where the prompt asks for those exact words
 * (`say: "..."`, `reply with "..."`, `output "..."`) or gives a value (`My first request
 * is "..."`: the user's input, which must reach the model as written); elsewhere it is
 * prose and compressed like the text around it.
 */
const VERBATIM_INTRO = /(?:\b(?:say|says|said|reply|replies|respond|responds|answer|output|print|write|return|type|start|end|begin|with|as|exactly|verbatim|phrase|message|text|is|are|was|were)|[:=])[ \t]*(?:\r?\n[ \t]*)?$/iu;

export function isVerbatimQuote(text: string, start: number, length: number): boolean {
  return length <= SHORT_QUOTE_CHARS || VERBATIM_INTRO.test(text.slice(Math.max(0, start - 24), start));
}

const AFTER_JSON_KEY = /"\s*:\s*\\?$/;
/** `key: "value"` at the start of a line (YAML-like text the YAML parser refused). */
const WHOLE_LINE_KEY = /^[\p{L}\p{N}_][\p{L}\p{N}_ .-]{0,40}:[ \t]*$/u;

function isJsonLikeValue(text: string, quoteAt: number): boolean {
  return AFTER_JSON_KEY.test(text.slice(Math.max(0, quoteAt - 8), quoteAt)) || (quoteAt <= 42 && WHOLE_LINE_KEY.test(text.slice(0, quoteAt)));
}

const EMAIL_LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
const EMAIL_DOMAIN = /[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/uy;

/** E-mail addresses, grown outwards from each '@' (a regex scan from every position is slow). */
function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && EMAIL_LOCAL_CHAR.test(text[start - 1]!)) start--;
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    if (domain) spans.push({ start, end: at + 1 + domain[0].length, kind: 'email' });
  }
  return spans;
}

export function mergeSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      if (span.end > last.end) last.end = span.end;
    } else merged.push({ ...span });
  }
  return merged;
}

export interface Cue {
  /** the words after the first one ("no" -> ["more", "than"] for "no more than") */
  rest: readonly string[];
  /** how many following (non-light) words of the clause it governs */
  reach: number;
}

/**
 * Negations govern the rest of a short clause ("do not ask for the full card number");
 * limits, hard modals and "only" the next two words ("at most 3 items", "must cite sources").
 */
export const CUE_REACH = { negation: 4, limit: 2, modal: 2, maxWords: 6 };

/** Constraint cues by first word (lower case, straight apostrophe), longest first. */
export const CUES_BY_FIRST_WORD: ReadonlyMap<string, readonly Cue[]> = (() => {
  const map = new Map<string, Cue[]>();
  const add = (phrases: readonly string[], reach: number): void => {
    for (const phrase of new Set(phrases.map(normalizeCueWord))) {
      const [first, ...rest] = phrase.split(' ');
      const list = map.get(first!) ?? [];
      if (!list.some((c) => c.rest.join(' ') === rest.join(' '))) list.push({ rest, reach });
      map.set(first!, list);
    }
  };
  add(cues.phrases, CUE_REACH.negation);
  add(cues.limitPhrases, CUE_REACH.limit);
  add(cues.modalPhrases, CUE_REACH.modal);
  for (const list of map.values()) list.sort((a, b) => b.rest.length - a.rest.length);
  return map;
})();

export function normalizeCueWord(word: string): string {
  const lower = word.toLowerCase();
  return lower.includes('’') ? lower.replace(/’/g, "'") : lower;
}

/** Words that do not use up a cue's reach: "do not include the explanations" keeps all four. */
export const LIGHT_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'any', 'your', 'my', 'our', 'their', 'its', 'this', 'that', 'these', 'those', 'to', 'be', 'use', 'of',
  'in', 'on', 'at', 'for', 'with', 'by', 'from', 'about', 'into',
]);

const SEGMENT_CUES = cues.segmentPrefixes;

/** A word segment of a script without spaces that starts with a constraint cue (不要, しないで...). */
export function isSegmentCue(segment: string): boolean {
  for (const cue of SEGMENT_CUES) if (segment.startsWith(cue) || segment.endsWith(cue)) return true;
  return false;
}
