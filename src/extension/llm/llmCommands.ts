import * as vscode from 'vscode';
import { selectModel } from '../../core/llm/select';
import { DEFAULT_LOCAL_PORTS, probeLocalServers, serverLabel } from '../../core/llm/localServers';
import { formatCount, formatPercent } from '../../core/format/numbers';
import { CommandIds } from '../commandIds';
import { isHttpUrl, isLoopbackHost } from '../../core/llm/hosts';
import { readLlmSettings, SettingKeys, updateSetting } from '../settings';
import type { LlmService } from './llmService';

/** The base URL a key command is about: the setting, or asked for when it is not set. */
async function baseUrlForKey(): Promise<string | undefined> {
  const settings = readLlmSettings();
  if (settings.baseUrl && isHttpUrl(settings.baseUrl)) return settings.baseUrl;
  return vscode.window.showInputBox({
    title: 'Prompt Capsule: API base URL',
    prompt: 'The OpenAI-compatible API the key is for (saved as promptCapsule.llm.baseUrl)',
    value: 'https://api.openai.com/v1',
    validateInput: (v) => (isHttpUrl(v.trim()) ? undefined : 'Enter an http(s) URL, e.g. https://api.openai.com/v1'),
  }).then(async (url) => {
    if (url === undefined) return undefined;
    await updateSetting(SettingKeys.llmBaseUrl, url.trim());
    return url.trim();
  });
}

export function registerLlmCommands(llm: LlmService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.setApiKey, async () => {
      const baseUrl = await baseUrlForKey();
      if (!baseUrl) return;
      const origin = llm.originOf(baseUrl);
      const key = await vscode.window.showInputBox({
        title: `Prompt Capsule: API key for ${origin}`,
        prompt: 'Kept in VS Code\'s secret storage, sent only to this server. Leave empty to cancel.',
        password: true,
        ignoreFocusOut: true,
      });
      if (!key) return;
      await llm.setApiKey(baseUrl, key.trim());
      void vscode.window.showInformationMessage(`Prompt Capsule: API key saved for ${origin}.`);
    }),

    vscode.commands.registerCommand(CommandIds.clearApiKey, async () => {
      const settings = readLlmSettings();
      if (!settings.baseUrl || !isHttpUrl(settings.baseUrl)) {
        void vscode.window.showInformationMessage('Prompt Capsule: no LLM endpoint is set, so there is no key to clear.');
        return;
      }
      await llm.clearApiKey(settings.baseUrl);
      void vscode.window.showInformationMessage(`Prompt Capsule: API key for ${llm.originOf(settings.baseUrl)} removed.`);
    }),

    vscode.commands.registerCommand(CommandIds.clearLlmCache, async () => {
      const n = await llm.clearCache();
      void vscode.window.showInformationMessage(`Prompt Capsule: ${n} cached capsule${n === 1 ? '' : 's'} removed.`);
    }),

    vscode.commands.registerCommand(CommandIds.useLocalModelServer, async () => {
      const ports = [...DEFAULT_LOCAL_PORTS, ...readLlmSettings().localPorts];
      const servers = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Looking for model servers on ports ${ports.join(', ')} of 127.0.0.1…`, cancellable: true },
        (_progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return probeLocalServers(ports, 1500, controller.signal);
        },
      );
      log.info(`local model servers: ${servers.map((s) => `${s.baseUrl} (${s.models.length} models)`).join(', ') || 'none'}`);
      type Item = vscode.QuickPickItem & { baseUrl?: string; model?: string };
      const items: Item[] = servers.flatMap((server) => [
        { label: `${serverLabel(server.port)} at ${server.baseUrl}`, kind: vscode.QuickPickItemKind.Separator },
        ...server.models.map((model) => ({ label: model, description: server.baseUrl, baseUrl: server.baseUrl, model })),
      ]);
      if (items.length === 0) {
        const open = 'Open Settings';
        const choice = await vscode.window.showInformationMessage(
          `Prompt Capsule: no OpenAI-compatible server answered on ports ${ports.join(', ')} of 127.0.0.1. Start Ollama, LM Studio, vLLM or llama.cpp server, or add its port to promptCapsule.llm.localPorts.`,
          open,
        );
        if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'promptCapsule.llm');
        return;
      }
      const picked = await vscode.window.showQuickPick(items, { title: 'Prompt Capsule: which local model writes capsules?', placeHolder: 'Smaller models are faster; every capsule is validated either way' });
      if (!picked?.baseUrl || !picked.model) return;
      await updateSetting(SettingKeys.llmBaseUrl, picked.baseUrl);
      await updateSetting(SettingKeys.llmModel, picked.model);
      await updateSetting(SettingKeys.compressionBackend, 'llm');
      void vscode.window.showInformationMessage(`Prompt Capsule: capsules are now written by ${picked.model} at ${picked.baseUrl} (no key needed, nothing leaves this machine).`);
    }),

    vscode.commands.registerCommand(CommandIds.calibrateLocalModels, async () => {
      const settings = readLlmSettings();
      const url = settings.baseUrl ? new URL(settings.baseUrl) : undefined;
      const port = url ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : undefined;
      const servers = port && isLoopbackHost(url!.hostname) ? await probeLocalServers([port]) : [];
      if (servers.length === 0 || servers[0]!.models.length === 0) {
        void vscode.window.showInformationMessage('Prompt Capsule: calibration needs a model server on this machine; run "Capsule: Use Local Model Server" first.', 'Use Local Model Server').then((c) => {
          if (c) void vscode.commands.executeCommand(CommandIds.useLocalModelServer);
        });
        return;
      }
      const server = servers[0]!;
      const results = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Calibrating ${server.models.length} models at ${server.baseUrl} on 3 sample prompts…`, cancellable: true },
        // Stored under the configured base URL: that is what each compression looks up.
        (progress, token) => llm.calibrate(settings.baseUrl, server.models, token, (done, total) => progress.report({ message: `${done} of ${total} models`, increment: 100 / total })),
      );
      const budget = settings.latencyBudgetMs;
      const recommended = selectModel(results, 1000, budget > 0 ? budget : Number.POSITIVE_INFINITY);
      type Item = vscode.QuickPickItem & { model: string };
      const items: Item[] = results.map((r) => ({
        model: r.model,
        label: `${r.model === recommended.model ? '$(star-full) ' : ''}${r.model}`,
        description: r.error ? `failed: ${r.error}` : `${formatCount(r.msPer1kTokens)} ms per 1k tokens · ${formatPercent(r.passShare)} of candidates passed`,
        ...(r.model === recommended.model ? { detail: recommended.reason } : {}),
      }));
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Prompt Capsule: local models measured on this machine',
        placeHolder: budget > 0 ? `Each capsule picks its model within ${formatCount(budget)} ms (promptCapsule.llm.latencyBudgetMs); or pick one to always use` : 'Pick the model that writes capsules (set promptCapsule.llm.latencyBudgetMs to pick per prompt)',
      });
      if (!picked) return;
      await updateSetting(SettingKeys.llmModel, picked.model);
      void vscode.window.showInformationMessage(`Prompt Capsule: capsules are written by ${picked.model}.`);
    }),
  ];
}
