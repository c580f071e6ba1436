// The --vscode-* variables VS Code sets on a webview's <html> for three built-in themes
// (a subset: what the panel's CSS, the toolkit and the charts read), and the body class.
const common = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '14px',
};

export const THEMES = {
  // Dark Modern
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      foreground: '#cccccc', descriptionForeground: '#9d9d9d', 'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc',
      'panel-border': '#2b2b2b', 'widget-border': '#313131', focusBorder: '#0078d4', errorForeground: '#f85149',
      'editorWarning-foreground': '#cca700', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-border': '#ffffff12',
      'button-hoverBackground': '#026ec1', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
      'button-secondaryHoverBackground': '#3c3c3c', 'input-background': '#313131', 'input-border': '#3c3c3c', 'input-foreground': '#cccccc',
      'input-placeholderForeground': '#989898', 'settings-textInputBackground': '#313131', 'settings-textInputForeground': '#cccccc',
      'settings-dropdownBackground': '#313131', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownListBorder': '#454545',
      'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
      'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'list-activeSelectionBackground': '#04395e',
      'list-activeSelectionForeground': '#ffffff', 'list-hoverBackground': '#2a2d2e', 'list-inactiveSelectionBackground': '#37373d',
      'progressBar-background': '#0078d4', 'textLink-foreground': '#4daafc', 'textBlockQuote-background': '#2b2b2b',
      'editorHoverWidget-background': '#202020', 'editorHoverWidget-foreground': '#cccccc', 'editorHoverWidget-border': '#454545',
      'scrollbar-shadow': '#000000', 'widget-shadow': 'rgba(0, 0, 0, 0.36)', 'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
      'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff',
      'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    },
  },
  // Light Modern
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      foreground: '#3b3b3b', descriptionForeground: '#3b3b3b', 'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b',
      'panel-border': '#e5e5e5', 'widget-border': '#e5e5e5', focusBorder: '#005fb8', errorForeground: '#f85149',
      'editorWarning-foreground': '#bf8803', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-border': '#0000001a',
      'button-hoverBackground': '#0258a8', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
      'button-secondaryHoverBackground': '#cccccc', 'input-background': '#ffffff', 'input-border': '#cecece', 'input-foreground': '#3b3b3b',
      'input-placeholderForeground': '#767676', 'settings-textInputBackground': '#ffffff', 'settings-textInputForeground': '#3b3b3b',
      'settings-dropdownBackground': '#ffffff', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownBorder': '#cecece', 'settings-dropdownListBorder': '#c8c8c8',
      'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
      'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'list-activeSelectionBackground': '#e8e8e8',
      'list-activeSelectionForeground': '#000000', 'list-hoverBackground': '#f2f2f2', 'list-inactiveSelectionBackground': '#e4e6f1',
      'progressBar-background': '#005fb8', 'textLink-foreground': '#005fb8', 'textBlockQuote-background': '#f8f8f8',
      'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-foreground': '#3b3b3b', 'editorHoverWidget-border': '#c8c8c8',
      'scrollbar-shadow': '#dddddd', 'widget-shadow': 'rgba(0, 0, 0, 0.16)', 'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
      'charts-foreground': '#3b3b3b', 'charts-lines': 'rgba(59, 59, 59, 0.5)', 'charts-red': '#e51400', 'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
    },
  },
  // Dark High Contrast
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      ...common,
      foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', 'editor-background': '#000000', 'editor-foreground': '#ffffff',
      'panel-border': '#6fc3df', 'widget-border': '#6fc3df', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', focusBorder: '#f38518',
      errorForeground: '#f48771', 'editorWarning-foreground': '#ffd370', 'button-background': '#000000', 'button-foreground': '#ffffff',
      'button-border': '#6fc3df', 'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'input-background': '#000000',
      'input-border': '#6fc3df', 'input-foreground': '#ffffff', 'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff',
      'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownBorder': '#6fc3df', 'settings-dropdownListBorder': '#6fc3df',
      'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#f48771',
      'badge-background': '#000000', 'badge-foreground': '#ffffff', 'list-activeSelectionBackground': '#000000', 'list-hoverBackground': '#000000',
      'progressBar-background': '#6fc3df', 'textLink-foreground': '#21a6ff', 'textBlockQuote-background': '#000000',
      'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-foreground': '#ffffff', 'editorHoverWidget-border': '#6fc3df',
      'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)', 'charts-red': '#f48771', 'charts-blue': '#3794ff',
      'charts-yellow': '#ffd370', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    },
  },
};

/** The style attribute VS Code puts on <html>: every variable, as --vscode-name: value. */
export function themeStyle(theme) {
  return Object.entries(THEMES[theme].vars)
    .map(([k, v]) => `--vscode-${k.replace(/\./g, '-')}: ${v};`)
    .join(' ');
}
