/**
 * Cross-validated error of the serving simulator: every published row is predicted by a
 * calibration fitted without it. Rows are held out in groups, because rows of one engine build
 * would vouch for each other: one build (an engine profile's setup: model, GPU, precision, TP
 * degree, in one source's table) at a time (setupGrouping). That is stricter than
 * leave-one-out, which issue 14 allows. Leaving a whole source out instead would leave a
 * profile whose calibration rows come from one table nothing to be fitted on, and its rows
 * would be predicted by unfitted defaults. For each group holding calibration rows, the
 * profiles are refitted on the calibration rows of the other groups and the group's rows are
 * predicted with the refit. Rows of groups without calibration rows are predicted with the fit
 * on all calibration rows, which never saw them. The in-sample error (the bundled fit on the
 * rows it was fitted to) is reported beside it, labelled as such; leave one source out
 * everywhere (`sourceOf`) is reported by scripts/dev/cv-by-source.mjs.
 */
import { BUNDLED_CALIBRATION, CalibrationTable } from './calibration';
import { FitCache, fitCalibration } from './calibrate';
import { median } from './metrics';
import { ValidationMetric, ValidationOutcome, ValidationRow, predictRow } from './validation';

/** What a metric measures, for reporting error per kind. */
export type MetricKind = 'throughput' | 'ttft' | 'tpot' | 'iteration' | 'latency';

export const METRIC_KIND: Readonly<Record<ValidationMetric, MetricKind>> = {
  outputTokensPerSec: 'throughput',
  outputTokensPerSecPerGpu: 'throughput',
  ttftMs: 'ttft',
  ttftMeanMs: 'ttft',
  tpotMeanMs: 'tpot',
  ttftMedianMs: 'ttft',
  itlMedianMs: 'tpot',
  e2eMeanMs: 'latency',
  iterationMs: 'iteration',
  batchLatencyMs: 'latency',
};

export interface ErrorSummary {
  rows: number;
  medianAbsErrorPct: number;
  maxAbsErrorPct: number;
  /**
   * Which way the figures lean: the median of each row's error signed so that positive means
   * the simulator promised better than was measured (more throughput, less latency).
   */
  medianOptimismPct: number;
}

/** A row's error signed so that positive is optimistic: more throughput or less time than measured. */
export function optimismPct(outcome: Pick<ValidationOutcome, 'row' | 'errorPct'>): number {
  return METRIC_KIND[outcome.row.metric] === 'throughput' ? outcome.errorPct : -outcome.errorPct;
}

export interface CrossValidationReport {
  /** Each row with its out-of-fold prediction. */
  outcomes: ValidationOutcome[];
  overall: ErrorSummary;
  byEngine: Array<{ engine: string } & ErrorSummary>;
  byMetricKind: Array<{ kind: MetricKind } & ErrorSummary>;
  byEngineAndKind: Array<{ engine: string; kind: MetricKind } & ErrorSummary>;
  /** Which engine profile x GPU pairs have rows of their own (the cards name them; data/cross-validation.json). */
  byEngineAndGpu: Array<{ engine: string; gpu: string } & ErrorSummary>;
  /** By tensor-parallel degree, every engine together (where the figures lean as the group grows). */
  byTensorParallel: Array<{ tp: number } & ErrorSummary>;
  /** The calibration rows predicted by the fit that saw them (labelled in-sample). */
  inSampleCalibration: ErrorSummary;
  /** Groups left out one at a time (those holding calibration rows). */
  folds: string[];
}

export interface CrossValidationOptions {
  /** The group a row is left out with (default: setupGrouping). */
  group?: (row: ValidationRow) => string;
  /**
   * Fits a calibration to the training rows it is given; the table is used only to predict
   * `predicted` (default: fitCalibration, which then fits only the engine profiles those rows use).
   */
  fit?: (rows: readonly ValidationRow[], predicted: readonly ValidationRow[]) => CalibrationTable;
  /**
   * Called before each fit with the groups it leaves out (progress): one group per fold,
   * then, for the last fit, every group that holds no calibration rows.
   */
  onFold?: (left: readonly string[], index: number, count: number) => void;
}

