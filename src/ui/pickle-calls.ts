// What loading the pickle(s) would do: each stream's imports with the
// policy's tier, and the decompiled calls in order, as Python.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme.js';
import { virtualRowsStyles } from './virtual-rows.js';

interface PickleImport { module: string; name: string; tier: string; reason?: string; count?: number; calls?: number; offset?: number; via?: string; byUser?: boolean }
interface PickleEvent { kind: string; offset: number; opcodeIndex?: number; python: string; via?: string; tier?: string }
export interface PickleStream { member?: string; offset: number; size?: number; pickles?: number; protocols?: number[]; opcodes?: number; imports?: PickleImport[]; events?: PickleEvent[]; eventsTotal?: number; returns?: string[] }

/** Streams out of untrusted content, keeping only well-formed entries. */
export function pickleStreams(content: Record<string, unknown>): PickleStream[] {
  const pickle = content.pickle as { streams?: unknown } | undefined;
  if (!pickle || !Array.isArray(pickle.streams)) return [];
  return pickle.streams.filter((s): s is PickleStream => typeof s === 'object' && s !== null && typeof (s as PickleStream).offset === 'number');
}

@customElement('pickle-calls')
export class PickleCalls extends LitElement {
  @property({ attribute: false }) streams: readonly PickleStream[] = [];
  /** Whether an offset of a stream outside any archive member can be opened in the disassembly. */
  @property({ type: Boolean }) canJump = false;

  static override styles = [
    baseStyles,
    virtualRowsStyles,
    css`
      section { margin: 0.5rem 0 1rem; }
      h4 { margin: 0.3rem 0; overflow-wrap: anywhere; }
      .tier-dangerous { color: var(--malicious); font-weight: 600; }
      .tier-unknown { color: var(--suspicious); font-weight: 600; }
      .tier-safe { color: var(--clean); }
      .event { display: grid; grid-template-columns: 6rem 5rem 1fr auto; gap: 0 0.5rem; align-items: center; padding: 0 0.3rem; height: 100%; }
      .event code { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .returns { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: 0.3rem; border-radius: 4px; max-height: 12rem; overflow: auto; }
    `,
  ];

  override render() {
    if (!this.streams.length) return html`<p class="muted">No pickle in this file.</p>`;
    return this.streams.map((s, i) => {
      const imports = Array.isArray(s.imports) ? s.imports : [];
      const events = Array.isArray(s.events) ? s.events : [];
      const jump = this.canJump && s.member === undefined;
      return html`<section>
        <h4>Pickle stream ${i + 1}${s.member !== undefined ? html` in <code>${s.member}</code>` : nothing} at byte ${s.offset.toLocaleString()}</h4>
        <p class="muted">${[s.pickles !== undefined ? `${s.pickles} pickle(s)` : '', Array.isArray(s.protocols) ? `protocol ${s.protocols.join(', ')}` : '', s.opcodes !== undefined ? `${s.opcodes.toLocaleString()} opcodes` : ''].filter(Boolean).join(' · ')}</p>
        ${imports.length
          ? html`<table>
              <thead><tr><th>import</th><th>tier</th><th>uses</th><th>why</th></tr></thead>
              <tbody>
                ${imports.map((im) => html`<tr>
                  <td><code>${im.module}.${im.name}</code></td>
                  <td class="tier-${im.tier}">${im.tier}${im.byUser ? ' (your list)' : ''}</td>
                  <td>${im.count ?? ''}</td>
                  <td>${im.reason ?? ''}</td>
                </tr>`)}
              </tbody>
            </table>`
          : html`<p class="muted">No imports: plain data.</p>`}
        ${events.length
          ? html`<p><strong>What loading does</strong> ${s.eventsTotal && s.eventsTotal > events.length ? html`<span class="muted">(first ${events.length.toLocaleString()} of ${s.eventsTotal.toLocaleString()})</span>` : nothing}</p>
              <virtual-rows
                .count=${events.length}
                .rowHeight=${26}
                .viewHeight=${Math.min(420, events.length * 26)}
                .renderRow=${(n: number) => {
                  const e = events[n]!;
                  return html`<div class="event">
                    <span class="muted">@${e.offset.toLocaleString()}</span>
                    <span class="tier-${e.tier ?? ''}">${e.kind}</span>
                    <code title=${e.python}>${e.python}</code>
                    ${jump ? html`<button @click=${() => this.dispatchEvent(new CustomEvent('jump', { detail: e.offset, bubbles: true, composed: true }))}>opcodes</button>` : html`<span></span>`}
                  </div>`;
                }}
              ></virtual-rows>`
          : nothing}
        ${Array.isArray(s.returns) && s.returns.length ? html`<p><strong>Returns</strong></p><pre class="returns">${s.returns.join('\n')}</pre>` : nothing}
      </section>`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pickle-calls': PickleCalls;
  }
}
