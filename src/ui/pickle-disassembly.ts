// A pickle's opcodes like `python -m pickletools`, read from the file a page
// at a time as the user scrolls (a big pickle has millions), starting at the
// stream or at a finding's offset.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { DisasmLine, DisasmPage } from '../engine/pickle/disassemble.js';
import { baseStyles } from './theme.js';
import { virtualRowsStyles, type VirtualRows } from './virtual-rows.js';

/** Opcodes fetched per page. */
const PAGE_LINES = 2000;
/** Lines kept in the view: scrolling on past it starts a fresh window at the current offset. */
const MAX_LINES_HELD = 200_000;

@customElement('pickle-disassembly')
export class PickleDisassembly extends LitElement {
  @property({ attribute: false }) load?: (from: number, count: number) => Promise<DisasmPage>;
  /** Where the listing starts (a stream's offset or a finding's). */
  @property({ type: Number }) from = 0;
  /** The offset to mark. */
  @property({ type: Number }) mark = -1;
  @state() private lines: DisasmLine[] = [];
  @state() private next?: number;
  @state() private error?: string;
  @state() private loading = false;
  @query('virtual-rows') private list?: VirtualRows;
  private loadedFrom = -1;

  static override styles = [
    baseStyles,
    virtualRowsStyles,
    css`
      .line { display: grid; grid-template-columns: 8rem 12rem 1fr; gap: 0 0.5rem; font-family: var(--mono); font-size: 0.88em; padding: 0 0.3rem; height: 100%; align-items: center; }
      .line span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>) {
    if ((changed.has('from') || changed.has('load')) && this.load && this.loadedFrom !== this.from) {
      this.loadedFrom = this.from;
      this.lines = [];
      this.next = this.from;
      this.error = undefined;
      void this.more();
    }
  }

  override render() {
    if (!this.load) return html`<p class="muted">The file is not here: the disassembly needs its bytes (drop the file again).</p>`;
    return html`
      <p class="muted">From byte ${this.from.toLocaleString()} · ${this.lines.length.toLocaleString()} opcodes read${this.loading ? ' · reading…' : ''}</p>
      <virtual-rows
        .count=${this.lines.length}
        .rowHeight=${22}
        .renderRow=${(i: number) => {
          const l = this.lines[i]!;
          return html`<div class="line"><span>${l.offset.toLocaleString()}</span><span>${l.opcode}</span><span title=${l.arg ?? ''}>${l.arg ?? ''}</span></div>`;
        }}
        @range=${(e: CustomEvent<{ last: number }>) => {
          if (e.detail.last > this.lines.length - 200) void this.more();
        }}
      ></virtual-rows>
      ${this.error ? html`<p>The listing stops here: ${this.error}</p>` : nothing}
      ${this.next !== undefined && this.lines.length >= MAX_LINES_HELD ? html`<button @click=${() => (this.from = this.next!)}>continue from byte ${this.next.toLocaleString()}</button>` : nothing}
    `;
  }

  private async more() {
    if (this.loading || this.next === undefined || !this.load || this.lines.length >= MAX_LINES_HELD) return;
    this.loading = true;
    const startedFor = this.loadedFrom;
    try {
      const page = await this.load(this.next, PAGE_LINES);
      if (startedFor !== this.loadedFrom) return;
      const first = !this.lines.length;
      this.lines = [...this.lines, ...page.lines];
      this.next = page.next;
      this.error = page.error;
      if (first && this.mark >= 0) {
        const at = this.lines.findIndex((l) => l.offset === this.mark);
        if (at >= 0) this.list?.scrollToIndex(at);
      }
    } catch (error) {
      this.error = (error as Error).message ?? String(error);
      this.next = undefined;
    } finally {
      this.loading = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pickle-disassembly': PickleDisassembly;
  }
}
