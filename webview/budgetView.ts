import { html, nothing, render, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { formatCount, formatPercent, formatUsd } from '../src/core/format/numbers';
import type { BudgetState, ModelRow, SortColumn, SortState, UsageSettings } from '../src/core/protocol/panel';
import { debounce, cardSection } from './dom';
import { icon as codicon } from './templates';

export interface BudgetViewEvents {
  onUsageChange(usage: UsageSettings): void;
  onSortChange(sort: SortState): void;
  onSetActiveModel(modelId: string): void;
  onOpenSettings(): void;
}

interface ColumnDef {
  column: SortColumn;
  label: string;
  numeric: boolean;
  title: string;
}

// What people compare comes first, so a narrow panel cuts off the least useful column
// (the provider, also named in each model's tooltip) rather than the costs.
const COLUMNS: ColumnDef[] = [
  { column: 'name', label: 'Model', numeric: false, title: 'Model name and id' },
  { column: 'perCallUsd', label: 'Cost / call', numeric: true, title: 'Input + expected output tokens, one call' },
  { column: 'tokens', label: 'Tokens', numeric: true, title: 'Input tokens of the text; ~ marks an estimate' },
  { column: 'perDayUsd', label: 'Cost / day', numeric: true, title: 'Cost per call × calls per day' },
  { column: 'contextShare', label: 'Context', numeric: true, title: 'Share of the context window used by input + output' },
  { column: 'provider', label: 'Provider', numeric: false, title: 'Provider' },
];

function compareRows(a: ModelRow, b: ModelRow, sort: SortState): number {
  const va = a[sort.column];
  const vb = b[sort.column];
  const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
  return (sort.descending ? -order : order) || a.name.localeCompare(b.name);
}

function describeRange(state: BudgetState): string {
  const source = state.source;
  if (!source) return '';
  if (!source.range) return 'whole document';
  const r = source.range;
  return `lines ${r.startLine + 1}:${r.startCharacter + 1}–${r.endLine + 1}:${r.endCharacter + 1}`;
}

/** The usage fields, as the card words them. */
const USAGE_FIELDS: ReadonlyArray<{ key: keyof UsageSettings; testid: string; label: string }> = [
  { key: 'callsPerDay', testid: 'calls-per-day', label: 'Calls per day' },
  { key: 'outputTokens', testid: 'output-tokens', label: 'Output tokens per call' },
];

const sameUsage = (a: UsageSettings | undefined, b: UsageSettings | undefined) => !!a && !!b && USAGE_FIELDS.every((f) => a[f.key] === b[f.key]);

/**
 * The Budget card: what was counted, the usage inputs, and the per-model table. A Lit
 * template, rendered into the card on every state: Lit patches what changed, so the
 * usage fields keep their focus, caret and text while states arrive.
 */
export class BudgetView {
  private readonly root: HTMLElement;
  private state: BudgetState | undefined;
  /** What the usage fields show; refilled from the host only when its usage is not what they sent. */
  private text: Record<keyof UsageSettings, string> | undefined;
  /** The host's usage when the fields were last filled. */
  private formUsage: UsageSettings | undefined;
  /** The last valid usage, as sent to the host. */
  private sent: UsageSettings | undefined;
  private readonly invalid = new Set<keyof UsageSettings>();
  private readonly emitUsage: (usage: UsageSettings) => void;

  constructor(
    container: HTMLElement,
    private sort: SortState,
    private readonly events: BudgetViewEvents,
  ) {
    this.root = cardSection(container, { className: 'card', titleId: 'budget-title' });
    this.emitUsage = debounce((usage: UsageSettings) => events.onUsageChange(usage), 300);
  }

  render(state: BudgetState): void {
    this.state = state;
    // Refill the fields only when the host's usage is neither what they were filled with
    // nor what they last sent (first render, a restored panel, the settings changed);
    // never over an edit in progress or an invalid value.
    if (sameUsage(state.usage, this.sent)) this.formUsage = state.usage;
    if (!this.text || (!sameUsage(state.usage, this.formUsage) && !sameUsage(state.usage, this.sent) && this.invalid.size === 0)) {
      this.formUsage = { ...state.usage };
      this.sent = { ...state.usage };
      this.text = { callsPerDay: String(state.usage.callsPerDay), outputTokens: String(state.usage.outputTokens) };
    }
    this.update();
  }

  private update(): void {
    const state = this.state;
    if (!state) return;
    render(html`${this.header(state)}${this.usageInputs()}${this.body(state)}`, this.root);
  }

  private header(state: BudgetState): TemplateResult {
    const source = state.source;
    const tokenizerText = state.tokenizers.map((t) => `${t.id}: ${formatCount(t.tokens)} tokens`).join(' · ');
    return html`<header class="card-header">
      <h2 id="budget-title">${codicon('symbol-numeric')} Budget</h2>
      <p class="source" data-testid="source">${source ? `${source.fileName} — ${describeRange(state)} (${formatCount(source.characters)} characters)` : 'No text yet'}</p>
      <p class="tokenizer" data-testid="tokenizer">${tokenizerText || (state.status === 'counting' ? 'Counting…' : '')}</p>
    </header>`;
  }

  private usageInputs(): TemplateResult {
    const text = this.text!;
    return html`<div class="usage">
      ${USAGE_FIELDS.map(
        (f) => html`<label class="field"
          ><span>${f.label}</span
          ><vscode-textfield
            data-testid=${f.testid}
            aria-label=${f.label}
            type="number"
            .min=${0}
            .value=${live(text[f.key])}
            .invalid=${this.invalid.has(f.key)}
            @input=${(event: Event) => this.onUsageInput(f.key, (event.currentTarget as HTMLElement & { value: string }).value)}
          ></vscode-textfield
        ></label>`,
      )}
      <vscode-button secondary title="Open settings: active model, price overrides, price file" @click=${() => this.events.onOpenSettings()}
        >${codicon('settings-gear')} Prices</vscode-button
      >
    </div>`;
  }

  private onUsageInput(key: keyof UsageSettings, value: string): void {
    this.text![key] = value;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
      this.invalid.add(key);
    } else {
      this.invalid.delete(key);
      this.sent = { ...this.sent!, [key]: n };
      this.emitUsage(this.sent);
    }
    this.update();
  }

  private body(state: BudgetState): TemplateResult {
    if (state.status === 'empty' || (state.status === 'error' && state.rows.length === 0)) {
      const error = state.status === 'error';
      return html`<p class=${error ? 'message error' : 'message'} data-testid="message" role=${ifDefined(error ? 'alert' : undefined)}>${state.message ?? ''}</p>`;
    }
    // The status bar's model is pinned on top, whatever the sort: it is the row people look for.
    const sorted = [...state.rows].sort((a, b) => compareRows(a, b, this.sort));
    const rows = [...sorted.filter((r) => r.id === state.activeModelId), ...sorted.filter((r) => r.id !== state.activeModelId)];
    // The status bar's model is chosen with the radio-like circle that starts each row.
    return html`<div>
      <div class="table-wrap models" tabindex="0" aria-label="Models">
        <table data-testid="model-table" class=${ifDefined(state.status === 'counting' ? 'stale' : undefined)}>
          <thead>
            <tr>
              <th scope="col" class="pin"><span class="visually-hidden">Status bar model</span></th>
              ${COLUMNS.map((col) => this.headerCell(col))}
            </tr>
          </thead>
          <tbody>
            ${repeat(
              rows,
              (row) => row.id,
              (row) => this.row(row, state),
            )}
          </tbody>
        </table>
      </div>
      <p class="footnote">${`Cost per call = input tokens + ${formatCount(state.usage.outputTokens)} output tokens. Prices per 1M tokens from each provider, dated per row (hover a cost); bundled table reviewed ${state.catalogReviewed}. "estimate": that model's tokenizer is not available here; its count is scaled from o200k_base by a measured ratio (hover it).`}</p>
    </div>`;
  }

  private headerCell(col: ColumnDef): TemplateResult {
    const active = this.sort.column === col.column;
    const ariaSort = active ? (this.sort.descending ? 'descending' : 'ascending') : undefined;
    return html`<th scope="col" class=${ifDefined(col.numeric ? 'num' : undefined)} aria-sort=${ifDefined(ariaSort)}>
      <button class="sort" title=${`${col.title}. Click to sort.`} data-sort=${col.column} @click=${() => this.onSortClick(col)}
        >${col.label}${active ? html`<span class="codicon codicon-arrow-${this.sort.descending ? 'down' : 'up'}" aria-hidden="true"></span>` : nothing}</button
      >
    </th>`;
  }

  private onSortClick(col: ColumnDef): void {
    const active = this.sort.column === col.column;
    this.sort = { column: col.column, descending: active ? !this.sort.descending : col.numeric };
    this.events.onSortChange(this.sort);
    this.update();
  }

  private row(row: ModelRow, state: BudgetState): TemplateResult {
    const priceTitle = `$${row.inputPerMTok} in${row.cachedInputPerMTok === null ? '' : ` / $${row.cachedInputPerMTok} cached`} / $${row.outputPerMTok} out per 1M tokens — as of ${row.asOf}, source: ${row.source}`;
    const tokensTitle = row.exact ? `exact (${row.tokenizer})` : `estimate: ${row.estimateBasis ?? row.tokenizer}`;
    const overflow = row.overflowsContext || row.overflowsOutput;
    const overflowText = row.overflowsContext
      ? `input + output exceed the ${formatCount(row.contextWindow)}-token context window`
      : row.overflowsOutput
        ? `output exceeds the maximum of ${formatCount(row.maxOutputTokens)} tokens`
        : '';
    const isActive = row.id === state.activeModelId;
    const pinLabel = isActive ? `${row.name} prices the status bar` : `Price the status bar with ${row.name}`;
    const cells: Record<SortColumn, TemplateResult> = {
      name: html`<td data-col="name" title=${`${row.id} (${row.provider})${isActive ? ': the status bar prices this model; pinned on top' : ''}`}
        >${row.name}${isActive ? html`<span class="badge" data-testid="active-badge">status bar</span>` : nothing}</td
      >`,
      tokens: html`<td data-col="tokens" class="num" data-value=${row.tokens} title=${tokensTitle}
        >${`${row.exact ? '' : '~'}${formatCount(row.tokens)}`}${row.exact ? nothing : html`<span class="estimate"> estimate</span>`}</td
      >`,
      perCallUsd: html`<td data-col="perCallUsd" class="num" data-value=${row.perCallUsd} title=${priceTitle}>${formatUsd(row.perCallUsd)}</td>`,
      perDayUsd: html`<td data-col="perDayUsd" class="num" data-value=${row.perDayUsd} title=${priceTitle}>${formatUsd(row.perDayUsd)}</td>`,
      contextShare: html`<td data-col="contextShare" class="num" data-value=${row.contextShare} title=${overflow ? overflowText : `${formatCount(row.contextWindow)}-token context window`}
        >${overflow ? html`<span class="codicon codicon-warning" aria-label="overflow"></span>` : nothing}${` ${formatPercent(row.contextShare, row.contextShare < 0.1 ? 1 : 0)}`}</td
      >`,
      provider: html`<td data-col="provider">${row.provider}</td>`,
    };
    const rowClass = [overflow ? 'overflow' : '', isActive ? 'active pinned' : ''].join(' ').trim() || undefined;
    // Cells in the order of the header (COLUMNS), after the status bar's circle.
    return html`<tr data-model-id=${row.id} class=${ifDefined(rowClass)}>
      <td class="pin">
        <button type="button" class="pin" aria-label=${pinLabel} aria-pressed=${isActive ? 'true' : 'false'} title=${pinLabel} @click=${() => this.events.onSetActiveModel(row.id)}
          >${codicon(isActive ? 'pass-filled' : 'circle-large-outline')}</button
        >
      </td>
      ${COLUMNS.map((col) => cells[col.column])}
    </tr>`;
  }
}
