/**
 * Keys a Budget Panel text field keeps from the workbench.
 *
 * A VS Code webview forwards every keydown to the workbench ("did-keydown"), which runs
 * it through its keybindings as if it happened wherever the workbench thinks focus is.
 * It learns that a webview has focus by polling every 250 ms (webview/browser/pre/
 * index.html, trackFocus). So for up to 250 ms after a click into a panel field, Ctrl+A,
 * Backspace or Ctrl+Z typed into the field also run in the text editor that had focus:
 * its prompt is selected, edited or undone. Keys that edit text stay in the field;
 * the rest (F1, Ctrl+P, Ctrl+S, Escape, Tab, ...) still reach the workbench.
 */

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

// Keys that move or delete within a field, alone or with Ctrl/Cmd (word-wise).
const EDITING_KEYS = new Set(['Backspace', 'Delete', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'Enter']);
// Ctrl/Cmd + these edit the field: select all, undo, redo (Cmd+Shift+Z too).
const EDITING_SHORTCUTS = new Set(['a', 'z', 'y']);

export function keyStaysInField(e: KeyLike): boolean {
  const command = e.ctrlKey || e.metaKey;
  if (e.altKey) return false;
  if (EDITING_KEYS.has(e.key)) return true;
  if (command) return EDITING_SHORTCUTS.has(e.key.toLowerCase());
  // A printable character (one code point) types into the field.
  return [...e.key].length === 1;
}
