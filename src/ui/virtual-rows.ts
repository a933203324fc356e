// A scrolling list that renders only the rows in view (fixed row height), so
// 100,000 tensors or opcodes scroll as smoothly as ten. Rows are positioned by
// CSSOM properties set after each render: the CSP forbids style attributes,
// which is what Lit's styleMap writes on first render.
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';

/** Styles of the list, for every component that holds one (it has no shadow root of its own). */
export const virtualRowsStyles = css`
  virtual-rows { display: block; }
  virtual-rows .scroller { overflow-y: auto; position: relative; contain: strict; border: 1px solid var(--line); border-radius: 6px; }
  virtual-rows .spacer { position: relative; }
  virtual-rows .rows { position: absolute; left: 0; right: 0; top: 0; }
  virtual-rows .row { box-sizing: border-box; overflow: hidden; white-space: nowrap; height: var(--row-height, 24px); }
  virtual-rows .row.hl { background: color-mix(in srgb, var(--accent) 18%, transparent); }
`;

/** Rows drawn beyond each edge of the view, so fast scrolling shows no gap. */
const OVERSCAN_ROWS = 10;

@customElement('virtual-rows')
export class VirtualRows extends LitElement {
  @property({ type: Number }) count = 0;
  @property({ type: Number }) rowHeight = 24;
  /** Height of the scrolling view in pixels. */
  @property({ type: Number }) viewHeight = 420;
  @property({ attribute: false }) renderRow: (index: number) => TemplateResult = () => html``;
  /** Index of the row to mark (e.g. the opcode a finding points at). */
  @property({ type: Number }) highlight = -1;
  @state() private first = 0;
  @query('.scroller') private scroller!: HTMLDivElement;
  @query('.spacer') private spacer!: HTMLDivElement;
  @query('.rows') private rowsBox!: HTMLDivElement;
  private start = 0;
  private frame = 0;

  /** No shadow root: rows are styled by the component that renders them. */
  protected override createRenderRoot() {
    return this;
  }

  /** Brings a row into view (near the top) and marks it. */
  scrollToIndex(index: number): void {
    this.highlight = index;
    void this.updateComplete.then(() => {
      this.scroller.scrollTop = Math.max(0, index * this.rowHeight - this.rowHeight * 2);
      this.onScroll();
    });
  }

  override render() {
    const visible = Math.ceil(this.viewHeight / this.rowHeight);
    const start = Math.max(0, Math.min(this.first - OVERSCAN_ROWS, this.count - 1));
    const end = Math.min(this.count, this.first + visible + OVERSCAN_ROWS);
    const rows: TemplateResult[] = [];
    for (let i = Math.max(0, start); i < end; i++) {
      rows.push(html`<div class="row ${i === this.highlight ? 'hl' : ''}" role="row">${this.renderRow(i)}</div>`);
    }
    this.start = Math.max(0, start);
    return html`<div class="scroller" role="rowgroup" @scroll=${this.onScroll}>
      <div class="spacer"><div class="rows">${rows}</div></div>
    </div>`;
  }

  override updated(): void {
    this.style.setProperty('--row-height', `${this.rowHeight}px`);
    this.scroller.style.height = `${Math.min(this.viewHeight, Math.max(this.rowHeight, this.count * this.rowHeight)) + 2}px`;
    this.spacer.style.height = `${this.count * this.rowHeight}px`;
    this.rowsBox.style.transform = `translateY(${this.start * this.rowHeight}px)`;
  }

  private onScroll = () => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const first = Math.floor((this.scroller?.scrollTop ?? 0) / this.rowHeight);
      if (first !== this.first) this.first = first;
      this.dispatchEvent(new CustomEvent('range', { detail: { first, last: first + Math.ceil(this.viewHeight / this.rowHeight) } }));
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'virtual-rows': VirtualRows;
  }
}
