// What travels: a share link (the report in the URL fragment, never the
// file), and downloads of the report as JSON, SARIF, CycloneDX or Markdown.
// Works for one report or for every report on the page.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { toCycloneDx } from '../engine/export/cyclonedx.js';
import { toMarkdown } from '../engine/export/markdown.js';
import { toSarif } from '../engine/export/sarif.js';
import type { Report } from '../engine/report.js';
import { encodeReportLinkDetailed } from '../share/report-link.js';
import { baseStyles } from './theme.js';

type Format = 'json' | 'sarif' | 'cyclonedx' | 'markdown';

const DOWNLOADS: Record<Format, { label: string; type: string; extension: string }> = {
  json: { label: 'JSON', type: 'application/json', extension: 'weightlens.json' },
  sarif: { label: 'SARIF', type: 'application/sarif+json', extension: 'sarif' },
  cyclonedx: { label: 'CycloneDX', type: 'application/vnd.cyclonedx+json', extension: 'cdx.json' },
  markdown: { label: 'Markdown', type: 'text/markdown', extension: 'md' },
};

/** The text of an export; a single report as JSON is the report itself (what "open a report file" reads). */
export function exportText(reports: readonly Report[], format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(reports), null, 2);
    case 'cyclonedx':
      return JSON.stringify(toCycloneDx(reports), null, 2);
    case 'markdown':
      return toMarkdown(reports);
  }
}

@customElement('report-actions')
export class ReportActions extends LitElement {
  @property({ attribute: false }) reports: readonly Report[] = [];
  /** Offer a share link (one report only). */
  @property({ type: Boolean }) shareable = false;
  @state() private link?: { url: string; left: string[] };
  @state() private message?: string;

  static override styles = [
    baseStyles,
    css`
      :host { display: block; margin: 0.4rem 0; }
      .row { display: flex; flex-wrap: wrap; gap: 0.35rem; align-items: center; }
      input { width: min(36rem, 100%); font-family: var(--mono); font-size: 0.85em; }
      .note { font-size: 0.9em; }
    `,
  ];

  override render() {
    if (!this.reports.length) return nothing;
    return html`<div class="row">
        ${this.shareable && this.reports.length === 1 ? html`<button @click=${this.copyLink}>copy share link</button>` : nothing}
        <span class="muted">download:</span>
        ${(Object.keys(DOWNLOADS) as Format[]).map((f) => html`<button @click=${() => this.download(f)}>${DOWNLOADS[f].label}</button>`)}
      </div>
      ${this.link
        ? html`<div class="note">
            <input readonly aria-label="share link" .value=${this.link.url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
            <div class="muted">The link carries the report, never the file. ${this.link.left.length ? `Too big for a link, so left out: ${this.link.left.join(', ')}.` : ''}</div>
          </div>`
        : nothing}
      ${this.message ? html`<div class="note" role="status">${this.message}</div>` : nothing}`;
  }

  private copyLink = async () => {
    try {
      const { fragment, trimmed } = await encodeReportLinkDetailed(this.reports[0]!);
      const url = `${location.origin}${location.pathname}#${fragment}`;
      this.link = { url, left: trimmed.map((t) => `${t.path} (${t.items.toLocaleString()})`) };
      await navigator.clipboard.writeText(url).then(
        () => (this.message = 'Link copied.'),
        () => (this.message = 'Copy the link from the box above.'),
      );
    } catch (error) {
      this.message = `No link: ${(error as Error).message}`;
    }
  };

  private download(format: Format) {
    const { type, extension } = DOWNLOADS[format];
    const base = this.reports.length === 1 ? this.reports[0]!.file.name || 'report' : 'weightlens-reports';
    const blob = new Blob([exportText(this.reports, format)], { type });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${base}.${extension}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'report-actions': ReportActions;
  }
}
