import { formatCount, formatPercent, formatUsd } from '../src/core/format/numbers';
import type { BudgetState, ModelRow, SortColumn, SortState, UsageSettings } from '../src/core/protocol/panel';
import { codicon, debounce, h } from './dom';

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

/** The Budget card: what was counted, the usage inputs, and the per-model table. */
export class BudgetView {
  private readonly root: HTMLElement;
  private state: BudgetState | undefined;
  private readonly emitUsage: (usage: UsageSettings) => void;

  constructor(
    container: HTMLElement,
    private sort: SortState,
    private readonly events: BudgetViewEvents,
  ) {
    this.root = h('section', { class: 'card', 'aria-labelledby': 'budget-title' });
    container.append(this.root);
    this.emitUsage = debounce((usage: UsageSettings) => events.onUsageChange(usage), 300);
  }

  render(state: BudgetState): void {
    this.state = state;
    const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.testid;
    this.root.replaceChildren(this.header(state), this.usageInputs(state), this.body(state));
    if (focusedId) (this.root.querySelector(`[data-testid="${focusedId}"]`) as HTMLElement | null)?.focus();
  }

  private header(state: BudgetState): HTMLElement {
    const source = state.source;
    const tokenizerText = state.tokenizers.map((t) => `${t.id}: ${formatCount(t.tokens)} tokens`).join(' · ');
    return h(
      'header',
      { class: 'card-header' },
      h('h2', { id: 'budget-title' }, codicon('symbol-numeric'), ' Budget'),
      h(
        'p',
        { class: 'source', 'data-testid': 'source' },
        source ? `${source.fileName} — ${describeRange(state)} (${formatCount(source.characters)} characters)` : 'No text yet',
      ),
      h('p', { class: 'tokenizer', 'data-testid': 'tokenizer' }, tokenizerText || (state.status === 'counting' ? 'Counting…' : '')),
    );
  }

  private usageInputs(state: BudgetState): HTMLElement {
    const field = (testid: string, label: string, value: number, key: keyof UsageSettings) => {
      const input = document.createElement('vscode-textfield');
      input.setAttribute('data-testid', testid);
      input.setAttribute('aria-label', label);
      input.type = 'number';
      input.min = 0;
      input.value = String(value);
      input.addEventListener('input', () => {
        const n = Number(input.value);
        if (input.value.trim() === '' || !Number.isFinite(n) || n < 0) {
          input.invalid = true;
          return;
        }
        input.invalid = false;
        const usage = { ...this.state!.usage, [key]: n };
        this.state!.usage = usage;
        this.emitUsage(usage);
      });
      return h('label', { class: 'field' }, h('span', {}, label), input);
    };
    const settings = document.createElement('vscode-button');
    settings.setAttribute('secondary', '');
    settings.append(codicon('settings-gear'), ' Prices');
    settings.title = 'Open settings: active model, price overrides, price file';
    settings.addEventListener('click', () => this.events.onOpenSettings());
    return h(
      'div',
      { class: 'usage' },
      field('calls-per-day', 'Calls per day', state.usage.callsPerDay, 'callsPerDay'),
      field('output-tokens', 'Output tokens per call', state.usage.outputTokens, 'outputTokens'),
      settings,
    );
  }