export const sourceOf = (row: ValidationRow): string => row.url;

/**
 * The headline grouping: one engine build, i.e. one setup (model, GPU, precision, TP degree) of
 * one source (the table of one engine version) of one engine profile. A build's rows share the
 * engine version, the benchmark script and the machine, which is what an engine profile
 * captures, so they are held out together; what a held-out build tests is how well the profile
 * predicts a model, GPU or TP degree it was not fitted on, which is the question a user asks it.
 * The same setup in another version's table (TensorRT-LLM 0.5, 0.6.1 and 0.9.0 under one
 * profile) is another build, measured again, and stays in the fit.
 */
export function setupGrouping(row: ValidationRow): string {
  return `${row.engineProfile} | ${row.url} | ${row.model} ${row.gpu} ${row.precision} tp${row.tp}`;
}

export function crossValidate(rows: readonly ValidationRow[], options: CrossValidationOptions = {}): CrossValidationReport {
  // Each row's group, worked out once (folds filter the rows by it many times).
  const groups = new Map(rows.map((r) => [r, (options.group ?? setupGrouping)(r)]));
  const group = (row: ValidationRow) => groups.get(row)!;
  // Folds that leave out one engine's rows reuse the stages of the fit those rows never reach.
  const cache: FitCache = new Map();
  const fit =
    options.fit ??
    ((training: readonly ValidationRow[], predicted: readonly ValidationRow[]) =>
      fitCalibration(training, BUNDLED_CALIBRATION, { cache, engines: new Set(predicted.map((r) => r.engineProfile)) }).table);
  const folds = [...new Set(rows.filter((r) => r.role === 'calibration').map(group))].sort();
  const predicted = new Map<ValidationRow, number>();
  const rest = rows.filter((r) => !folds.includes(group(r)));
  const restGroups = [...new Set(rest.map(group))].sort();
  const fits = folds.length + (rest.length > 0 ? 1 : 0);
  folds.forEach((held, index) => {
    options.onFold?.([held], index, fits);
    const training = rows.filter((r) => group(r) !== held);
    // The fit is handed the other groups' rows only; nothing of the held-out group reaches it.
    if (training.some((r) => group(r) === held)) throw new Error(`fold ${held}: a held-out row reached the fit`);
    const heldRows = rows.filter((r) => group(r) === held);
    const table = fit(training, heldRows);
    for (const row of heldRows) predicted.set(row, predictRow(row, table));
  });
  if (rest.length > 0) {
    // Groups without calibration rows: fitted on every other group, which is all the
    // calibration there is; their own rows are not handed to the fit either.
    if (rest.some((r) => r.role === 'calibration')) throw new Error('a calibration row was left without a fold');
    options.onFold?.(restGroups, folds.length, fits);
    const table = folds.length > 0 ? fit(rows.filter((r) => folds.includes(group(r))), rest) : BUNDLED_CALIBRATION;
    for (const row of rest) predicted.set(row, predictRow(row, table));
  }
  const outcomes = rows.map((row) => {
    const value = predicted.get(row)!;
    return { row, predicted: value, errorPct: ((value - row.measured) / row.measured) * 100 };
  });
  const inSample = rows
    .filter((r) => r.role === 'calibration')
    .map((row) => {
      const value = predictRow(row);
      return { row, predicted: value, errorPct: ((value - row.measured) / row.measured) * 100 };
    });
  return {
    outcomes,
    overall: summarizeErrors(outcomes),
    byEngine: groupSummaries(outcomes, (o) => o.row.engineProfile).map(([engine, s]) => ({ engine, ...s })),
    byMetricKind: groupSummaries(outcomes, (o) => METRIC_KIND[o.row.metric]).map(([kind, s]) => ({ kind: kind as MetricKind, ...s })),
    byEngineAndKind: groupSummaries(outcomes, (o) => `${o.row.engineProfile}\u0000${METRIC_KIND[o.row.metric]}`).map(([key, s]) => {
      const [engine, kind] = key.split('\u0000') as [string, MetricKind];
      return { engine, kind, ...s };
    }),
    byEngineAndGpu: groupSummaries(outcomes, (o) => `${o.row.engineProfile}\u0000${o.row.gpu}`).map(([key, s]) => {
      const [engine, gpu] = key.split('\u0000') as [string, string];
      return { engine, gpu, ...s };
    }),
    // Zero-padded keys so the groups sort by TP degree (groupSummaries sorts its keys as strings).
    byTensorParallel: groupSummaries(outcomes, (o) => String(o.row.tp).padStart(4, '0')).map(([tp, s]) => ({ tp: Number(tp), ...s })),
    inSampleCalibration: summarizeErrors(inSample),
    folds,
  };
}

