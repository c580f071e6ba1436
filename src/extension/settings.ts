import * as vscode from 'vscode';
import { USAGE_LIMITS, type UsageSettings } from '../core/protocol/panel';

export const SETTINGS_SECTION = 'promptCapsule';

export const SettingKeys = {
  activeModel: 'activeModel',
  models: 'models',
  catalogFile: 'catalogFile',
  callsPerDay: 'usage.callsPerDay',
  outputTokens: 'usage.outputTokens',
  statusBarEnabled: 'statusBar.enabled',
  compressionRate: 'compression.rate',
  compressionAskForRate: 'compression.askForRate',
} as const;

export const DEFAULT_MODEL_ID = 'gpt-4o';

export interface CapsuleSettings {
  activeModel: string;
  models: unknown[];
  catalogFile: string;
  usage: UsageSettings;
  statusBarEnabled: boolean;
  /** Settings that had the wrong type and were replaced by defaults, for one warning. */
  problems: string[];
}

function numberSetting(config: vscode.WorkspaceConfiguration, key: string, fallback: number, limits: { min: number; max: number }, problems: string[]): number {
  const value = config.get<unknown>(key, fallback);
  if (typeof value === 'number' && Number.isFinite(value) && value >= limits.min && value <= limits.max) return value;
  problems.push(`${SETTINGS_SECTION}.${key} must be a number between ${limits.min} and ${limits.max}`);
  return fallback;
}

/** Reads settings defensively: a hand-edited settings.json may hold anything. */
export function readSettings(): CapsuleSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const problems: string[] = [];
  const activeModel = config.get<unknown>(SettingKeys.activeModel, DEFAULT_MODEL_ID);
  const models = config.get<unknown>(SettingKeys.models, []);
  const catalogFile = config.get<unknown>(SettingKeys.catalogFile, '');
  if (typeof activeModel !== 'string') problems.push(`${SETTINGS_SECTION}.${SettingKeys.activeModel} must be a model id`);
  if (!Array.isArray(models)) problems.push(`${SETTINGS_SECTION}.${SettingKeys.models} must be an array of model rows`);
  if (typeof catalogFile !== 'string') problems.push(`${SETTINGS_SECTION}.${SettingKeys.catalogFile} must be a file path`);
  return {
    activeModel: typeof activeModel === 'string' && activeModel ? activeModel : DEFAULT_MODEL_ID,
    models: Array.isArray(models) ? models : [],
    catalogFile: typeof catalogFile === 'string' ? catalogFile.trim() : '',
    usage: {
      callsPerDay: numberSetting(config, SettingKeys.callsPerDay, 1000, USAGE_LIMITS.callsPerDay, problems),
      outputTokens: Math.round(numberSetting(config, SettingKeys.outputTokens, 500, USAGE_LIMITS.outputTokens, problems)),
    },
    statusBarEnabled: config.get<unknown>(SettingKeys.statusBarEnabled, true) !== false,
    problems,
  };
}

export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

export interface CompressionSettings {
  rate: number;
  askForRate: boolean;
}

export function readCompressionSettings(): CompressionSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const rate = config.get<unknown>(SettingKeys.compressionRate, 0.5);
  return {
    rate: typeof rate === 'number' && Number.isFinite(rate) && rate >= 0.05 && rate <= 1 ? rate : 0.5,
    askForRate: config.get<unknown>(SettingKeys.compressionAskForRate, true) !== false,
  };
}
