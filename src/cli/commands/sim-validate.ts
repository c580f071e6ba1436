import { parseArgs, booleanFlag } from '../args';
import { CliCommand, UsageError } from '../command';
import { fitCalibration } from '../../core/sim/calibrate';
import { crossValidate, formatCrossValidation } from '../../core/sim/crossValidate';
import { VALIDATION_ROWS, formatValidationReport, runValidation } from '../../core/sim/validation';

export const simValidateCommand: CliCommand = {
  name: 'sim-validate',
  summary: "compare the serving simulator's predictions with published measurements",
  usage: `capsule sim-validate [--json] [--fit | --cv]

Predicts every row of the bundled validation set (TensorRT-LLM, NIM, vLLM and DistServe
published figures; each row names its source) and prints the error per row and the median.
--fit refits the efficiency profiles to the role=calibration rows (takes ~20 s) and prints
the fitted calibration table and the validation it gives.
--cv cross-validates: each source's rows are predicted by a fit that never saw that source
(leave one source out; about a minute), with the error per engine profile and metric kind.
That is the error to quote; the plain run's calibration rows are in-sample.`,
  async run(argv, io) {
    const args = parseArgs(argv, { json: { kind: 'boolean' }, fit: { kind: 'boolean' }, cv: { kind: 'boolean' } });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    if (booleanFlag(args, 'cv')) {
      if (booleanFlag(args, 'fit')) throw new UsageError('--cv and --fit do not go together: --cv refits once per source');
      const cv = crossValidate(VALIDATION_ROWS, { onFold: (left, k, n) => io.stderr.write(`fit ${k + 1}/${n}: leaving out ${left.length === 1 ? left[0] : `the ${left.length} sources without calibration rows`}\n`) });
      if (booleanFlag(args, 'json')) {
        const rows = cv.outcomes.map((o) => ({ id: o.row.id, engine: o.row.engineProfile, metric: o.row.metric, measured: o.row.measured, predicted: o.predicted, errorPct: o.errorPct, source: o.row.url }));
        const { overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds } = cv;
        io.stdout.write(`${JSON.stringify({ overall, byEngine, byMetricKind, byEngineAndKind, inSampleCalibration, folds, rows }, null, 2)}\n`);
      } else io.stdout.write(`${formatCrossValidation(cv)}\n`);
      return 0;
    }
    const fit = booleanFlag(args, 'fit') ? fitCalibration(VALIDATION_ROWS) : null;
    const report = runValidation(VALIDATION_ROWS, fit?.table);
    if (booleanFlag(args, 'json')) {
      const rows = report.outcomes.map((o) => ({ id: o.row.id, role: o.row.role, metric: o.row.metric, measured: o.row.measured, predicted: o.predicted, errorPct: o.errorPct, source: o.row.url }));
      const summary = {
        count: report.count,
        medianAbsErrorPct: report.medianAbsErrorPct,
        maxAbsErrorPct: report.maxAbsErrorPct,
        calibrationMedianAbsErrorPct: report.calibrationMedianAbsErrorPct,
        holdoutMedianAbsErrorPct: report.holdoutMedianAbsErrorPct,
        holdoutMaxAbsErrorPct: report.holdoutMaxAbsErrorPct,
      };
      io.stdout.write(`${JSON.stringify({ ...summary, rows, ...(fit ? { fit: { table: fit.table, rmsLogError: fit.rmsLogError } } : {}) }, null, 2)}\n`);
    } else {
      if (fit) io.stdout.write(`fitted calibration (rms log error ${fit.rmsLogError.toFixed(4)} on ${fit.rows} rows):\n${JSON.stringify({ profiles: fit.table.profiles, engines: fit.table.engines }, null, 2)}\n\n`);
      io.stdout.write(`${formatValidationReport(report)}\n`);
    }
    return 0;
  },
};
