import * as vscode from 'vscode';
import { buildModelRows } from '../core/count/budgetRows';
import {
  BUDGET_PANEL_VIEW_TYPE,
  parsePanelMessage,
  parsePersistedState,
  ProtocolError,
  CAPSULE_PREVIEW_CHARS,
  type BudgetState,
  type CapsuleCardState,
  type CompressorChoice,
  type LlmCardInfo,
  type ServingCardState,
  type ServingInputs,
  type HostToPanelMessage,
  type PanelPersistedState,
  type PanelToHostMessage,
  type UsageSettings,
} from '../core/protocol/panel';
import type { TokenizerId } from '../core/tokens/tokenizer';
import { SERVING_OPTIONS, servingContextProblem, servingTokens, workLimitMessage } from '../core/serving/options';
import { CancelledError } from '../core/worker/cancellation';
import type { CapsuleService, PendingCapsule } from './capsule/capsuleService';
import { compressRefusal, openPreview, savingsFor } from './capsule/compressCommands';
import { PREVIEW_SCHEME, type PreviewContentProvider } from './capsule/previewContent';
import type { CatalogService } from './catalogService';
import { LlmNotConfiguredError, type LlmService } from './llm/llmService';
import type { LocalModelService } from './local/localModelService';
import { isLocalModelError } from './local/localModelCommands';
import { compressionEconomics } from '../core/llm/economics';
import { EndpointError } from '../core/llm/errors';
import { CommandIds } from './commandIds';
import { panelResourceRoots, renderPanelHtml } from './panelHtml';
import { readCompressionSettings, SETTINGS_SECTION, SettingKeys, updateSetting } from './settings';
import { captureDocumentRange, captureEditor, fromRangeInfo, type CapturedText } from './textSource';
import type { Workers } from './workers';
import { PlanCard, type PlanSubject } from './plan/planCard';

const TITLE = 'Prompt Capsule: Budget';

const EMPTY_CARD: Omit<CapsuleCardState, 'status' | 'rate' | 'fileName' | 'scope' | 'modelName'> = {
  originalTokens: 0,
  capsuleTokens: 0,
  rateReached: 1,
  withinBudget: true,
  originalCostUsd: 0,
  capsuleCostUsd: 0,
  protected: [],
  dropped: [],
  preview: '',
  previewTruncated: false,
  stale: false,
};
const USAGE_KEY = 'budgetPanel.usage';
const SERVING_KEY = 'budgetPanel.serving';
// Re-simulate once the user stops editing the Serving card (or the selection settles).
const SERVING_DEBOUNCE_MS = 250;

const DEFAULT_SERVING: ServingInputs = {
  model: 'llama-3.1-8b',
  gpu: 'h100-sxm',
  precision: 'bf16',
  mode: 'colocated',
  rate: 4,
  outputTokens: 256,
  sloTtftMs: 500,
  sloTpotMs: 100,
  gpus: 2,
  tensorParallel: 1,
};
// Following the selection: recount once the user pauses, not on every arrow key.
const FOLLOW_DEBOUNCE_MS = 200;
// Beyond this the panel explains instead of counting (the status bar still counts).
export const MAX_PANEL_CHARACTERS = 20_000_000;

interface PanelDeps {
  extensionUri: vscode.Uri;
  catalog: CatalogService;
  workers: Workers;
  log: vscode.LogOutputChannel;
  memento: vscode.Memento;
  capsules: CapsuleService;
  preview: PreviewContentProvider;
  llm: LlmService;
  local: LocalModelService;
}

/**
 * The Budget Panel host. One panel at a time; it follows the active editor's selection
 * while visible, and survives hide/show and window reloads through the webview's saved
 * state (no retainContextWhenHidden).
 */
export class BudgetPanel implements vscode.Disposable {
  private static current: BudgetPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private captured: CapturedText | undefined;
  private state: BudgetState;
  /** The Capsule card's compressor choice, read when the settings or a calibration change. */
  private compressor: CompressorChoice | undefined;
  private countCancellation: vscode.CancellationTokenSource | undefined;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private compressCancellation: vscode.CancellationTokenSource | undefined;
  private capsuleStatus: { status: 'running' | 'error'; rate: number; message?: string } | undefined;
  private serving: ServingCardState | undefined;
  private servingTimer: ReturnType<typeof setTimeout> | undefined;
  private servingCancellation: vscode.CancellationTokenSource | undefined;
  private servingKey = '';
  private readonly plan: PlanCard;