  private body(state: BudgetState): HTMLElement {
    if (state.status === 'empty' || (state.status === 'error' && state.rows.length === 0)) {
      return h('p', { class: state.status === 'error' ? 'message error' : 'message', 'data-testid': 'message', role: state.status === 'error' ? 'alert' : undefined }, state.message ?? '');
    }
    // The status bar's model is pinned on top, whatever the sort: it is the row people look for.
    const sorted = [...state.rows].sort((a, b) => compareRows(a, b, this.sort));
    const active = sorted.filter((r) => r.id === state.activeModelId);
    const rows = [...active, ...sorted.filter((r) => r.id !== state.activeModelId)];
    // The status bar's model is chosen with the radio-like circle that starts each row.
    const headRow = h('tr', {}, h('th', { scope: 'col', class: 'pin' }, h('span', { class: 'visually-hidden' }, 'Status bar model')));
    for (const col of COLUMNS) {
      const active = this.sort.column === col.column;
      const button = h(
        'button',
        { class: 'sort', title: `${col.title}. Click to sort.`, 'data-sort': col.column },
        col.label,
        active ? h('span', { class: `codicon codicon-arrow-${this.sort.descending ? 'down' : 'up'}`, 'aria-hidden': 'true' }) : null,
      );
      button.addEventListener('click', () => {
        this.sort = { column: col.column, descending: active ? !this.sort.descending : col.numeric };
        this.events.onSortChange(this.sort);
        this.render(this.state!);
      });
      headRow.append(h('th', { scope: 'col', class: col.numeric ? 'num' : undefined, 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : undefined }, button));
    }
    const body = h('tbody');
    for (const row of rows) body.append(this.row(row, state));
    const table = h('table', { 'data-testid': 'model-table', class: state.status === 'counting' ? 'stale' : undefined }, h('thead', {}, headRow), body);
    const footer = h(
      'p',
      { class: 'footnote' },
      `Cost per call = input tokens + ${formatCount(state.usage.outputTokens)} output tokens. Prices per 1M tokens from each provider, dated per row (hover a cost); bundled table reviewed ${state.catalogReviewed}. "estimate": that model's tokenizer is not available here; its count is scaled from o200k_base by a measured ratio (hover it).`,
    );
    return h('div', {}, h('div', { class: 'table-wrap models', tabindex: 0, 'aria-label': 'Models' }, table), footer);
  }

  private row(row: ModelRow, state: BudgetState): HTMLElement {
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
    const pin = h(
      'button',
      { type: 'button', class: 'pin', 'aria-label': pinLabel, 'aria-pressed': isActive ? 'true' : 'false', title: pinLabel },
      codicon(isActive ? 'pass-filled' : 'circle-large-outline'),
    );
    pin.addEventListener('click', () => this.events.onSetActiveModel(row.id));
    const cells: Record<SortColumn, HTMLElement> = {
      name: h(
        'td',
        { 'data-col': 'name', title: `${row.id} (${row.provider})${isActive ? ': the status bar prices this model; pinned on top' : ''}` },
        row.name,
        isActive ? h('span', { class: 'badge', 'data-testid': 'active-badge' }, 'status bar') : null,
      ),
      tokens: h(
        'td',
        { 'data-col': 'tokens', class: 'num', 'data-value': row.tokens, title: tokensTitle },
        `${row.exact ? '' : '~'}${formatCount(row.tokens)}`,
        row.exact ? null : h('span', { class: 'estimate' }, ' estimate'),
      ),
      perCallUsd: h('td', { 'data-col': 'perCallUsd', class: 'num', 'data-value': row.perCallUsd, title: priceTitle }, formatUsd(row.perCallUsd)),
      perDayUsd: h('td', { 'data-col': 'perDayUsd', class: 'num', 'data-value': row.perDayUsd, title: priceTitle }, formatUsd(row.perDayUsd)),
      contextShare: h(
        'td',
        { 'data-col': 'contextShare', class: 'num', 'data-value': row.contextShare, title: overflow ? overflowText : `${formatCount(row.contextWindow)}-token context window` },
        overflow ? h('span', { class: 'codicon codicon-warning', 'aria-label': 'overflow' }) : null,
        ` ${formatPercent(row.contextShare, row.contextShare < 0.1 ? 1 : 0)}`,
      ),
      provider: h('td', { 'data-col': 'provider' }, row.provider),
    };
    // Cells in the order of the header (COLUMNS), after the status bar's circle.
    return h(
      'tr',
      { 'data-model-id': row.id, class: [overflow ? 'overflow' : '', isActive ? 'active pinned' : ''].join(' ').trim() || undefined },
      h('td', { class: 'pin' }, pin),
      ...COLUMNS.map((col) => cells[col.column]),
    );
  }
}
