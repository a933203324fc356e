// Facts about the file itself: size, what it is, what the analysis cost, and
// its SHA-256 — copyable, and comparable with a hash the user pastes (a model
// card's, a colleague's) to pin exactly this file.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { formatSize } from '../engine/export/common.js';
import type { Report } from '../engine/report.js';
import { baseStyles } from './theme.js';

/** Reads a pasted hash: bare hex, or a `sha256sum` line (`HEX  name`), or `sha256:HEX`. */
export function parseExpectedHash(text: string): string | undefined {
  const m = /^\s*(?:sha256[:=]\s*)?([0-9a-f]{64})(?:\s+\*?.*)?\s*$/iu.exec(text);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The hash the user pasted earlier, read back from the pin finding it left. */
function pinnedHash(r: Report): string | undefined {
  const pin = r.findings.find((f) => (f.rule === 'hash.match' || f.rule === 'hash.mismatch') && String(f.evidence.source).includes('pasted'));
  return typeof pin?.evidence.expected === 'string' ? pin.evidence.expected : undefined;
}

@customElement('file-facts')
export class FileFacts extends LitElement {
  @property({ attribute: false }) report?: Report;
  /** Bytes hashed so far and MB/s while hashing. */
  @property({ type: Number }) hashed?: number;
  @property({ type: Number }) hashRate?: number;
  @property() hashNote?: string;
  @state() private expected = '';
  /** Whether the user typed in the box; until then it shows the hash the report is pinned to, if any. */
  private edited = false;
  @state() private copied = false;

  static override styles = [
    baseStyles,
    css`
      th { white-space: nowrap; color: var(--muted); font-weight: normal; }
      td { overflow-wrap: anywhere; }
      .match { color: var(--clean); font-weight: 600; }
      .mismatch { color: var(--malicious); font-weight: 600; }
      input { width: min(40rem, 90%); font-family: var(--mono); }
    `,
  ];

  override render() {
    const r = this.report;
    if (!r) return nothing;
    if (!this.edited) this.expected = pinnedHash(r) ?? '';
    return html`<table>
      <tr><th>path</th><td>${r.file.path}</td></tr>
      <tr><th>size</th><td>${formatSize(r.file.size)} (${r.file.size.toLocaleString()} bytes)</td></tr>
      <tr><th>format</th><td>${r.formatLabel} <span class="muted">(${r.format})</span></td></tr>
      <tr><th>analysis</th><td>read ${formatSize(r.stats.bytesRead)} in ${r.stats.elapsedMs} ms · Weightlens ${r.tool.version}</td></tr>
      <tr><th>SHA-256</th><td>${this.renderHash(r)}</td></tr>
      <tr>
        <th>compare</th>
        <td>
          <input aria-label="Expected SHA-256" placeholder="Paste the expected SHA-256" .value=${this.expected} @input=${this.onExpected} />
          ${this.renderComparison(r)}
        </td>
      </tr>
    </table>`;
  }

  private renderHash(r: Report) {
    if (r.file.sha256)
      return html`<code>${r.file.sha256}</code>
        <button @click=${() => this.copy(r.file.sha256!)}>${this.copied ? 'copied' : 'copy'}</button>`;
    if (this.hashed !== undefined) {
      const pct = r.file.size ? this.hashed / r.file.size : 1;
      return html`hashing… <progress max="1" .value=${pct} aria-label="hashing progress"></progress> ${Math.floor(pct * 100)}%${this.hashRate ? ` · ${this.hashRate.toFixed(0)} MB/s` : ''}`;
    }
    return html`<span class="muted">${this.hashNote ?? 'not computed'}</span>`;
  }

  private renderComparison(r: Report) {
    if (!this.expected.trim()) return nothing;
    const expected = parseExpectedHash(this.expected);
    if (!expected) return html`<div class="mismatch">not a SHA-256 (64 hex digits)</div>`;
    if (!r.file.sha256) return html`<div class="muted">waiting for the file's hash…</div>`;
    return expected === r.file.sha256
      ? html`<div class="match" role="status">✓ match: this is exactly the expected file</div>`
      : html`<div class="mismatch" role="status">✗ mismatch: this is not the expected file</div>`;
  }

  /** A valid hash pins the file (the report gains a match or mismatch finding); clearing the box unpins it. */
  private onExpected = (event: Event) => {
    this.edited = true;
    this.expected = (event.target as HTMLInputElement).value;
    const sha256 = parseExpectedHash(this.expected);
    if (sha256 || !this.expected.trim()) this.dispatchEvent(new CustomEvent<string | undefined>('pin', { detail: sha256, bubbles: true, composed: true }));
  };

  private async copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = true;
      setTimeout(() => (this.copied = false), 1500);
    } catch {
      this.copied = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'file-facts': FileFacts;
  }
}
