import { formatPercent } from '../../core/format/numbers';
import { ModelPackageError, ProviderUnavailableError } from '../../core/onnx/errors';
import { localModelInfo } from '../../core/onnx/service';
import { booleanFlag, parseArgs } from '../args';
import { UsageError, type CliCommand } from '../command';
import { LOCAL_MODEL_FLAGS, readLocalModelRequest } from '../localModelFlags';
import { renderTable } from '../table';

const USAGE = `usage: capsule model-info [--model-dir DIR] [--provider auto|cpu|webgpu|cuda] [--calibrate | --recalibrate] [--json]

Describes a local model package (the bundled one unless --model-dir): its manifest, each
depth with its quality relative to the full model, and this machine's calibration (time
per 1k model tokens for each depth and precision), when one is cached.
  --calibrate         time every depth x precision now if no calibration is cached (seconds)
  --recalibrate       time them again even if one is cached
  --json              print {"manifest", "provider", "providerNote", "depths", "calibration"}`;

export const modelInfoCommand: CliCommand = {
  name: 'model-info',
  summary: 'describe a local model package: depths, quality, calibration',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, { 'model-dir': LOCAL_MODEL_FLAGS['model-dir']!, provider: LOCAL_MODEL_FLAGS['provider']!, calibrate: { kind: 'boolean' }, recalibrate: { kind: 'boolean' }, json: { kind: 'boolean' } });
    if (args.positionals.length > 0) throw new UsageError('model-info takes no FILE');
    const request = readLocalModelRequest(args, io);
    let info;
    try {
      info = await localModelInfo(request, { calibrate: booleanFlag(args, 'calibrate'), recalibrate: booleanFlag(args, 'recalibrate') });
    } catch (error) {
      if (!(error instanceof ModelPackageError || error instanceof ProviderUnavailableError)) throw error;
      io.stderr.write(`capsule model-info: ${error instanceof ModelPackageError ? `bad model package: ${error.message}` : error.message}\n`);
      return 1;
    }
    if (booleanFlag(args, 'json')) {
      io.stdout.write(JSON.stringify(info) + '\n');
      return 0;
    }
    const { manifest } = info;
    io.stdout.write(`${manifest.id} (${manifest.kind}), ${info.directory}\n${manifest.description ?? ''}\nprovider: ${info.providerNote}\n\n`);
    io.stdout.write(
      renderTable(info.depths, [
        { header: 'depth', value: (d) => String(d.depth), align: 'right' },
        ...info.precisions.flatMap((p) => [
          { header: `quality ${p}`, value: (d: (typeof info.depths)[number]) => (d.quality[p] === undefined ? '-' : formatPercent(d.quality[p]!)), align: 'right' as const },
          { header: `ms/1k tokens ${p}`, value: (d: (typeof info.depths)[number]) => (d.msPer1kTokens[p] === undefined ? '-' : d.msPer1kTokens[p]!.toFixed(1)), align: 'right' as const },
        ]),
      ]),
    );
    if (manifest.qualityMeasuredOn) io.stdout.write(`\nquality: ${manifest.qualityMeasuredOn}\n`);
    io.stdout.write(info.calibration ? `calibrated ${info.calibration.measuredAt} on ${info.calibration.machine}\n` : "not calibrated on this machine yet: run 'capsule model-info --calibrate'\n");
    return 0;
  },
};
