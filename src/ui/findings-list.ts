// Every finding: severity, rule, message, where it is, and the evidence — a
// decompiled pickle call is shown as code. A finding with a pickle offset can
// open the disassembly there.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Finding, Location } from '../engine/report.js';
import { SEVERITY_RANK } from '../engine/verdict.js';
import { baseStyles } from './theme.js';

/** Evidence keys whose value is Python (or another language) and reads best as code. */
const CODE_KEYS = new Set(['call', 'python', 'global', 'expression', 'snippet', 'template', 'source']);

@customElement('findings-list')
export class FindingsList extends LitElement {
  @property({ attribute: false }) findings: readonly Finding[] = [];
  /** Whether an offset can be opened in the disassembly (the file is here and is a pickle stream). */
  @property({ type: Boolean }) canJump = false;

  static override styles = [
    baseStyles,
    css`
      ol { list-style: none; padding: 0; margin: 0; }
      li { border: 1px solid var(--line); border-radius: 6px; padding: 0.45rem 0.6rem; margin: 0.4rem 0; }
      .head { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: baseline; }
      .message { overflow-wrap: anywhere; }
      .where { font-size: 0.9em; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.75rem; margin: 0.3rem 0 0; font-size: 0.92em; }
      dt { color: var(--muted); }
      dd { margin: 0; overflow-wrap: anywhere; }
      pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: 0.2rem 0.4rem; border-radius: 4px; }
    `,
  ];

  override render() {
    if (!this.findings.length) return html`<p class="muted">No findings.</p>`;
    const sorted = [...this.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    return html`<ol>
      ${sorted.map(
        (f) => html`<li>
          <div class="head">
            <span class="badge s-${f.severity}">${f.severity}</span>
            <code>${f.rule}</code>
            <span class="message">${f.message}</span>
          </div>
          ${this.renderWhere(f.location)}
          ${Object.keys(f.evidence).length
            ? html`<dl>
                ${Object.entries(f.evidence).map(
                  ([key, value]) => html`<dt>${key}</dt>
                    <dd>${CODE_KEYS.has(key) ? html`<pre><code>${show(value)}</code></pre>` : show(value)}</dd>`,
                )}
              </dl>`
            : nothing}
        </li>`,
      )}
    </ol>`;
  }

  private renderWhere(at: Location) {
    const parts: string[] = [];
    if (at.member !== undefined) parts.push(`member ${at.member}`);
    if (at.offset !== undefined) parts.push(`byte ${at.offset.toLocaleString()}${at.length !== undefined ? ` (+${at.length.toLocaleString()})` : ''}`);
    if (at.opcodeIndex !== undefined) parts.push(`opcode #${at.opcodeIndex.toLocaleString()}`);
    if (at.node !== undefined) parts.push(`node ${at.node}`);
    if (at.tensor !== undefined) parts.push(`tensor ${at.tensor}`);
    if (!parts.length) return nothing;
    const jump = this.canJump && at.offset !== undefined && at.member === undefined && at.opcodeIndex !== undefined;
    return html`<div class="where muted">
      ${parts.join(' · ')}
      ${jump ? html` <button @click=${() => this.dispatchEvent(new CustomEvent('jump', { detail: at.offset, bubbles: true, composed: true }))}>show in disassembly</button>` : nothing}
    </div>`;
  }
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

declare global {
  interface HTMLElementTagNameMap {
    'findings-list': FindingsList;
  }
}
