import { html, type TemplateResult } from 'lit';

/** A codicon for Lit templates (decorative: its button or heading says what it means; see dom.ts). */
export const icon = (name: string): TemplateResult => html`<span class="codicon codicon-${name}" aria-hidden="true"></span>`;
