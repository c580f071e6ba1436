/** Every command the extension contributes. package.json must list exactly these (a test checks). */
export const CommandIds = {
  countTokens: 'promptCapsule.countTokens',
  selectModel: 'promptCapsule.selectModel',
  openBudgetPanel: 'promptCapsule.openBudgetPanel',
  showLog: 'promptCapsule.showLog',
  compressSelection: 'promptCapsule.compressSelection',
  compressFile: 'promptCapsule.compressFile',
  applyCapsule: 'promptCapsule.applyCapsule',
  discardCapsule: 'promptCapsule.discardCapsule',
  setApiKey: 'promptCapsule.setApiKey',
  clearApiKey: 'promptCapsule.clearApiKey',
  clearLlmCache: 'promptCapsule.clearLlmCache',
  useLocalModelServer: 'promptCapsule.useLocalModelServer',
  calibrateLocalModels: 'promptCapsule.calibrateLocalModels',
  probeCapsule: 'promptCapsule.probeCapsule',
  chooseLocalSubModel: 'promptCapsule.chooseLocalSubModel',
  planModelBudget: 'promptCapsule.planModelBudget',
  splitPrompts: 'promptCapsule.splitPrompts',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const STATUS_BAR_ITEM_ID = 'promptCapsule.tokens';
