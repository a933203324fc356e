// The verdict in words, a symbol and a colour, with what it means for the user.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Report } from '../engine/report.js';
import { worstFinding } from '../engine/verdict.js';
import { baseStyles, VERDICT_MEANING, VERDICT_SYMBOL } from './theme.js';

@customElement('verdict-banner')
export class VerdictBanner extends LitElement {
  @property({ attribute: false }) report?: Report;

  static override styles = [
    baseStyles,
    css`
      .banner { display: flex; gap: 0.75rem; align-items: center; padding: 0.6rem 0.9rem; border-radius: 8px; color: #fff; }
      .symbol { font-size: 1.6rem; font-weight: 700; width: 2rem; text-align: center; }
      .word { font-size: 1.25rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }
      .meaning { opacity: 0.95; }
      .worst { font-size: 0.9em; opacity: 0.95; overflow-wrap: anywhere; }
    `,
  ];

  override render() {
    const r = this.report;
    if (!r) return nothing;
    const worst = worstFinding(r.findings);
    return html`<div class="banner v-${r.verdict}" role="status" aria-label="verdict: ${r.verdict}">
      <span class="symbol" aria-hidden="true">${VERDICT_SYMBOL[r.verdict]}</span>
      <div>
        <div class="word">${r.verdict}</div>
        <div class="meaning">${VERDICT_MEANING[r.verdict]}</div>
        ${worst && r.verdict !== 'clean' ? html`<div class="worst">Worst finding: ${worst.message}</div>` : nothing}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'verdict-banner': VerdictBanner;
  }
}
