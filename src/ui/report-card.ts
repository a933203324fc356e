// One file's report: verdict in words and colour, format, findings, hash.
// Everything shown comes from an untrusted file, so it is bound as text only.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Report } from '../engine/report.js';

@customElement('report-card')
export class ReportCard extends LitElement {
  @property({ attribute: false }) report?: Report;
  /** 0..1 while hashing, undefined before it starts or after it ends. */
  @property({ attribute: false }) hashProgress?: number;

  static override styles = css`
    :host { display: block; border: 1px solid #ccc; border-radius: 6px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
    .verdict { font-weight: bold; padding: 0.1rem 0.5rem; border-radius: 4px; color: #fff; }
    .clean { background: #1a7f37; }
    .suspicious { background: #9a6700; }
    .malicious { background: #cf222e; }
    .malformed { background: #8250df; }
    .unsupported { background: #57606a; }
    ul { padding-left: 1.25rem; }
    code { word-break: break-all; }
    .meta { color: #57606a; font-size: 0.9em; }
  `;

  override render() {
    const r = this.report;
    if (!r) return nothing;
    return html`
      <div>
        <span class="verdict ${r.verdict}">${r.verdict}</span>
        <strong>${r.file.path}</strong> — ${r.formatLabel}
      </div>
      <div class="meta">
        ${r.file.size.toLocaleString()} bytes · read ${r.stats.bytesRead.toLocaleString()} bytes in ${r.stats.elapsedMs} ms ·
        SHA-256:
        ${r.file.sha256
          ? html`<code>${r.file.sha256}</code>`
          : this.hashProgress !== undefined
            ? html`hashing… <progress max="1" .value=${this.hashProgress}></progress>`
            : 'not computed'}
      </div>
      ${r.findings.length
        ? html`<ul>
            ${r.findings.map((f) => html`<li><strong>${f.severity}</strong> <code>${f.rule}</code>: ${f.message}</li>`)}
          </ul>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'report-card': ReportCard;
  }
}
