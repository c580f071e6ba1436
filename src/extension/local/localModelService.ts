import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompressOptions } from '../../core/capsule/types';
import { BUNDLED_MODEL_ID } from '../../core/onnx/bundled';
import type { LocalCapsuleResult, LocalModelInfo, LocalModelRequest, LocalRunInfo } from '../../core/onnx/service';
import { readLocalModelSettings, type LocalModelSettings } from '../settings';
import type { Workers } from '../workers';

/** The model folder may not be used: it lies in a workspace the user has not trusted. */
export class LocalModelNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalModelNotAllowedError';
  }
}

/**
 * The local (onnx) backend in VS Code: which model folder may load (the bundled one, the
 * user's setting, or one inside a trusted workspace), the settings the selector reads, the
 * calibration cache in global storage, and the last run (for the status bar tooltip).
 */
export class LocalModelService implements vscode.Disposable {
  private readonly ran = new vscode.EventEmitter<LocalRunInfo>();
  readonly onDidRun = this.ran.event;
  private last: LocalRunInfo | undefined;

  private readonly listener: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storageUri: vscode.Uri,
    private readonly workers: Workers,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Another folder or provider: the worker lets go of the sessions it holds.
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('promptCapsule.localModel.folder') && !e.affectsConfiguration('promptCapsule.localModel.provider')) return;
      this.last = undefined;
      this.workers.heavy.run('closeLocalModels', {}).catch((error: Error) => this.log.warn(`could not release the local model: ${error.message}`));
    });
  }

  get lastRun(): LocalRunInfo | undefined {
    return this.last;
  }

  settings(): LocalModelSettings {
    return readLocalModelSettings();
  }

  /** "bundled capsule-soft", or the folder's name. */
  describe(settings = this.settings()): string {
    return settings.folder ? `${path.basename(settings.folder)} (from promptCapsule.localModel.folder)` : `bundled ${BUNDLED_MODEL_ID}`;
  }

  /** What the worker needs; throws LocalModelNotAllowedError for a folder in an untrusted workspace. */
  request(options: { selector?: boolean } = {}): LocalModelRequest {
    const settings = this.settings();
    for (const problem of settings.problems) this.log.warn(`setting ignored: ${problem}`);
    const folder = settings.folder ? this.resolveFolder(settings.folder) : vscode.Uri.joinPath(this.extensionUri, 'media', 'models', BUNDLED_MODEL_ID).fsPath;
    const useSelector = options.selector === true;
    return {
      modelDir: folder,
      provider: settings.provider,
      calibrationFile: vscode.Uri.joinPath(this.storageUri, 'local-model-calibration.json').fsPath,
      ...(!useSelector && settings.depth > 0 ? { depth: settings.depth } : {}),
      ...(!useSelector && settings.precision !== 'auto' ? { precision: settings.precision } : {}),
      ...(settings.qualityFloor > 0 ? { qualityFloor: settings.qualityFloor } : { latencyBudgetMs: settings.latencyBudgetMs }),
    };
  }

  private resolveFolder(folder: string): string {
    const first = vscode.workspace.workspaceFolders?.[0];
    const absolute = path.isAbsolute(folder) ? folder : first ? path.join(first.uri.fsPath, folder) : folder;
    // VS Code ignores a workspace's value of this (restricted) setting while the workspace is
    // untrusted; a user-level path that points into the workspace is refused here too.
    if (!vscode.workspace.isTrusted) {
      const inside = (vscode.workspace.workspaceFolders ?? []).find((f) => {
        const relative = path.relative(f.uri.fsPath, absolute);
        return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
      });
      if (inside) throw new LocalModelNotAllowedError(`the model folder ${absolute} is inside the untrusted workspace ${inside.name}; trust the workspace to load models from it, or use the bundled model`);
    }
    return absolute;
  }

  async compress(text: string, options: CompressOptions, token?: vscode.CancellationToken): Promise<LocalCapsuleResult> {
    const request = this.request();
    const result = await this.workers.heavy.run('compressLocal', { text, options, request }, token);
    const local = result.local;
    this.log.info(`local model ${local.modelId}: depth ${local.depth}/${local.maxDepth} ${local.precision} on ${local.providerNote}, ${Math.round(local.modelMs)} ms for ${local.modelTokens} model tokens; ${local.selection.reason}`);
    this.last = local;
    this.ran.fire(local);
    return result;
  }

  info(options: { calibrate?: boolean; recalibrate?: boolean }, token?: vscode.CancellationToken, progress?: (done: number, total: number) => void): Promise<LocalModelInfo> {
    const request = this.request({ selector: true });
    return this.workers.heavy.run('localModelInfo', { request, ...options }, token, progress ? (p) => progress(p.done, p.total) : undefined);
  }

  dispose(): void {
    this.listener.dispose();
    this.ran.dispose();
  }
}
