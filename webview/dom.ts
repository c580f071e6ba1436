/** Minimal element builder: text always goes in as textContent, never as HTML. */
type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * A codicon from the page's codicon.css, decorative (its button or heading says what it
 * means). Used instead of the toolkit's vscode-icon: each vscode-icon links the codicon
 * stylesheet again inside its shadow root, a request through the webview's service
 * worker on every render; a webview hidden while one is in flight stays blank for 30 s
 * when shown again (the worker's resource timeout, in VS Code 1.100 on the web).
 */
export function codicon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A card of the panel: a section labelled by its heading (`titleId`), appended to the panel. */
export function cardSection(container: HTMLElement, card: { className: string; titleId: string; testid?: string; hidden?: boolean }): HTMLElement {
  const section = h('section', { class: card.className, 'data-testid': card.testid, 'aria-labelledby': card.titleId, hidden: card.hidden });
  container.append(section);
  return section;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
