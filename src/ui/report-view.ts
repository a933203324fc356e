// One file's report: the verdict, the findings, and a tab for each kind of
// content the format has. Everything shown comes from an untrusted file, so
// it is bound as text only (Lit escapes every binding; no unsafeHTML).
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DisasmPage } from '../engine/pickle/disassemble.js';
import type { Report } from '../engine/report.js';
import type { TensorStatsResult } from '../engine/tensor-stats.js';
import { baseStyles } from './theme.js';
import { pickleStreams } from './pickle-calls.js';
import { tensorRows, type TensorRow } from './tensor-table.js';
import './file-facts.js';
import './findings-list.js';
import './graph/graph-view.js';
import './keras-model.js';
import './metadata-view.js';
import './onnx-summary.js';
import './pickle-calls.js';
import './pickle-disassembly.js';
import './report-actions.js';
import './tensor-table.js';
import './verdict-banner.js';

/** Reads from the file on demand, in a worker; absent for reports without their file. */
export interface FileAccess {
  disassemble(from: number, count: number): Promise<DisasmPage>;
  tensorStats(tensor: TensorRow): Promise<TensorStatsResult>;
  /** The file and the files beside it, for the graph viewer's own worker (attributes, values on request). */
  file?: Blob;
  siblings?: [string, Blob][];
}

type Tab = 'findings' | 'tensors' | 'pickle' | 'disassembly' | 'onnx' | 'graph' | 'keras' | 'metadata' | 'file';

@customElement('report-view')
export class ReportView extends LitElement {
  @property({ attribute: false }) report?: Report;
  @property({ attribute: false }) access?: FileAccess;
  @property({ type: Number }) hashed?: number;
  @property({ type: Number }) hashRate?: number;
  @property() hashNote?: string;
  @state() private tab: Tab = 'findings';
  @state() private disasmFrom = 0;
  @state() private disasmMark = -1;

  static override styles = [
    baseStyles,
    css`
      :host { display: block; border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem; margin: 0.75rem 0; background: var(--bg); }
      h3 { margin: 0 0 0.5rem; overflow-wrap: anywhere; font-size: 1.05rem; }
      [role='tablist'] { display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 0.75rem 0 0.5rem; border-bottom: 1px solid var(--line); }
      [role='tab'] { border-radius: 6px 6px 0 0; border-bottom: none; }
      [role='tab'][aria-selected='true'] { background: var(--bg); border-color: var(--accent); font-weight: 600; }
    `,
  ];

  override render() {
    const r = this.report;
    if (!r) return nothing;
    const tensors = this.tensors(r);
    const streams = pickleStreams(r.content);
    const rawStream = streams.find((s) => s.member === undefined);
    const tabs: [Tab, string][] = [['findings', `Findings (${r.findings.length})`]];
    if (tensors.rows.length) tabs.push(['tensors', `Tensors (${tensors.total.toLocaleString()})`]);
    if (streams.length) tabs.push(['pickle', 'Pickle calls']);
    if (rawStream) tabs.push(['disassembly', 'Disassembly']);
    if (r.format === 'onnx') tabs.push(['onnx', 'ONNX graph']);
    if (r.format === 'onnx' && hasGraphLayout(r.content)) tabs.push(['graph', 'Graph']);
    if (typeof r.content.keras === 'object' && r.content.keras !== null) tabs.push(['keras', 'Keras model']);
    tabs.push(['metadata', 'Metadata'], ['file', 'File']);
    const tab = tabs.some(([t]) => t === this.tab) ? this.tab : 'findings';
    return html`
      <h3>${r.file.path}</h3>
      <verdict-banner .report=${r}></verdict-banner>
      <report-actions .reports=${[r]} shareable></report-actions>
      <div role="tablist" aria-label="report sections" @keydown=${(e: KeyboardEvent) => this.arrowKeys(e, tabs)}>
        ${tabs.map(([t, label]) => html`<button role="tab" aria-selected=${t === tab ? 'true' : 'false'} tabindex=${t === tab ? 0 : -1} data-tab=${t} @click=${() => (this.tab = t)}>${label}</button>`)}
      </div>
      <div role="tabpanel">
        ${tab === 'findings' ? html`<findings-list .findings=${r.findings} ?canJump=${!!this.access && !!rawStream} @jump=${this.onJump}></findings-list>` : nothing}
        ${tab === 'tensors' ? html`<tensor-table .tensors=${tensors.rows} .total=${tensors.total} .statsOf=${tensors.statsAllowed ? this.access?.tensorStats : undefined}></tensor-table>` : nothing}
        ${tab === 'pickle' ? html`<pickle-calls .streams=${streams} ?canJump=${!!this.access} @jump=${this.onJump}></pickle-calls>` : nothing}
        ${tab === 'disassembly'
          ? html`<pickle-disassembly .load=${this.access ? (from: number, count: number) => this.access!.disassemble(from, count) : undefined} .from=${this.disasmFrom || rawStream?.offset || 0} .mark=${this.disasmMark}></pickle-disassembly>`
          : nothing}
        ${tab === 'onnx' ? html`<onnx-summary .content=${r.content}></onnx-summary>` : nothing}
        ${tab === 'graph' ? html`<graph-view .content=${r.content} .findings=${r.findings} .file=${this.access?.file} .siblings=${this.access?.siblings ?? []}></graph-view>` : nothing}
        ${tab === 'keras' ? html`<keras-model .content=${r.content}></keras-model>` : nothing}
        ${tab === 'metadata' ? html`<metadata-view .content=${r.content}></metadata-view>` : nothing}
        ${tab === 'file' ? html`<file-facts .report=${r} .hashed=${this.hashed} .hashRate=${this.hashRate} .hashNote=${this.hashNote}></file-facts>` : nothing}
      </div>
    `;
  }

  /** The tensor rows the format gives: its own table, or a checkpoint's rebuilt from the pickle. */
  private tensors(r: Report): { rows: TensorRow[]; total: number; statsAllowed: boolean } {
    const own = tensorRows(r.content.tensors);
    if (own.length) {
      const total = typeof r.content.tensorsTotal === 'number' ? r.content.tensorsTotal : own.length;
      // Statistics read raw bytes at `offset`: only where that is the file's own data.
      return { rows: own, total, statsAllowed: r.format === 'safetensors' || r.format === 'numpy' };
    }
    const rows = pickleStreams(r.content).flatMap((s) => tensorRows((s as { tensors?: unknown }).tensors));
    return { rows, total: rows.length, statsAllowed: false };
  }

  private onJump = (event: CustomEvent<number>) => {
    this.disasmFrom = event.detail;
    this.disasmMark = event.detail;
    this.tab = 'disassembly';
  };

  private arrowKeys(event: KeyboardEvent, tabs: [Tab, string][]) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const at = tabs.findIndex(([t]) => t === this.tab);
    const next = tabs[(at + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
    this.tab = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`[data-tab="${next}"]`)?.focus());
  }
}

/** A main graph with nodes listed for the graph viewer. */
function hasGraphLayout(content: Record<string, unknown>): boolean {
  const layout = (content.graph as { layout?: { nodes?: unknown } } | undefined)?.layout;
  return Array.isArray(layout?.nodes) && layout.nodes.length > 0;
}

declare global {
  interface HTMLElementTagNameMap {
    'report-view': ReportView;
  }
}