  static show(deps: PanelDeps, captured: CapturedText | undefined): BudgetPanel {
    if (BudgetPanel.current) {
      BudgetPanel.current.panel.reveal(undefined, true);
      if (captured) void BudgetPanel.current.recount(captured);
      return BudgetPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      BUDGET_PANEL_VIEW_TYPE,
      TITLE,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: panelResourceRoots(deps.extensionUri) },
    );
    BudgetPanel.current = new BudgetPanel(panel, deps, captured);
    return BudgetPanel.current;
  }

  /** Re-creates the panel after a window reload (called by the serializer). */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, saved: unknown): BudgetPanel {
    BudgetPanel.current?.dispose();
    const persisted = parsePersistedState(saved);
    BudgetPanel.current = new BudgetPanel(panel, deps, undefined);
    if (persisted?.source) void BudgetPanel.current.restoreSource(persisted);
    return BudgetPanel.current;
  }

  static get active(): BudgetPanel | undefined {
    return BudgetPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    captured: CapturedText | undefined,
  ) {
    this.state = this.emptyState('Select text in an editor to count its tokens.');
    this.plan = new PlanCard({ worker: deps.workers.simulation, log: deps.log, memento: deps.memento, catalog: () => deps.catalog.current.models }, () => this.postPlan());
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    panel.webview.options = { enableScripts: true, localResourceRoots: panelResourceRoots(deps.extensionUri) };
    panel.webview.html = renderPanelHtml(panel.webview, deps.extensionUri, TITLE);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => panel.visible && this.scheduleServing()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.follow(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.follow(editor)),
      deps.catalog.onDidChange(() => this.captured && void this.recount(this.captured)),
      deps.capsules.onDidChange(() => this.publish(this.state)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.plan`)) this.plan.rerun();
        // The card's compressor choice follows the settings.
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.compression`) || e.affectsConfiguration(`${SETTINGS_SECTION}.llm`) || e.affectsConfiguration(`${SETTINGS_SECTION}.localModel`)) this.refreshCompressor();
      }),
      deps.llm.onDidCalibrate(() => this.refreshCompressor()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // The card marks its capsule stale as soon as its document changes.
        if (deps.capsules.forDocument(e.document.uri.toString())) this.publish(this.state);
      }),
    );
    if (captured) void this.recount(captured);
  }

  get viewState(): BudgetState {
    return this.state;
  }

  private usage(): UsageSettings {
    const saved = this.deps.memento.get<UsageSettings>(USAGE_KEY);
    return saved ?? this.deps.catalog.currentSettings.usage;
  }

  private emptyState(message: string): BudgetState {
    return {
      status: 'empty',
      message,
      tokenizers: [],
      rows: [],
      usage: this.usage(),
      activeModelId: this.deps.catalog.activeModel().id,
      catalogReviewed: this.deps.catalog.current.reviewed,
      compressionRate: readCompressionSettings().rate,
    };
  }

  private follow(editor: vscode.TextEditor): void {
    // The capsule diff's documents and output panes are not prompts to follow.
    const scheme = editor.document.uri.scheme;
    if (!this.panel.visible || scheme === 'output' || scheme === PREVIEW_SCHEME) return;
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      void this.recount(captureEditor(editor));
    }, FOLLOW_DEBOUNCE_MS);
  }

  private async restoreSource(persisted: PanelPersistedState): Promise<void> {
    const source = persisted.source!;
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
      const range = source.range ? fromRangeInfo(source.range) : undefined;
      await this.recount(captureDocumentRange(document, range));
    } catch (error) {
      this.deps.log.warn(`budget panel: could not reopen ${source.uri}: ${(error as Error).message}`);
    }
  }

  /** Counts the captured text with every tokenizer the catalog uses, in the worker. */
  async recount(captured: CapturedText): Promise<void> {
    this.captured = captured;
    this.countCancellation?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.countCancellation = cancellation;
    const catalog = this.deps.catalog.current;
    if (captured.source.characters > MAX_PANEL_CHARACTERS) {
      this.publish({ ...this.emptyState(`The text has ${captured.source.characters.toLocaleString('en-US')} characters; the panel counts up to ${MAX_PANEL_CHARACTERS.toLocaleString('en-US')}. Select a part of it.`), status: 'error', source: captured.source });
      return;
    }
    this.publish({ ...this.state, status: 'counting', source: captured.source });
    const tokenizers = [...new Set(catalog.models.map((m) => m.tokenizer))] as TokenizerId[];
    try {
      const counts = await this.deps.workers.countTokens(captured.getText(), tokenizers, cancellation.token);
      if (cancellation.token.isCancellationRequested) return;
      const byTokenizer = new Map(Object.entries(counts)) as Map<TokenizerId, number>;
      const usage = this.usage();
      this.publish({
        status: 'ready',
        source: captured.source,
        tokenizers: [...byTokenizer].map(([id, tokens]) => ({ id, tokens })),
        rows: buildModelRows(catalog.models, byTokenizer, usage),
        usage,
        activeModelId: this.deps.catalog.activeModel().id,
        catalogReviewed: catalog.reviewed,
        compressionRate: readCompressionSettings().rate,
      });
    } catch (error) {
      if (cancellation.token.isCancellationRequested) return;
      this.deps.log.error(`budget panel count failed: ${(error as Error).message}`);
      this.publish({ ...this.state, status: 'error', message: `Counting failed: ${(error as Error).message}` });
    } finally {
      if (this.countCancellation === cancellation) this.countCancellation = undefined;
      cancellation.dispose();
    }
  }

  private publish(state: BudgetState): void {
    const capsule = this.capsuleCard(state);
    // The compressor choice is read from the settings when they change, not on every
    // publish (each keystroke in a document with a pending capsule publishes).
    this.compressor ??= this.compressorChoice();
    this.state = { ...state, capsule, compressor: this.compressor, serving: this.serving, plan: this.plan.state };
    this.post({ kind: 'notification', method: 'state', params: this.state });
    this.scheduleServing();
    // Publishes follow keystrokes in a document with a pending capsule: the plan's subject is
    // worked out only once its card is open (openPlan hands it over then).
    if (this.plan.isOpen) this.plan.setSubject(this.planSubject(this.state), this.state.status === 'counting');
  }

  /** Opens the Plan card; resolves when the first plan for the text is ready. */
  openPlan(): Promise<void> {
    const done = this.plan.open();
    this.plan.setSubject(this.planSubject(this.state), this.state.status === 'counting' || this.captured !== undefined && this.state.status === 'empty');
    return done;
  }

  /**
   * What the plan is for: the pending capsule's tokens when there is one (that is what the
   * user means to send), else the text's. Both counted exactly per hosted model.
   */
  private planSubject(state: BudgetState): PlanSubject | undefined {
    const o200k = state.tokenizers.find((t) => t.id === 'o200k_base')?.tokens;
    if (state.status !== 'ready' || o200k === undefined || o200k === 0) return undefined;
    const pending = this.pendingForSource(state);
    const report = pending?.result.report;
    if (pending && report && report.originalTokens > 0 && !this.deps.capsules.isStale(pending)) {
      const share = report.capsuleTokens / report.originalTokens;
      const scaled = (n: number) => Math.max(1, Math.round(n * share));
      return {
        o200kTokens: scaled(o200k),
        hostedTokens: Object.fromEntries(state.rows.map((r) => [r.id, scaled(r.tokens)])),
        basis: `o200k_base count of the pending capsule: the ${state.source?.scope ?? 'text'}'s ${o200k} × ${share.toFixed(2)}`,
      };
    }
    return { o200kTokens: o200k, hostedTokens: Object.fromEntries(state.rows.map((r) => [r.id, r.tokens])), basis: `o200k_base count of the ${state.source?.scope ?? 'text'}` };
  }

  private postPlan(): void {
    this.state = { ...this.state, plan: this.plan.state };
    this.post({ kind: 'notification', method: 'state', params: this.state });
  }

  /** "Simulate this": the candidate's model, GPU, precision, mode and GPUs go to the Serving card. */
  private async simulateCandidate(candidateId: string): Promise<void> {
    const c = this.plan.candidate(candidateId);
    if (!c || c.kind !== 'self-hosted' || !c.gpu || !c.precision || !c.mode || c.gpus === null) {
      this.deps.log.warn(`budget panel: no self-hosted candidate ${candidateId} to simulate`);
      return;
    }
    // The load the candidate was planned for (the card's fields may have changed since).
    const planned = this.plan.state?.resultInputs ?? this.plan.inputs();
    const inputs: ServingInputs = {
      model: c.model,
      gpu: c.gpu,
      precision: c.precision,
      mode: c.mode,
      gpus: c.gpus,
      tensorParallel: c.tp ?? 1,
      rate: planned.rate,
      outputTokens: planned.outputTokens,
      sloTtftMs: planned.sloTtftMs,
      sloTpotMs: planned.sloTpotMs,
    };
    const problem = this.servingIdsProblem(inputs);
    if (problem) {
      this.deps.log.warn(`budget panel: cannot simulate ${candidateId}: ${problem}`);
      return;
    }
    await this.deps.memento.update(SERVING_KEY, inputs);
    this.scheduleServing();
  }

  private servingInputs(): ServingInputs {
    const saved = this.deps.memento.get<ServingInputs>(SERVING_KEY);
    const valid = saved && this.servingIdsProblem(saved) === undefined;
    return valid ? { ...DEFAULT_SERVING, ...saved } : DEFAULT_SERVING;
  }

  private servingIdsProblem(inputs: ServingInputs): string | undefined {
    if (!SERVING_OPTIONS.models.some((m) => m.id === inputs.model)) return `unknown model '${inputs.model}'`;
    if (!SERVING_OPTIONS.gpus.some((g) => g.id === inputs.gpu)) return `unknown GPU '${inputs.gpu}'`;
    if (!SERVING_OPTIONS.precisions.some((p) => p.id === inputs.precision)) return `unknown precision '${inputs.precision}'`;
    return undefined;
  }

  /** Re-simulates when the text's tokens, the capsule's tokens or the inputs changed. */
  private scheduleServing(force = false): void {
    const state = this.state;
    const o200k = state.tokenizers.find((t) => t.id === 'o200k_base')?.tokens;
    if (state.status !== 'ready' || o200k === undefined || !this.panel.visible) return;
    const inputs = this.servingInputs();
    // Counted for the serving model: its tokenizer, not o200k_base (data/tokenizers.json).
    const counted = servingTokens(inputs.model, o200k);
    const pending = this.pendingForSource(state);
    const report = pending?.result.report;
    const capsuleTokens = report && report.originalTokens > 0 ? Math.max(1, Math.round((counted.tokens * report.capsuleTokens) / report.originalTokens)) : undefined;
    const key = JSON.stringify([inputs, counted.tokens, capsuleTokens]);
    if (key === this.servingKey && !force) return;
    this.servingKey = key;
    if (this.servingTimer) clearTimeout(this.servingTimer);
    // Latest wins: whatever runs for older inputs stops now, not after the debounce (and
    // quietly: the new inputs post their own state).
    const superseded = this.servingCancellation;
    this.servingCancellation = undefined;
    superseded?.cancel();
    const base = { inputs, options: SERVING_OPTIONS, inputTokens: counted.tokens, tokenBasis: counted.basis, capsuleTokens };
    const tooLong = servingContextProblem(inputs.model, counted.tokens, inputs.outputTokens);
    if (tooLong) {
      this.serving = { ...base, status: 'refused', message: tooLong };
      this.postServing();
      return;
    }
    this.servingTimer = setTimeout(() => {
      this.servingTimer = undefined;
      void this.runServing(base);
    }, SERVING_DEBOUNCE_MS);
  }

  private postServing(): void {
    this.state = { ...this.state, serving: this.serving };
    this.post({ kind: 'notification', method: 'state', params: this.state });
  }

  private async runServing(base: Omit<ServingCardState, 'status'>): Promise<void> {
    const superseded = this.servingCancellation;
    this.servingCancellation = undefined;
    superseded?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.servingCancellation = cancellation;
    const { inputs, inputTokens, capsuleTokens } = base;
    const previous = this.serving?.estimate ? { estimate: this.serving.estimate, estimateInputs: this.serving.estimateInputs } : {};
    this.serving = { ...base, ...previous, status: 'running' };
    this.postServing();
    const started = Date.now();
    try {
      const query = capsuleTokens === undefined ? { ...inputs, inputTokens } : { ...inputs, inputTokens, capsuleTokens };
      const estimate = await this.deps.workers.simulation.run('estimateServing', query, cancellation.token, (progress) => {
        if (this.servingCancellation !== cancellation || this.serving?.status !== 'running') return;
        this.serving = { ...this.serving, progress };
        this.postServing();
      });
      this.serving = { ...base, status: 'ready', estimate, estimateInputs: inputs };
      this.deps.log.info(
        `serving estimate: ${inputs.model} on ${inputs.gpus}x ${inputs.gpu}, ${inputTokens} tokens, ${estimate.eventsUsed} events, ${estimate.elapsedMs.toFixed(0)} ms`,
      );
    } catch (error) {
      if (error instanceof CancelledError || cancellation.token.isCancellationRequested) {
        // Superseded by newer inputs (they post their own state) or cancelled by the user.
        if (this.servingCancellation === cancellation && this.serving?.status === 'running') {
          this.serving = { ...base, ...previous, status: 'cancelled', message: `Estimate cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s.` };
          this.postServing();
        }
        return;
      }
      if (this.servingCancellation !== cancellation) return;
      const message = error instanceof Error && error.name === 'SimulationWorkLimitError' ? workLimitMessage(error.message) : `Simulation failed: ${(error as Error).message}`;
      this.serving = { ...base, ...previous, status: 'error', message };
      this.deps.log.warn(`serving estimate: ${message}`);
    } finally {
      if (this.servingCancellation === cancellation) this.servingCancellation = undefined;
      cancellation.dispose();
    }
    this.postServing();
  }

  /** The pending capsule, shown when it was made from the text this panel shows. */
  private pendingForSource(state: BudgetState): PendingCapsule | undefined {
    return state.source ? this.deps.capsules.forDocument(state.source.uri) : undefined;
  }

  private capsuleCard(state: BudgetState): CapsuleCardState | undefined {
    const pending = this.pendingForSource(state);
    const running = this.capsuleStatus;
    if (!pending) {
      if (!running || !state.source) return undefined;
      return {
        ...EMPTY_CARD,
        status: running.status,
        message: running.message,
        rate: running.rate,
        fileName: state.source.fileName,
        scope: state.source.scope,
        modelName: this.deps.catalog.activeModel().name,
      };
    }
    const report = pending.result.report;
    const savings = savingsFor(pending, this.deps.catalog.activeModel());
    return {
      status: running?.status ?? 'ready',
      capsuleId: pending.id,
      message: running?.message,
      rate: running?.rate ?? pending.rate,
      fileName: pending.fileName,
      scope: pending.scope,
      originalTokens: savings.originalTokens,
      capsuleTokens: savings.capsuleTokens,
      rateReached: report.rateReached,
      withinBudget: report.withinBudget,
      budgetNote: report.budgetNote,
      modelName: savings.model.name,
      originalCostUsd: savings.originalCostUsd,
      capsuleCostUsd: savings.capsuleCostUsd,
      protected: report.protected,
      dropped: report.dropped,
      preview: pending.result.capsule.slice(0, CAPSULE_PREVIEW_CHARS),
      previewTruncated: pending.result.capsule.length > CAPSULE_PREVIEW_CHARS,
      stale: this.deps.capsules.isStale(pending),
      backend: pending.backend,
      ...(pending.llm ? { llm: this.llmInfo(pending)! } : {}),
      ...(pending.local
        ? {
            local: {
              modelId: pending.local.modelId,
              depth: pending.local.depth,
              maxDepth: pending.local.maxDepth,
              precision: pending.local.precision,
              provider: pending.local.provider,
              providerNote: pending.local.providerNote,
              modelMs: pending.local.modelMs,
              modelTokens: pending.local.modelTokens,
              selection: pending.local.selection.reason,
            },
          }
        : {}),
      ...(pending.probe
        ? {
            probe: {
              agreeing: pending.probe.answers.filter((a) => a.agree).length,
              total: pending.probe.answers.length,
              measure: pending.probe.measure,
              answers: pending.probe.answers.map((a) => ({ question: a.question, agree: a.agree, similarity: a.similarity })),
            },
          }
        : {}),
    };
  }

  private refreshCompressor(): void {
    this.compressor = this.compressorChoice();
    this.publish(this.state);
  }

  private compressorChoice(): CompressorChoice {
    const llm = this.deps.llm.describe();
    return {
      backend: readCompressionSettings().backend,
      options: [
        { id: 'builtin', label: 'Built-in (no model, offline)', available: true },
        { id: 'onnx', label: `Local model: ${this.deps.local.describe()}`, available: true },
        { id: 'llm', label: llm ? `LLM: ${llm}` : 'LLM (not set up: see promptCapsule.llm settings)', available: llm !== undefined },
      ],
    };
  }

  /** What the card shows of an LLM capsule, with the compression's cost and break-even. */
  private llmInfo(pending: PendingCapsule): LlmCardInfo | undefined {
    const llm = pending.llm;
    if (!llm) return undefined;
    const economics = compressionEconomics(llm.usage, this.deps.catalog.current.get(llm.model), this.deps.catalog.activeModel(), {
      originalTokens: pending.result.report.originalTokens,
      capsuleTokens: pending.result.report.capsuleTokens,
      tokenizer: pending.tokenizer,
    });
    return {
      model: llm.model,
      endpoint: llm.endpoint,
      candidates: llm.candidates.map((c) => ({ tokens: c.tokens, passed: c.passed, ...(c.reason ? { reason: c.reason } : {}), ...(c.score !== undefined ? { score: c.score } : {}) })),
      chosen: llm.chosen,
      fallback: llm.fallback,
      ...(llm.fallbackReason ? { fallbackReason: llm.fallbackReason } : {}),
      ranking: llm.ranking,
      cached: llm.cached,
      ...(llm.selection ? { selection: llm.selection.reason } : {}),
      usage: llm.usage,
      compressionCostUsd: economics.compressionCostUsd,
      savingPerCallUsd: economics.savingPerCallUsd,
      breakEvenCalls: economics.breakEvenCalls,
    };
  }

  /** The card's Compress button and rate slider. */
  private async compressFromPanel(rate: number): Promise<void> {
    this.compressCancellation?.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    this.compressCancellation = cancellation;
    this.capsuleStatus = { status: 'running', rate };
    this.publish(this.state);
    try {
      const pending = this.pendingForSource(this.state);
      if (pending) {
        const remade = await this.deps.capsules.recompress(pending.id, rate, cancellation.token);
        if (remade) await openPreview(this.deps, remade);
      } else if (this.captured && this.state.source) {
        const source = this.state.source;
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri));
        const range = source.range ? fromRangeInfo(source.range) : new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
        const refusal = compressRefusal(document.getText(range), source.fileName);
        if (refusal) {
          this.capsuleStatus = { status: 'error', rate, message: refusal.message.replace(/^Prompt Capsule: /, '') };
          return;
        }
        const model = this.deps.catalog.activeModel();
        const backend = readCompressionSettings().backend;
        const made = await this.deps.capsules.compress({ document, range, scope: source.scope, fileName: source.fileName }, rate, model.tokenizer, cancellation.token, backend);
        await openPreview(this.deps, made);
      }
      if (this.compressCancellation === cancellation) this.capsuleStatus = undefined;
    } catch (error) {
      if (error instanceof CancelledError || (error as Error).name === 'AbortError') {
        if (this.compressCancellation === cancellation) this.capsuleStatus = undefined;
        return;
      }
      if (error instanceof LlmNotConfiguredError || error instanceof EndpointError) {
        this.capsuleStatus = { status: 'error', rate, message: `The LLM backend failed: ${error.message} Nothing changed.` };
        return;
      }
      if (isLocalModelError(error)) {
        this.capsuleStatus = { status: 'error', rate, message: `The local model cannot run: ${error.message.replace(/\.+$/, '')}. Nothing changed; the built-in compressor still works.` };
        return;
      }
      this.deps.log.error(`panel compression failed: ${(error as Error).message}`);
      this.capsuleStatus = { status: 'error', rate, message: `Compression failed: ${(error as Error).message}` };
    } finally {
      if (this.compressCancellation === cancellation) this.compressCancellation = undefined;
      cancellation.dispose();
      this.publish(this.state);
    }
  }

  private post(message: HostToPanelMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    let message: PanelToHostMessage;
    try {
      message = parsePanelMessage(raw);
    } catch (error) {
      const text = error instanceof ProtocolError ? error.message : String(error);
      this.deps.log.warn(`budget panel: ignored a malformed message: ${text}`);
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      if (typeof id === 'number') this.post({ kind: 'response', id, ok: false, error: text });
      return;
    }
    switch (message.kind) {
      case 'request':
        if (message.method === 'ready') {
          if (!this.captured && message.params.persisted?.source) void this.restoreSource(message.params.persisted);
          this.post({ kind: 'response', id: message.id, ok: true, result: this.state });
        }
        return;
      case 'command':
        this.onCommand(message);
        return;
    }
  }

  private onCommand(message: Extract<PanelToHostMessage, { kind: 'command' }>): void {
    switch (message.method) {
      case 'setUsage':
        void this.deps.memento.update(USAGE_KEY, message.params).then(() => this.captured && this.recount(this.captured));
        return;
      case 'setActiveModel':
        if (!this.deps.catalog.current.get(message.params.modelId)) {
          this.deps.log.warn(`budget panel: unknown model ${message.params.modelId}`);
          return;
        }
        void updateSetting(SettingKeys.activeModel, message.params.modelId);
        return;
      case 'openSettings':
        void vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_SECTION);
        return;
      case 'compress':
        void this.compressFromPanel(message.params.rate);
        return;
      case 'cancelCompress':
        this.compressCancellation?.cancel();
        return;
      case 'cancelServing':
        this.servingCancellation?.cancel();
        return;
      case 'rerunServing':
        this.scheduleServing(true);
        return;
      case 'setPlan':
        void this.plan.setInputs(message.params);
        return;
      case 'cancelPlan':
        this.plan.cancel();
        return;
      case 'rerunPlan':
        this.plan.rerun();
        return;
      case 'simulateCandidate':
        void this.simulateCandidate(message.params.candidateId);
        return;
      case 'setCompressor':
        void updateSetting(SettingKeys.compressionBackend, message.params.backend).then(() => this.refreshCompressor());
        return;
      case 'setServing': {
        const problem = this.servingIdsProblem(message.params);
        if (problem) {
          this.deps.log.warn(`budget panel: serving inputs refused: ${problem}`);
          return;
        }
        void this.deps.memento.update(SERVING_KEY, message.params).then(() => this.scheduleServing());
        return;
      }
      case 'applyCapsule':
        void vscode.commands.executeCommand(CommandIds.applyCapsule, message.params.capsuleId);
        return;
      case 'discardCapsule':
        void vscode.commands.executeCommand(CommandIds.discardCapsule, message.params.capsuleId);
        return;
      case 'probeCapsule':
        void vscode.commands.executeCommand(CommandIds.probeCapsule, message.params.capsuleId);
        return;
      case 'copyCapsule': {
        const pending = this.deps.capsules.byId(message.params.capsuleId);
        if (!pending) {
          void vscode.window.showInformationMessage('Prompt Capsule: that capsule is no longer pending; nothing was copied.');
          return;
        }
        void vscode.env.clipboard.writeText(pending.result.capsule).then(() => vscode.window.showInformationMessage('Capsule copied to the clipboard.'));
        return;
      }
    }
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (BudgetPanel.current === this) BudgetPanel.current = undefined;
    if (this.followTimer) clearTimeout(this.followTimer);
    this.countCancellation?.cancel();
    this.compressCancellation?.cancel();
    this.servingCancellation?.cancel();
    if (this.servingTimer) clearTimeout(this.servingTimer);
    this.plan.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function registerBudgetPanelSerializer(deps: PanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(BUDGET_PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state) {
      BudgetPanel.revive(panel, deps, state);
    },
  });
}

export type { PanelDeps };
