// Recent reports kept in this browser (never file bytes): reopen, delete,
// clear. Entries that could not be read back are listed, not hidden.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HistoryListing } from '../store/history.js';
import { baseStyles, VERDICT_SYMBOL } from './theme.js';

@customElement('history-panel')
export class HistoryPanel extends LitElement {
  @property({ attribute: false }) listing: HistoryListing = { entries: [], broken: [] };

  static override styles = [
    baseStyles,
    css`
      table { width: 100%; }
      td { overflow-wrap: anywhere; }
      .broken { color: var(--suspicious); }
    `,
  ];

  override render() {
    const { entries, broken } = this.listing;
    return html`
      ${entries.length
        ? html`<table aria-label="history">
            <thead><tr><th>when</th><th>file</th><th>verdict</th><th></th></tr></thead>
            <tbody>
              ${entries.map(
                (e) => html`<tr>
                  <td>${new Date(e.savedAt).toLocaleString()}</td>
                  <td>${e.report.file.path}${e.shared ? html` <span class="muted">(shared)</span>` : nothing}</td>
                  <td><span class="badge v-${e.report.verdict}">${VERDICT_SYMBOL[e.report.verdict]} ${e.report.verdict}</span></td>
                  <td>
                    <button @click=${() => this.emit('open-entry', e.id)}>open</button>
                    <button aria-label="delete ${e.report.file.path}" @click=${() => this.emit('delete-entry', e.id)}>delete</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">No saved reports yet. Reports of the files you analyse are kept here (never the files).</p>`}
      ${broken.length
        ? html`<p class="broken" role="status">
            ${broken.length} saved ${broken.length === 1 ? 'entry' : 'entries'} could not be read and ${broken.length === 1 ? 'was' : 'were'} skipped (${broken[0]!.why}).
            <button @click=${() => this.emit('delete-broken', '')}>delete ${broken.length === 1 ? 'it' : 'them'}</button>
          </p>`
        : nothing}
      ${entries.length || broken.length ? html`<p><button @click=${() => this.emit('clear-history', '')}>clear history</button></p>` : nothing}
    `;
  }

  private emit(type: string, id: string) {
    this.dispatchEvent(new CustomEvent(type, { detail: id, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'history-panel': HistoryPanel;
  }
}
