import { parseArgs, booleanFlag } from '../args';
import { CliCommand, UsageError } from '../command';
import { fitCalibration } from '../../core/sim/calibrate';
import { crossValidate, formatCrossValidation } from '../../core/sim/crossValidate';
import { describeLean } from '../../core/sim/coverage';
import { crossValidateEnergy, EnergyValidation, measuredPowerW, validateEnergy } from '../../core/sim/energy';
import { VALIDATION_ROWS, formatValidationReport, runValidation } from '../../core/sim/validation';

export const simValidateCommand: CliCommand = {
  name: 'sim-validate',
  summary: "compare the serving simulator's predictions with published measurements",
  usage: `capsule sim-validate [--json] [--fit | --cv | --energy]

Predicts every row of the bundled validation set (TensorRT-LLM, NIM, vLLM, LMDeploy, SGLang
and DistServe published figures; each row names its source) and prints the error per row and
the median.
--fit refits the efficiency profiles to the role=calibration rows (about 3 minutes) and prints
the fitted calibration table and the validation it gives.
--cv cross-validates: each row is predicted by a fit that never saw its engine build (the rows
of its source with the same engine profile, model, GPU, precision and TP degree); several
minutes; with the error per engine profile and metric kind.
That is the error to quote; the plain run's calibration rows are in-sample.
--energy checks the power model against published energy per request (ML.ENERGY), with
the fitted model (in-sample) and leaving each model out of the fit (cross-validated).`,
  async run(argv, io) {
    const args = parseArgs(argv, { json: { kind: 'boolean' }, fit: { kind: 'boolean' }, cv: { kind: 'boolean' }, energy: { kind: 'boolean' } });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    if (booleanFlag(args, 'energy')) {
      const inSample = validateEnergy();
      const cv = crossValidateEnergy();
      if (booleanFlag(args, 'json')) {
        const rows = cv.outcomes.map((o, k) => ({
          id: o.row.id,
          measuredJPerRequest: o.row.measured.energyJPerRequest,
          measuredPowerW: measuredPowerW(o.row),
          predictedJPerRequest: inSample.outcomes[k]!.predictedJPerRequest,
          crossValidatedJPerRequest: o.predictedJPerRequest,
          crossValidatedErrorPct: o.errorPct,
          source: o.row.url,
        }));
        const figures = (v: EnergyValidation) => ({ medianAbsErrorPct: v.medianAbsErrorPct, maxAbsErrorPct: v.maxAbsErrorPct, medianOptimismPct: v.medianOptimismPct });
        io.stdout.write(`${JSON.stringify({ crossValidated: figures(cv), inSample: figures(inSample), rows }, null, 2)}\n`);
      } else io.stdout.write(formatEnergyValidation(inSample, cv));
      return 0;
    }
    if (booleanFlag(args, 'cv')) {
      if (booleanFlag(args, 'fit')) throw new UsageError('--cv and --fit do not go together: --cv refits once per source');
      const cv = crossValidate(VALIDATION_ROWS, { onFold: (left, k, n) => io.stderr.write(`fit ${k + 1}/${n}: leaving out ${left.length === 1 ? left[0] : `the ${left.length} sources without calibration rows`}\n`) });
      if (booleanFlag(args, 'json')) {
        const rows = cv.outcomes.map((o) => ({ id: o.row.id, engine: o.row.engineProfile, metric: o.row.metric, measured: o.row.measured, predicted: o.predicted, errorPct: o.errorPct, source: o.row.url }));
        const { overall, byEngine, byMetricKind, byEngineAndKind, byEngineAndGpu, byTensorParallel, inSampleCalibration, folds } = cv;
        io.stdout.write(`${JSON.stringify({ overall, byEngine, byMetricKind, byEngineAndKind, byEngineAndGpu, byTensorParallel, inSampleCalibration, folds, rows }, null, 2)}\n`);
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
      io.stdout.write(`${JSON.stringify({ ...summary, rows, ...(fit ? { fit: { table: fit.table, rmsLogError: fit.rmsLogError, rows: fit.rows, evaluations: fit.evaluations } } : {}) }, null, 2)}\n`);
    } else {
      if (fit) io.stdout.write(`fitted calibration (rms log error ${fit.rmsLogError.toFixed(4)} on ${fit.rows} rows):\n${JSON.stringify({ profiles: fit.table.profiles, engines: fit.table.engines }, null, 2)}\n\n`);
      io.stdout.write(`${formatValidationReport(report)}\n`);
    }
    return 0;
  },
};

function formatEnergyValidation(inSample: EnergyValidation, cv: EnergyValidation): string {
  const lines = ['| row | measured J/request | W per GPU | predicted J (fit) | cross-validated J | error |', '|---|---:|---:|---:|---:|---:|'];
  cv.outcomes.forEach((o, k) => {
    const sign = o.errorPct >= 0 ? '+' : '';
    lines.push(`| ${o.row.id} | ${o.row.measured.energyJPerRequest.toFixed(0)} | ${measuredPowerW(o.row).toFixed(0)} | ${inSample.outcomes[k]!.predictedJPerRequest.toFixed(0)} | ${o.predictedJPerRequest.toFixed(0)} | ${sign}${o.errorPct.toFixed(1)}% |`);
  });
  lines.push(
    '',
    `Energy per request, ${cv.outcomes.length} published rows: cross-validated (each model left out of the power fit) median |error| ${cv.medianAbsErrorPct.toFixed(1)}%, max ${cv.maxAbsErrorPct.toFixed(1)}%, ${describeLean(cv.medianOptimismPct)}, where optimistic is less energy than measured; in-sample ${inSample.medianAbsErrorPct.toFixed(1)}%, max ${inSample.maxAbsErrorPct.toFixed(1)}%.`,
  );
  return `${lines.join('\n')}\n`;
}
