// Metadata a file carries (safetensors __metadata__, ONNX metadata_props,
// GGUF keys, Keras config facts …), what Weightlens read about the model
// (architecture, quantisation), and the rest of the report's content as JSON
// text for everything without a tailored view.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme.js';

/** Characters of the raw content shown; a 100k-tensor table is megabytes of JSON. */
const MAX_RAW_CHARS = 200_000;

/** Content keys shown by other tabs, left out of the raw view. */
const SHOWN_ELSEWHERE = new Set(['tensors', 'pickle', 'graph']);

@customElement('metadata-view')
export class MetadataView extends LitElement {
  @property({ attribute: false }) content: Record<string, unknown> = {};

  static override styles = [
    baseStyles,
    css`
      pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: 0.5rem; border-radius: 6px; max-height: 32rem; overflow: auto; font-size: 0.85em; }
      td:first-child { white-space: nowrap; }
      td { overflow-wrap: anywhere; }
    `,
  ];

  override render() {
    const c = this.content;
    const pairs = metadataPairs(c.metadata);
    const facts = ['architecture', 'quantisation'].filter((k) => c[k] !== undefined);
    const rest = Object.fromEntries(Object.entries(c).filter(([k]) => !SHOWN_ELSEWHERE.has(k)));
    let raw = JSON.stringify(rest, null, 2) ?? '';
    const cut = raw.length > MAX_RAW_CHARS;
    if (cut) raw = raw.slice(0, MAX_RAW_CHARS);
    return html`
      ${pairs.length
        ? html`<h4>Metadata</h4>
            <table>${pairs.map(([k, v]) => html`<tr><td><code>${k}</code></td><td>${v}</td></tr>`)}</table>`
        : html`<p class="muted">No metadata in this file.</p>`}
      ${facts.map((k) => html`<h4>${k}</h4><pre>${JSON.stringify(c[k], null, 2)}</pre>`)}
      <details>
        <summary>Everything else the analysis recorded (JSON)</summary>
        <pre>${raw}${cut ? '\n… (cut)' : ''}</pre>
      </details>
    `;
  }
}

/** Key/value pairs from a map of strings or a list of { key, value }. */
function metadataPairs(value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.filter((e) => typeof e === 'object' && e !== null).map((e) => [String((e as { key?: unknown }).key), show((e as { value?: unknown }).value)]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => [k, show(v)]);
  return [];
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

declare global {
  interface HTMLElementTagNameMap {
    'metadata-view': MetadataView;
  }
}
