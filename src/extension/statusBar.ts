import * as vscode from 'vscode';
import type { LocalModelService } from './local/localModelService';
import { LiveTokenCounter } from '../core/count/liveCounter';
import { modelCounts } from '../core/count/countModels';
import { estimateCost } from '../core/cost/cost';
import { formatCount, formatUsd } from '../core/format/numbers';
import type { TokenizerId } from '../core/tokens/tokenizer';
import type { CatalogService } from './catalogService';
import { CommandIds, STATUS_BAR_ITEM_ID } from './commandIds';
import { captureEditor } from './textSource';
import type { Workers } from './workers';

/** What the status bar shows now; also returned by the extension API for tests. */
export interface StatusSnapshot {
  tokens: number;
  modelId: string;
  scope: 'selection' | 'document';
  text: string;
  exact: boolean;
  inputCostUsd: number;
}

// Long enough to coalesce a drag-selection or typing burst into one count.
const DEBOUNCE_MS = 150;
const MAX_STATUS_CHARACTERS = 20_000_000;

/** Token count and input cost of the selection (or document) for the active model. */
export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly counter: LiveTokenCounter;
  private readonly disposables: vscode.Disposable[] = [];
  private snapshot: StatusSnapshot | undefined;

  constructor(
    private readonly catalog: CatalogService,
    workers: Workers,
    private readonly log: vscode.LogOutputChannel,
    private readonly local: LocalModelService,
  ) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ITEM_ID, vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Prompt Capsule: Tokens';
    this.item.command = CommandIds.selectModel;
    this.counter = new LiveTokenCounter((text, tokenizers, c) => workers.countTokens(text, tokenizers, c), DEBOUNCE_MS);
    this.disposables.push(
      this.item,
      { dispose: () => this.counter.dispose() },
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.refresh();
      }),
      catalog.onDidChange(() => {
        this.counter.invalidate();
        this.refresh();
      }),
      // The tooltip names the local sub-model that ran last.
      local.onDidRun(() => this.refresh()),
    );
    this.refresh();
  }

  get current(): StatusSnapshot | undefined {
    return this.snapshot;
  }

  refresh(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.catalog.currentSettings.statusBarEnabled) {
      this.item.hide();
      this.snapshot = undefined;
      return;
    }
    const captured = captureEditor(editor);
    if (captured.source.characters > MAX_STATUS_CHARACTERS) {
      // Copying hundreds of megabytes to a worker on every edit would cost more than it tells.
      this.item.text = '$(symbol-numeric) too large to count';
      this.item.tooltip = `Prompt Capsule counts up to ${formatCount(MAX_STATUS_CHARACTERS)} characters; select a part to count it.`;
      this.item.accessibilityInformation = { label: 'Prompt Capsule: text too large to count' };
      this.item.show();
      this.snapshot = undefined;
      return;
    }
    const model = this.catalog.activeModel();
    const tokenizers: TokenizerId[] = [model.tokenizer];
    this.counter.request(
      { key: captured.key, getText: captured.getText, tokenizers },
      (counts) => {
        const current = this.catalog.activeModel();
        if (current.id !== model.id) return; // a newer refresh is on its way
        const [count] = modelCounts([model], new Map(Object.entries(counts)) as Map<TokenizerId, number>);
        const tokens = count!.tokens;
        const cost = estimateCost(model, tokens, { callsPerDay: 1, outputTokens: 0 });
        const approx = count!.exact ? '' : '~';
        const scope = captured.source.scope;
        this.item.text = `$(symbol-numeric) ${approx}${formatCount(tokens)} tokens${count!.exact ? '' : ' (estimate)'} · ${formatUsd(cost.inputCostUsd)}`;
        this.item.accessibilityInformation = {
          label: `Prompt Capsule: ${formatCount(tokens)} tokens${count!.exact ? '' : ' (estimate)'}, ${formatUsd(cost.inputCostUsd)} per call on ${model.name} (${scope})`,
        };
        const tooltip = new vscode.MarkdownString(undefined, true);
        tooltip.appendMarkdown(`**Prompt Capsule** — ${scope === 'selection' ? 'selection' : 'whole document'}\n\n`);
        tooltip.appendMarkdown(`${approx}${formatCount(tokens)} tokens (${count!.exact ? model.tokenizer : `estimate: ${model.tokenizer} × ${model.estimateRatio}`})\n\n`);
        tooltip.appendMarkdown(`${model.name}: ${formatUsd(cost.inputCostUsd)} input per call ($${model.inputPerMTok}/1M, prices as of ${model.asOf})\n\n`);
        const local = this.local.lastRun;
        if (local) {
          tooltip.appendMarkdown(`Local model: ${local.modelId} depth ${local.depth}/${local.maxDepth} ${local.precision} on ${local.provider}, ${formatCount(local.modelMs)} ms last run. `);
          // The selector's reason is plain text (appendText escapes it).
          tooltip.appendText(local.selection.reason);
          tooltip.appendMarkdown(` · [Choose Local Sub-Model](command:${CommandIds.chooseLocalSubModel})\n\n`);
        }
        tooltip.appendMarkdown(`$(pencil) Click to choose the model · [Open Budget Panel](command:${CommandIds.countTokens})`);
        tooltip.isTrusted = { enabledCommands: [CommandIds.countTokens, CommandIds.chooseLocalSubModel] };
        this.item.tooltip = tooltip;
        this.item.backgroundColor = cost.overflowsContext ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.show();
        this.snapshot = { tokens, modelId: model.id, scope, text: this.item.text, exact: count!.exact, inputCostUsd: cost.inputCostUsd };
      },
      (error) => this.log.error(`status bar count failed: ${error.message}`),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
