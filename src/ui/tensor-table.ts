// The tensor table of any format (the shared row shape { name, dtype, shape,
// parameters, bytes, offset }): virtualised, sortable, filterable, with
// statistics of one tensor on request (its bytes only are read).
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TensorStatsResult } from '../engine/tensor-stats.js';
import { formatSize } from '../engine/export/common.js';
import { baseStyles } from './theme.js';
import { virtualRowsStyles } from './virtual-rows.js';

export interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  parameters: number;
  bytes: number;
  offset?: number;
  [more: string]: unknown;
}

type Column = 'name' | 'dtype' | 'shape' | 'parameters' | 'bytes' | 'offset';
const COLUMNS: Column[] = ['name', 'dtype', 'shape', 'parameters', 'bytes', 'offset'];

/** Reads rows out of untrusted content: anything without a name is left out. */
export function tensorRows(value: unknown): TensorRow[] {
  if (!Array.isArray(value)) return [];
  return value.filter((t): t is TensorRow => typeof t === 'object' && t !== null && typeof (t as TensorRow).name === 'string');
}

@customElement('tensor-table')
export class TensorTable extends LitElement {
  @property({ attribute: false }) tensors: readonly TensorRow[] = [];
  /** How many tensors the file has when the list was cut. */
  @property({ type: Number }) total = 0;
  /** Computes statistics of one tensor; absent when the file is not here (history, shared link). */
  @property({ attribute: false }) statsOf?: (tensor: TensorRow) => Promise<TensorStatsResult>;
  @state() private filter = '';
  @state() private sortBy: Column | '' = '';
  @state() private descending = false;
  @state() private stats?: { name: string; result?: TensorStatsResult };

  static override styles = [
    baseStyles,
    virtualRowsStyles,
    css`
      .tools { display: flex; gap: 0.75rem; align-items: center; margin-bottom: 0.4rem; flex-wrap: wrap; }
      .grid { display: grid; grid-template-columns: minmax(12rem, 3fr) 6rem minmax(7rem, 1.2fr) 8rem 7rem 8rem 4rem; gap: 0 0.5rem; align-items: center; }
      .grid > span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .header { font-weight: 600; padding: 0 0.3rem 0.2rem; }
      .header button { border: none; background: none; padding: 0; font-weight: 600; }
      virtual-rows .grid { padding: 0 0.3rem; height: 100%; }
      .num { text-align: right; font-variant-numeric: tabular-nums; }
      .stats { margin-top: 0.5rem; }
    `,
  ];

  override render() {
    const rows = this.visibleRows();
    return html`
      <div class="tools">
        <input type="search" placeholder="Filter by name or dtype" aria-label="Filter tensors" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
        <span class="muted">${rows.length.toLocaleString()} of ${this.tensors.length.toLocaleString()} tensors${this.total > this.tensors.length ? ` (the file has ${this.total.toLocaleString()}; the first are listed)` : ''}</span>
      </div>
      <div class="grid header" role="row">
        ${COLUMNS.map((c) => html`<span class=${c === 'name' || c === 'dtype' || c === 'shape' ? '' : 'num'}><button aria-label="sort by ${c}" @click=${() => this.sort(c)}>${c}${this.sortBy === c ? (this.descending ? ' ▼' : ' ▲') : ''}</button></span>`)}
        <span></span>
      </div>
      <virtual-rows
        .count=${rows.length}
        .rowHeight=${26}
        .renderRow=${(i: number) => {
          const t = rows[i]!;
          return html`<div class="grid" role="row">
            <span class="mono" title=${t.name}>${t.name}</span>
            <span class="mono">${String(t.dtype)}</span>
            <span class="mono">[${Array.isArray(t.shape) ? t.shape.join(', ') : ''}]</span>
            <span class="num">${num(t.parameters)}</span>
            <span class="num">${typeof t.bytes === 'number' ? formatSize(t.bytes) : ''}</span>
            <span class="num">${num(t.offset)}</span>
            <span>${this.statsOf && typeof t.offset === 'number' ? html`<button aria-label="statistics of ${t.name}" @click=${() => this.computeStats(t)}>stats</button>` : nothing}</span>
          </div>`;
        }}
      ></virtual-rows>
      ${this.renderStats()}
    `;
  }

  private renderStats() {
    if (!this.stats) return nothing;
    const { name, result } = this.stats;
    if (!result) return html`<p class="stats">Reading <code>${name}</code>…</p>`;
    if ('error' in result) return html`<p class="stats">Statistics of <code>${name}</code>: ${result.error}</p>`;
    return html`<p class="stats">
      <code>${name}</code>: ${result.elements.toLocaleString()} values · min ${String(result.min)} · max ${String(result.max)} · mean ${String(result.mean)} · NaN ${result.nan.toLocaleString()} · Inf ${result.inf.toLocaleString()}
    </p>`;
  }

  private async computeStats(t: TensorRow) {
    if (!this.statsOf) return;
    this.stats = { name: t.name };
    const result = await this.statsOf(t).catch((error: unknown) => ({ error: (error as Error).message ?? String(error) }));
    if (this.stats?.name === t.name) this.stats = { name: t.name, result };
  }

  private sort(column: Column) {
    if (this.sortBy === column) this.descending = !this.descending;
    else {
      this.sortBy = column;
      this.descending = false;
    }
  }

  private cache?: { key: unknown[]; rows: readonly TensorRow[] };

  /** Filtered and sorted rows, recomputed only when an input changes. */
  private visibleRows(): readonly TensorRow[] {
    const key = [this.tensors, this.filter, this.sortBy, this.descending];
    if (this.cache && this.cache.key.every((k, i) => k === key[i])) return this.cache.rows;
    const needle = this.filter.trim().toLowerCase();
    let rows = needle ? this.tensors.filter((t) => t.name.toLowerCase().includes(needle) || String(t.dtype).toLowerCase().includes(needle)) : [...this.tensors];
    if (this.sortBy) {
      const by = this.sortBy;
      const value = (t: TensorRow): string | number => (by === 'shape' ? (Array.isArray(t.shape) ? t.shape.length * 1e15 + t.shape.reduce((a, b) => a * b, 1) : 0) : ((t[by] as string | number | undefined) ?? -1));
      rows = rows.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return this.descending ? -order : order;
      });
    }
    this.cache = { key, rows };
    return rows;
  }
}

function num(v: unknown): string {
  return typeof v === 'number' ? v.toLocaleString() : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-table': TensorTable;
  }
}
