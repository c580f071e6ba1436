import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { e2eConfig, EXTENSION_ID, type E2eConfig } from './config';
import { createWorkspace } from './fixtures';
import chromiumArgs from './chromium-args.json';
import { waitFor } from './waitFor';

type WorkspaceBody = (workbench: Workbench, folder: string) => Promise<void>;

const CHROMIUM_ARGS: string[] = chromiumArgs.args;

// The workbench needs ~5-7 s to load on this machine; UI reactions well under a second.
const WORKBENCH_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 20_000;

/** One browser tab on code-server's VS Code, opened on a workspace folder. */
export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly config: E2eConfig,
    /** The page's console output (and uncaught errors), kept for a failure report. */
    private readonly consoleLines: string[],
  ) {}

  /** Records what the page logs, from before its first navigation. */
  private static recordConsole(page: Page, lines: string[]): void {
    const at = (): string => new Date().toISOString().slice(11, 23);
    page.on('console', (message) => lines.push(`${at()} [${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => lines.push(`${at()} [pageerror] ${error.message}`));
    page.on('load', () => lines.push(`${at()} [load] ${page.url()}`));
  }

  static async open(folder: string): Promise<Workbench> {
    const config = e2eConfig();
    const browser = await chromium.launch({ executablePath: config.chromiumPath, headless: true, args: CHROMIUM_ARGS, timeout: WORKBENCH_TIMEOUT_MS });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      const consoleLines: string[] = [];
      Workbench.recordConsole(page, consoleLines);
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      await page.goto(`${config.baseUrl}?folder=${encodeURIComponent(folder)}`, { timeout: WORKBENCH_TIMEOUT_MS });
      await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
      // The explorer listing the folder means the remote file system is connected.
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
      return new Workbench(browser, page, config, consoleLines);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Opens a workspace, runs `body`, saves a screenshot if it fails, always closes. */
  static async with(folder: string, name: string, body: (workbench: Workbench) => Promise<void>): Promise<void> {
    const workbench = await Workbench.open(folder);
    try {
      await body(workbench);
    } catch (error) {
      await workbench.screenshot(`failed-${name}.png`).catch(() => {});
      workbench.saveConsole(`failed-${name}-console.log`);
      throw error;
    } finally {
      await workbench.close();
    }
  }

  /**
   * A fresh workspace folder (see createWorkspace) opened in a workbench for `body`; the
   * folder is deleted afterwards, whatever happens. A failure saves `failed-<label>.png`.
   */
  static async inNewWorkspace(label: string, body: WorkspaceBody): Promise<void>;
  static async inNewWorkspace(label: string, files: Record<string, string | Buffer>, body: WorkspaceBody): Promise<void>;
  static async inNewWorkspace(label: string, filesOrBody: Record<string, string | Buffer> | WorkspaceBody, maybeBody?: WorkspaceBody): Promise<void> {
    const files = typeof filesOrBody === 'function' ? undefined : filesOrBody;
    const body = typeof filesOrBody === 'function' ? filesOrBody : maybeBody!;
    const folder = createWorkspace(label, files);
    try {
      await Workbench.with(folder, label, (workbench) => body(workbench, folder));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Writes the page's console output so far next to the screenshots. */
  saveConsole(fileName: string): void {
    mkdirSync(this.config.screenshotDir, { recursive: true });
    writeFileSync(path.join(this.config.screenshotDir, fileName), this.consoleLines.join('\n') + '\n');
  }

  async screenshot(fileName: string): Promise<string> {
    mkdirSync(this.config.screenshotDir, { recursive: true });
    const file = path.join(this.config.screenshotDir, fileName);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A screenshot of one element (e.g. a card inside the webview), scrolled into view. */
  async screenshotOf(element: Locator, fileName: string): Promise<string> {
    mkdirSync(this.config.screenshotDir, { recursive: true });
    const file = path.join(this.config.screenshotDir, fileName);
    await element.screenshot({ path: file });
    return file;
  }

  private get quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Runs a command from the command palette (F1), by its "Category: Title" label. */
  /**
   * Runs a command from the palette and waits until the palette has handed it over: closed,
   * or, for a command that asks with its own quick pick or input box (`asks`), showing no
   * longer the command's row. Such a command reuses the palette's widget, which may then never
   * be seen hidden; the caller waits for what the command shows.
   */
  async runCommand(label: string, options: { asks?: boolean } = {}): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(`>${label}`);
    await this.quickInputRow(label).click();
    if (options.asks) await this.quickInputRow(label).waitFor({ state: 'hidden' });
    else await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** Rows of the open quick input (command palette, quick open, quick pick). */
  quickInputRow(text: string): Locator {
    return this.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and focuses its editor. */
  async openFile(fileName: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill(fileName);
    // The row of the file itself: its label is exactly the name. Recently opened editors
    // are listed too, and a capsule diff's label starts with the same name.
    const exact = new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await this.page
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exact }) })
      .first()
      .click();
    await this.quickInput.waitFor({ state: 'hidden' });
    await this.page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor();
    await this.focusEditor();
  }

  /** The editor of the active editor group. */
  get editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  async focusEditor(): Promise<void> {
    await this.editor.locator('.view-lines').click();
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').waitFor();
  }

  async selectAll(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
  }

  /** Selects the first line of the document (without its line break). */
  async selectFirstLine(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Home');
    await this.page.keyboard.press('Shift+End');
  }

  /**
   * Right-clicks the start of the editor line showing `lineText` and picks `label`
   * from the context menu. A right-click inside the selection keeps the selection.
   */
  async runEditorContextMenu(lineText: string, label: string): Promise<void> {
    const line = this.editor.locator('.view-line', { hasText: lineText }).first();
    // Monaco re-renders its lines at will: re-resolve the element until it has a box.
    const box = await waitFor(`the editor line "${lineText}" to be laid out`, () => line.boundingBox({ timeout: 1000 }), (b) => b !== null);
    if (!box) throw new Error(`editor line "${lineText}" has no layout box`);
    // Mouse coordinates rather than an element click: the selection and cursor layers lie over the text.
    await this.page.mouse.click(box.x + 2, box.y + box.height / 2, { button: 'right' });
    const item = this.page.locator('.monaco-menu .action-item', { hasText: label }).first();
    await item.waitFor({ state: 'visible' });
    // Pointing at an entry focuses it; Enter runs it. (A synthetic click right after the
    // menu opened is not taken as a choice by the menu.)
    await item.hover();
    await this.page.locator('.monaco-menu .action-item.focused', { hasText: label }).waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.monaco-menu').waitFor({ state: 'hidden' });
  }

  /** Hides the primary side bar (explorer), leaving the editors the whole width. */
  async hideSideBar(): Promise<void> {
    const sideBar = this.page.locator('[id="workbench.parts.sidebar"]');
    if (!(await sideBar.isVisible())) return;
    await this.runCommand('View: Toggle Primary Side Bar Visibility');
    await sideBar.waitFor({ state: 'hidden' });
  }

  /**
   * Reloads the window with "Developer: Reload Window", which saves the workbench state
   * (open editors and webview panels) before reloading; a plain page reload may not.
   */
  async reload(): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: WORKBENCH_TIMEOUT_MS });
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible' });
    await this.quickInput.fill('>Developer: Reload Window');
    await this.quickInputRow('Developer: Reload Window').click();
    await loaded;
    await this.page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
  }

  /** A status bar item contributed by the extension, by its item id. */
  statusBarItem(itemId: string): Locator {
    // VS Code prefixes the extension id to the item id to form the element id.
    return this.page.locator(`[id="${EXTENSION_ID}.${itemId}"]`);
  }

  /** The content document of the (single) webview panel. */
  get webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /**
   * Waits until a webview holds the keyboard focus. A webview takes the focus a moment
   * after its tab is clicked; a command palette opened before that loses it and closes.
   */
  async waitForWebviewFocus(): Promise<void> {
    // A string, evaluated in the page: these tests compile without the DOM library.
    await this.page.waitForFunction("document.activeElement?.tagName === 'IFRAME'", undefined, { timeout: UI_TIMEOUT_MS });
  }

  /** The editor tab whose label is `title`. */
  tab(title: string): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: title });
  }
}

/** Monaco renders spaces as U+00A0; compare texts after normalising them. */
export function normalizeSpaces(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}
