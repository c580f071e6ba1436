/**
 * Reads a prompt's structure before anything is dropped: JSON (keys and syntax kept,
 * string values compressible), YAML (keys kept), or Markdown (code fences kept whole;
 * heading marks, list markers, table pipes and rules kept; text in between lexed).
 */
import { parseDocument as parseYaml } from 'yaml';
import { lexText, PieceBuilder } from './lexer';
import { isVerbatimQuote } from './protect';
import { checkAborted } from './abort';
import type { AbortFlag, DocumentFormat, ParsedDocument, Piece, PieceContext } from './types';

export interface ParseOptions {
  /** Force a format (used to retry YAML more conservatively). */
  readonly format?: DocumentFormat;
  /** YAML only: keep the first word of each value too, so no value can start with a sign. */
  readonly yamlStrict?: boolean;
  readonly signal?: AbortFlag | undefined;
}

export function detectFormat(text: string): DocumentFormat {
  const head = text.trimStart()[0];
  if (head === '{' || head === '[') {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object') return 'json';
    } catch {
      // not JSON: fall through
    }
  }
  if (looksLikeYaml(text)) return 'yaml';
  return 'markdown';
}

const YAML_KEY_LINE = /^[ \t]*(?:-[ \t]+)?(?:[\p{L}\p{N}_"'][^:#\n]{0,60}|"[^"\n]*"|'[^'\n]*'):(?:[ \t]|$)/u;

/** A short key (no sentence before the colon), a list item or a document marker. */
const YAML_FIRST_LINE = /^(?:---|- |[\p{L}\p{N}_"'][\p{L}\p{N}_ .\-"']{0,40}:(?:[ \t]|$))/u;

/** A mapping most of whose lines are `key: value`, that the YAML parser accepts. */
function looksLikeYaml(text: string): boolean {
  // YAML prompts open with a key, a list item or a document marker: a cheap first filter.
  const firstLine = /^(?:[ \t]*(?:#[^\n]*)?\n)*([^\n]*)/.exec(text)?.[1] ?? '';
  if (!YAML_FIRST_LINE.test(firstLine)) return false;
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (lines.length < 3) return false;
  const keyLines = lines.filter((l) => YAML_KEY_LINE.test(l)).length;
  if (keyLines / lines.length < 0.5) return false;
  if (/^[ \t]{0,3}(?:```|~~~)/m.test(text)) return false;
  try {
    const doc = parseYaml(text);
    if (doc.errors.length > 0) return false;
    const root = doc.contents as { items?: unknown[] } | null;
    return !!root && Array.isArray(root.items) && root.items.length > 0 && typeof doc.toJS() === 'object';
  } catch {
    return false;
  }
}

export function parseStructure(text: string, options: ParseOptions = {}): ParsedDocument {
  const format = options.format ?? detectFormat(text);
  const out = new PieceBuilder();
  if (format === 'json') parseJson(text, out, options.signal);
  else if (format === 'yaml') parseYamlLines(text, out, options);
  else parseMarkdown(text, out, options.signal);
  return { format, pieces: out.finish() };
}

function splitLines(text: string): Array<{ body: string; eol: string }> {
  const lines: Array<{ body: string; eol: string }> = [];
  const re = /([^\r\n]*)(\r?\n|\r|$)/gy;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text)!;
    lines.push({ body: m[1]!, eol: m[2]! });
    at = re.lastIndex;
  }
  return lines;
}

// Any indentation: a fence inside a list item is indented to the item's content column
// ("1. Step:\n    ```md"), deeper than the 0-3 spaces of a top-level fence.
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})/;
/** A line of one repeated sign (---, ***, ═══; not # marks, brackets or pipes): a separator for the eye. */
export const RULE_LINE = /^[ \t]*([^\p{L}\p{N}\p{M}\s()[\]{}<>|`#])(?:[ \t]*\1){2,}[ \t]*$/u;
/** A Markdown table's separator row (`|---|:--:|`; also matches a bare `---`, so callers check for a pipe). */
export const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$/;

/** A table's separator row as the parser leaves it: one markup piece of the body. */
export function isTableSeparator(piece: Piece): boolean {
  return piece.kind === 'markup' && piece.context === 'body' && piece.text.includes('|') && TABLE_SEPARATOR.test(piece.text);
}

/**
 * Signs an arrow or a comparison is made of ("->", "<=>", "!=", "—>"): the scorer keeps
 * such runs whole and the renderer sweeps arrows left pointing at nothing.
 */
export const OPERATOR_SIGNS: ReadonlySet<string> = new Set(['-', '–', '—', '=', '<', '>', '!']);
const LINE_PREFIX = /^([ \t]*)((?:>[ \t]?)*)(#{1,6}[ \t]+|[-*+•][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,9}[.)][ \t]+(?:\[[ xX]\][ \t]+)?)?/;
const HTML_COMMENT = /^[ \t]*<!--.*-->[ \t]*$/;

function parseMarkdown(text: string, out: PieceBuilder, signal: AbortFlag | undefined): void {
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    if ((i & 255) === 0) checkAborted(signal);
    const { body, eol } = lines[i]!;
    const first = firstCode(body);
    const fence = first === 96 || first === 126 ? FENCE_OPEN.exec(body) : null; // ` or ~
    // A backtick fence's info string has no backticks: "```a```" is inline code.
    if (fence && !(fence[2]![0] === '`' && body.slice(fence[0].length).includes('`'))) {
      // The whole block, fences included, is one protected piece.
      const mark = fence[2]!;
      // The closing fence may be indented up to 3 columns more than the opening one
      // (CommonMark, relative to the list item); deeper, it is content of the block.
      const indent = indentWidth(fence[1]!);
      const close = new RegExp(`^([ \\t]*)${mark[0] === '`' ? '`' : '~'}{${mark.length},}[ \\t]*$`);
      const closes = (line: string) => {
        const m = close.exec(line);
        return m !== null && indentWidth(m[1]!) <= indent + 3;
      };
      let j = i + 1;
      while (j < lines.length && !closes(lines[j]!.body)) j++;
      const last = Math.min(j, lines.length - 1);
      let block = body;
      for (let k = i + 1; k <= last; k++) block += lines[k - 1]!.eol + lines[k]!.body;
      out.push(block, 'protected', 'body', 'code-fence');
      out.push(lines[last]!.eol, 'newline', 'body');
      i = last;
      continue;
    }
    const afterTable = i > 0 && isTableLine(lines[i - 1]!.body);
    const quote = afterTable || isTableLine(body) ? undefined : quoteAcrossLines(lines, i);
    if (quote) {
      // A quotation wrapped over lines stays whole, line breaks and indentation included.
      lexMarkdownLine(body.slice(0, quote.start), out, false);
      out.push(quote.text, 'protected', 'body', 'quoted');
      lexText(lines[quote.endLine]!.body.slice(quote.endColumn), { context: 'body', jsonString: false }, out);
      out.push(lines[quote.endLine]!.eol, 'newline', 'body');
      i = quote.endLine;
      continue;
    }
    lexMarkdownLine(body, out, afterTable);
    out.push(eol, 'newline', 'body');
  }
}

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', '“': '”', '«': '»' };
const MAX_WRAPPED_QUOTE_LINES = 3;
const MAX_WRAPPED_QUOTE_CHARS = 300;

/**
 * A quotation that opens on line `i` and closes on one of the next two lines (no blank
 * line between): the column it starts at, its text, and where it ends.
 */
function quoteAcrossLines(
  lines: ReadonlyArray<{ body: string; eol: string }>,
  i: number,
): { start: number; text: string; endLine: number; endColumn: number } | undefined {
  const body = lines[i]!.body;
  if (!body.includes('"') && !body.includes('“') && !body.includes('«')) return undefined;
  // The opening mark: the last quote mark of the line left without its partner.
  let start = -1;
  let open = '';
  for (let c = 0; c < body.length; c++) {
    const ch = body[c]!;
    if (open !== '') {
      if (ch === QUOTE_PAIRS[open]) open = '';
    } else if (QUOTE_PAIRS[ch] !== undefined && !(ch === '"' && /[\p{L}\p{N}]/u.test(body[c - 1] ?? ''))) {
      open = ch;
      start = c;
    }
  }
  if (open === '') return undefined;
  let text = body.slice(start);
  for (let j = i + 1; j < lines.length && j <= i + MAX_WRAPPED_QUOTE_LINES - 1; j++) {
    const next = lines[j]!.body;
    if (next.trim() === '' || FENCE_OPEN.test(next)) return undefined;
    const close = next.indexOf(QUOTE_PAIRS[open]!);
    text += lines[j - 1]!.eol + (close === -1 ? next : next.slice(0, close + 1));
    if (text.length > MAX_WRAPPED_QUOTE_CHARS) return undefined;
    if (close !== -1) return isVerbatimQuote(body, start, text.length) ? { start, text, endLine: j, endColumn: close + 1 } : undefined;
  }
  return undefined;
}

/** The code of the first character after leading spaces and tabs, or -1 for a blank line. */
/** Columns of leading whitespace, a tab to the next multiple of 4 (CommonMark). */
function indentWidth(whitespace: string): number {
  let width = 0;
  for (const c of whitespace) width = c === '\t' ? width + 4 - (width % 4) : width + 1;
  return width;
}

function firstCode(body: string): number {
  for (let k = 0; k < body.length; k++) {
    const c = body.charCodeAt(k);
    if (c !== 32 && c !== 9) return c;
  }
  return -1;
}

function isAsciiLetterOrDigit(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

function isTableLine(body: string): boolean {
  return firstCode(body) === 124; // |
}

function lexMarkdownLine(body: string, out: PieceBuilder, afterTable: boolean): void {
  // Rules, table separators and comments open with a sign: most lines are ruled out by
  // their first character, before any of the three patterns runs.
  const first = firstCode(body);
  const mayBeMarkupLine = first !== -1 && !isAsciiLetterOrDigit(first);
  if (mayBeMarkupLine && (RULE_LINE.test(body) || TABLE_SEPARATOR.test(body) || HTML_COMMENT.test(body))) {
    out.push(body, 'markup', 'body');
    return;
  }
  if (isTableLine(body) || (afterTable && body.includes('|'))) {
    lexTableRow(body, out);
    return;
  }
  const m = LINE_PREFIX.exec(body)!;
  const indent = m[1]!;
  const marker = m[2]! + (m[3] ?? '');
  out.push(indent, 'indent', 'body');
  out.push(marker, 'markup', 'body');
  const context: PieceContext = m[3]?.startsWith('#') ? 'heading' : m[3] ? 'list' : 'body';
  lexText(body.slice(indent.length + marker.length), { context, jsonString: false }, out);
}

function lexTableRow(body: string, out: PieceBuilder): void {
  // Split on pipes that are neither escaped nor inside inline code.
  let inCode = false;
  let cellStart = 0;
  for (let i = 0; i <= body.length; i++) {
    const c = body[i];
    if (c === '`') inCode = !inCode;
    if (i === body.length || (c === '|' && !inCode && body[i - 1] !== '\\')) {
      const cell = body.slice(cellStart, i);
      const lead = /^[ \t]*/.exec(cell)![0];
      out.push(lead, 'indent', 'table');
      lexText(cell.slice(lead.length), { context: 'table', jsonString: false }, out);
      if (i < body.length) out.push('|', 'markup', 'table');
      cellStart = i + 1;
    }
  }
}

/**
 * Keys whose string values are names and enumerated values, not prose (issue 15): a chat
 * request's roles, tool and function names, types, models and stop sequences. An API
 * rejects a request whose "role" became "".
 */
const ENUMERATED_KEYS: ReadonlySet<string> = new Set(['role', 'name', 'model', 'tool_choice', 'function_call', 'tool_call_id']);
// "type" names an API's kind of part or format only with these values; elsewhere
// ("type": "outdoor" in an image prompt) it is description, compressed like prose.
const API_TYPES: ReadonlySet<string> = new Set([
  'function', 'text', 'image_url', 'input_audio', 'input_text', 'input_image', 'output_text', 'json_object', 'json_schema', 'tool_use', 'tool_result', 'file', 'refusal', 'object', 'array', 'string', 'number', 'integer', 'boolean', 'null',
]);
// Keys whose values are kept whatever they hold: stop sequences and allowed values.
const VERBATIM_KEYS: ReadonlySet<string> = new Set(['stop', 'enum', 'pattern']);
// A code with a digit ("gpt-4o-mini", "tts-1-hd", "v2.1", "4:5") is not prose: dropping
// part of it changes what it names. Words and snake_case phrases are left to the scorer:
// protecting every one-word or snake_case value (or every "type") made 1.4% more dev
// prompts miss the budget at rate 0.33 (image prompts written as JSON, whose values are
// descriptions: "creates_sharp_shadows_on_stairs").
const MAX_IDENTIFIER_VALUE = 64;
const CODE_LIKE = /^(?=\D*\d)[\p{L}\p{N}]+(?:[_.:-][\p{L}\p{N}]+){1,3}$/u;
// Under an enumerated key, a short label ("system", "json object") is a value; a
// sentence ("role": "You are a senior analyst ...") is still prose.
const MAX_ENUM_LABEL = 40;

function isEnumeratedValue(key: string | undefined, value: string): boolean {
  if (key !== undefined && VERBATIM_KEYS.has(key)) return true;
  if (key !== undefined && ENUMERATED_KEYS.has(key) && value.length <= MAX_ENUM_LABEL && value.split(/\s+/).length <= 4) return true;
  if (key === 'type' && API_TYPES.has(value)) return true;
  return value.length <= MAX_IDENTIFIER_VALUE && CODE_LIKE.test(value);
}

function parseJson(text: string, out: PieceBuilder, signal: AbortFlag | undefined): void {
  let at = 0;
  let strings = 0;
  // Which key a string value belongs to: the last key in an object, or the key that owns
  // the array the value is in.
  const containers: Array<{ array: boolean; key: string | undefined }> = [];
  let lastKey: string | undefined;
  const governingKey = () => {
    const top = containers.at(-1);
    return top?.array ? top.key : lastKey;
  };
  while (at < text.length) {
    const c = text[at]!;
    if (c === '\n' || c === '\r') {
      const eol = c === '\r' && text[at + 1] === '\n' ? '\r\n' : c;
      out.push(eol, 'newline', 'json-value');
      at += eol.length;
    } else if (c === ' ' || c === '\t') {
      let end = at;
      while (text[end] === ' ' || text[end] === '\t') end++;
      out.push(text.slice(at, end), 'indent', 'json-value');
      at = end;
    } else if (c === '"') {
      if ((++strings & 255) === 0) checkAborted(signal);
      let end = at + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end++;
      let next = end;
      while (next < text.length && /\s/.test(text[next]!)) next++;
      if (text[next] === ':') {
        out.push(text.slice(at, end), 'protected', 'json-value', 'json-key');
        lastKey = text.slice(at + 1, end - 1);
      } else if (isEnumeratedValue(governingKey(), text.slice(at + 1, end - 1))) {
        out.push(text.slice(at, end), 'protected', 'json-value', 'json-enum');
      } else {
        out.push('"', 'markup', 'json-value');
        lexText(text.slice(at + 1, end - 1), { context: 'json-value', jsonString: true }, out);
        out.push('"', 'markup', 'json-value');
      }
      at = end;
    } else {
      let end = at + 1;
      while (end < text.length && !/[\s"]/.test(text[end]!)) end++;
      for (let k = at; k < end; k++) {
        const b = text[k];
        if (b === '{') containers.push({ array: false, key: lastKey });
        else if (b === '[') containers.push({ array: true, key: lastKey });
        else if (b === '}' || b === ']') {
          const closed = containers.pop();
          lastKey = closed?.key;
        }
      }
      out.push(text.slice(at, end), 'markup', 'json-value');
      at = end;
    }
  }
}

const YAML_KEY = /^((?:-[ \t]+)*)((?:"[^"\n]*"|'[^'\n]*'|[^:#\n'"]?[^:#\n]*?):(?=[ \t]|$))?([ \t]*)/;
const YAML_SPECIAL_START = /^[|>'"[{&*!%@`#]/;

function parseYamlLines(text: string, out: PieceBuilder, options: ParseOptions): void {
  const lines = splitLines(text);
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    if ((i & 255) === 0) checkAborted(options.signal);
    const { body, eol } = lines[i]!;
    const indent = /^[ \t]*/.exec(body)![0];
    const rest = body.slice(indent.length);
    out.push(indent, 'indent', 'yaml-value');
    if (blockIndent >= 0 && (rest === '' || indent.length > blockIndent)) {
      // Inside a literal or folded block: plain text lines.
      lexText(rest, { context: 'yaml-value', jsonString: false }, out);
      out.push(eol, 'newline', 'yaml-value');
      continue;
    }
    blockIndent = -1;
    if (rest.startsWith('#') || rest === '---' || rest === '...') {
      out.push(rest, 'markup', 'yaml-value');
      out.push(eol, 'newline', 'yaml-value');
      continue;
    }
    const m = YAML_KEY.exec(rest)!;
    const dashes = m[1] ?? '';
    const key = m[2] ?? '';
    const gap = m[3] ?? '';
    out.push(dashes, 'markup', 'yaml-value');
    out.push(key, 'protected', 'yaml-value', 'yaml-key');
    out.push(gap, 'indent', 'yaml-value');
    const value = rest.slice(dashes.length + key.length + gap.length);
    if (/^[|>][-+0-9]*[ \t]*(?:#.*)?$/.test(value)) {
      out.push(value, 'markup', 'yaml-value');
      blockIndent = indent.length + dashes.length;
    } else if (YAML_SPECIAL_START.test(value) || (key === '' && dashes === '' && value !== '')) {
      // Quoted, flow or tagged values and continuation lines stay as they are.
      out.push(value, 'protected', 'yaml-value', 'yaml-value');
    } else if (options.yamlStrict) {
      // Keep the value's first word (or all of it, when it starts with a sign such as
      // "${"), so no drop can leave it starting with a YAML indicator.
      const first = /^[\p{L}\p{N}_]+(?=\s|$)/u.exec(value)?.[0] ?? value;
      out.push(first, 'protected', 'yaml-value', 'yaml-value');
      lexText(value.slice(first.length), { context: 'yaml-value', jsonString: false }, out);
    } else {
      lexText(value, { context: 'yaml-value', jsonString: false }, out);
    }
    out.push(eol, 'newline', 'yaml-value');
  }
}