export function summarizeErrors(outcomes: readonly ValidationOutcome[]): ErrorSummary {
  const abs = outcomes.map((o) => Math.abs(o.errorPct));
  if (abs.length === 0) return { rows: 0, medianAbsErrorPct: Number.NaN, maxAbsErrorPct: Number.NaN, medianOptimismPct: Number.NaN };
  return { rows: abs.length, medianAbsErrorPct: median(abs), maxAbsErrorPct: Math.max(...abs), medianOptimismPct: median(outcomes.map(optimismPct)) };
}

function groupSummaries(outcomes: readonly ValidationOutcome[], key: (o: ValidationOutcome) => string): Array<[string, ErrorSummary]> {
  const groups = new Map<string, ValidationOutcome[]>();
  for (const o of outcomes) {
    const k = key(o);
    const list = groups.get(k) ?? [];
    list.push(o);
    groups.set(k, list);
  }
  return [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, list]) => [k, summarizeErrors(list)]);
}

/** How the headline figure holds rows out, in words. */
export const GROUPING_LABEL = 'leave one engine build (an engine profile\'s model, GPU, precision and TP in one source) out';

/** Plain-text summary: overall, per engine and metric kind, per metric kind, per TP degree. */
export function formatCrossValidation(report: CrossValidationReport, options: { grouping?: string } = {}): string {
  const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)}%` : '-');
  const lean = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}%` : '-');
  const lines = [
    `Cross-validated (${options.grouping ?? GROUPING_LABEL}, ${report.folds.length} folds): ${report.overall.rows} rows, median |error| ${pct(report.overall.medianAbsErrorPct)}, max ${pct(report.overall.maxAbsErrorPct)}.`,
    `In-sample, for comparison: the ${report.inSampleCalibration.rows} calibration rows against the fit that saw them, median ${pct(report.inSampleCalibration.medianAbsErrorPct)}.`,
    '',
    'Lean: the median error signed so that + is optimistic (more throughput, less latency than measured).',
    '',
    '| engine profile | metric | rows | median |error| | max |error| | lean |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const g of report.byEngineAndKind) lines.push(`| ${g.engine} | ${g.kind} | ${g.rows} | ${pct(g.medianAbsErrorPct)} | ${pct(g.maxAbsErrorPct)} | ${lean(g.medianOptimismPct)} |`);
  lines.push('', '| metric kind | rows | median |error| | max |error| | lean |', '|---|---:|---:|---:|---:|');
  for (const g of report.byMetricKind) lines.push(`| ${g.kind} | ${g.rows} | ${pct(g.medianAbsErrorPct)} | ${pct(g.maxAbsErrorPct)} | ${lean(g.medianOptimismPct)} |`);
  lines.push('', '| TP degree | rows | median |error| | max |error| | lean |', '|---:|---:|---:|---:|---:|');
  for (const g of report.byTensorParallel) lines.push(`| ${g.tp} | ${g.rows} | ${pct(g.medianAbsErrorPct)} | ${pct(g.maxAbsErrorPct)} | ${lean(g.medianOptimismPct)} |`);
  return lines.join('\n');
}
