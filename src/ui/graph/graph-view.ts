// The ONNX graph viewer: the main graph as nested groups (collapsed by
// default), laid out in a worker, drawn on a canvas; search, a side panel for
// the selected box, and the findings that point at nodes. Everything from the
// file is text: bound by Lit or drawn with fillText; no style attributes (the
// CSP forbids them), sizes go through the CSSOM.
import * as Comlink from 'comlink';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { TensorRef } from '../../engine/formats/onnx/model-reader.js';
import type { NodeDetails, ValueDetail } from '../../engine/formats/onnx/node-details.js';
import type { TensorValues } from '../../engine/formats/onnx/tensor-values.js';
import type { Finding } from '../../engine/report.js';
import { isSevere, nodeFindings, severityByNode, type NodeFinding } from '../../graph/findings.js';
import type { GraphLayoutInput, LayoutNode, LayoutSubgraph } from '../../graph/hierarchy.js';
import { packGraph, packedBuffers } from '../../graph/packed.js';
import { FRAME_LABEL, type GraphView as LaidOut, type HierarchySummary } from '../../graph/view.js';
import type { GraphWorkerApi } from '../../worker/graph-worker.js';
import { baseStyles } from '../theme.js';
import { GraphCanvas, type Mark, type Palette } from './graph-canvas.js';

interface TensorInfo { name: string; dtype?: string; shape?: unknown; bytes?: number; storage?: string; file?: string }
interface Match { node: number; why: string }
type Answer<T> = T | { error: string };
/** The side panel's reads from the file: the node they are for, and each tensor's values by key. */
interface PanelReads { node: number; details?: Answer<NodeDetails>; values: Map<string, Answer<TensorValues> | 'reading'> }

const failed = <T>(a: Answer<T> | undefined): a is { error: string } => typeof a === 'object' && a !== null && 'error' in a;

const GROUP_KINDS: Record<string, string> = {
  scope: 'a name scope',
  repeat: 'repeated blocks',
  run: 'a run of one op',
  chunk: 'a stretch of the node list',
  node: 'a node with If/Loop/Scan bodies (the node and its bodies)',
  body: 'an If/Loop/Scan body',
  function: "a model-local function's body (listed once, however often it is called)",
};

/** Matches listed for a search: enough to pick from, few enough to render at once. */
const MAX_MATCHES = 200;
/** Pixels an arrow key pans. */
const KEY_PAN = 80;

const paletteKey = (p: Palette) => Object.values(p).join('|');
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

@customElement('graph-view')
export class GraphViewElement extends LitElement {
  @property({ attribute: false }) content: Record<string, unknown> = {};
  @property({ attribute: false }) findings: readonly Finding[] = [];
  /** The model file and the files beside it, when this page holds them: the panel reads attributes and values from them. */
  @property({ attribute: false }) file?: Blob;
  @property({ attribute: false }) siblings: [string, Blob][] = [];
  @state() private reads?: PanelReads;
  @state() private summary?: HierarchySummary;
  @state() private laid?: LaidOut;
  @state() private selected = -1;
  @state() private hits: Match[] = [];
  @state() private hitsTotal = 0;
  @state() private showFindings = false;
  @state() private error = '';
  @query('canvas') private canvasEl?: HTMLCanvasElement;
  @query('.stage') private stageEl?: HTMLElement;
  @query('input[type=search]') private searchEl?: HTMLInputElement;

  private worker?: Worker;
  private api?: Comlink.Remote<GraphWorkerApi>;
  private input?: GraphLayoutInput;
  private expanded = new Set<number>();
  private marks: NodeFinding[] = [];
  private worst = new Map<number, Finding['severity']>();
  private markedGroups = new Map<number, boolean>();
  private painter?: GraphCanvas;
  private resizeObserver?: ResizeObserver;
  /** The theme can change without any event reaching this element (an attribute on the app, the OS setting): look twice a second. */
  private themeTimer?: ReturnType<typeof setInterval>;
  private paletteKey = '';
  private loadedContent?: unknown;
  private pendingCentre = -1;
  private needsFit = true;
  private viewSerial = 0;
  /** When the graph was asked for, and the first paint after it (the bench reads them). */
  timings: { start: number; packed?: number; hierarchyMs?: number; loaded?: number; firstPaint?: number; lastView?: number } = { start: 0 };

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      .bar { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin-bottom: 0.4rem; }
      .bar input { min-width: 16rem; flex: 1; }
      .main { display: grid; grid-template-columns: minmax(0, 1fr) 20rem; gap: 0.5rem; }
      @media (max-width: 800px) { .main { grid-template-columns: 1fr; } }
      .stage { position: relative; height: 70vh; min-height: 320px; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; touch-action: none; }
      .stage:focus-visible { outline: 2px solid var(--accent); }
      canvas { display: block; width: 100%; height: 100%; cursor: grab; }
      canvas.dragging { cursor: grabbing; }
      aside { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem; max-height: 70vh; overflow: auto; font-size: 0.9rem; }
      aside h4 { margin: 0.2rem 0 0.4rem; overflow-wrap: anywhere; }
      aside table { width: 100%; }
      aside td, aside th { overflow-wrap: anywhere; }
      .list { list-style: none; margin: 0; padding: 0; max-height: 16rem; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
      .list li button { display: block; width: 100%; text-align: left; border: none; border-radius: 0; background: none; overflow-wrap: anywhere; }
      .list li button:hover { background: var(--panel); }
      .severe { color: var(--malicious); font-weight: 600; }
      .finding { color: var(--suspicious); font-weight: 600; }
      .crumbs button { margin: 0 0.2rem 0.2rem 0; }
      aside th { text-align: left; vertical-align: top; padding-right: 0.4rem; }
      .show-values { font-size: 0.8rem; padding: 0 0.4rem; margin-left: 0.2rem; }
      .tensor-values p { margin: 0.2rem 0; }
      aside table.values td:first-child, aside table.attributes th { min-width: 3.5rem; }
      .values-text { display: block; max-height: 10rem; overflow: auto; overflow-wrap: anywhere; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.timings = { start: performance.now() };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    clearInterval(this.themeTimer);
    this.painter?.dispose();
    this.painter = undefined;
    this.api?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.api = undefined;
    this.loadedContent = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('content') || changed.has('findings')) && this.content !== this.loadedContent) void this.load();
  }

  protected override updated(): void {
    if (this.painter && this.painter.canvas !== this.canvasEl) {
      // the canvas was re-rendered (a graph without nodes in between): start over on the new one
      this.resizeObserver?.disconnect();
      clearInterval(this.themeTimer);
      this.painter.dispose();
      this.painter = undefined;
    }
    if (this.canvasEl && !this.painter) {
      this.painter = new GraphCanvas(this.canvasEl, () => this.framePalette(), () => this.painted());
      if (this.laid) {
        this.painter.view = this.laid;
        this.painter.marks = this.boxMarks(this.laid);
        this.needsFit = true;
      }
      this.resizeObserver = new ResizeObserver((entries) => {
        const box = entries[entries.length - 1]!.contentRect;
        this.painter!.resize(box.width, box.height);
        if (this.needsFit && this.laid) this.fit(true);
      });
      this.resizeObserver.observe(this.stageEl!);
      this.bindPointer(this.canvasEl);
      this.themeTimer = setInterval(() => {
        const p = this.palette();
        if (paletteKey(p) !== this.paletteKey) this.painter?.schedule();
      }, 500);
    }
  }

  private layoutInput(): GraphLayoutInput {
    const layout = obj(obj(this.content.graph).layout);
    return { values: arr<string>(layout.values), nodes: arr<LayoutNode>(layout.nodes), subgraphs: arr<LayoutSubgraph>(layout.subgraphs) };
  }

  private async load(): Promise<void> {
    this.loadedContent = this.content;
    this.input = this.layoutInput();
    this.marks = nodeFindings(this.input, this.findings);
    this.worst = severityByNode(this.marks);
    if (!this.input.nodes.length) return;
    try {
      if (!this.worker) {
        this.worker = new Worker(new URL('../../worker/graph-worker.ts', import.meta.url), { type: 'module' });
        this.api = Comlink.wrap<GraphWorkerApi>(this.worker);
      }
      this.reads = undefined;
      void this.api!.attachFile(this.file, this.siblings); // none: a report without its file (the worker forgets an earlier one)
      const packed = packGraph(this.input);
      this.timings.packed = performance.now();
      const { summary, initial, ms } = await this.api!.load(Comlink.transfer(packed, packedBuffers(packed)));
      this.timings.loaded = performance.now();
      this.timings.hierarchyMs = ms;
      this.summary = summary;
      this.markedGroups = new Map();
      for (const [node, severity] of this.worst) {
        for (let g = summary.parentOf[node]!; g > 0; g = summary.groups[g]!.parent) {
          if (!this.markedGroups.get(g)) this.markedGroups.set(g, isSevere(severity));
        }
      }
      this.expanded = new Set(initial);
      this.needsFit = true;
      await this.relayout();
    } catch (error) {
      this.error = `The graph could not be laid out: ${(error as Error).message}`;
    }
  }

  /** Lays out the current expansion state in the worker, then redraws. */
  private async relayout(): Promise<void> {
    if (!this.api) return;
    const serial = ++this.viewSerial;
    const laid = await this.api.view([...this.expanded]);
    if (serial !== this.viewSerial) return; // a newer state was asked for meanwhile
    this.laid = laid;
    this.timings.lastView = performance.now();
    this.dataset.boxes = String(laid.kind.length);
    const painter = this.painter;
    const selectedRef = this.selectedRef();
    this.selected = -1;
    if (painter) {
      painter.view = laid;
      painter.marks = this.boxMarks(laid);
      if (this.pendingCentre >= 0) {
        const box = this.boxOfNode(this.pendingCentre);
        this.pendingCentre = -1;
        this.select(box);
        painter.centre(box);
      } else if (selectedRef) this.select(this.findBox(selectedRef.kind, selectedRef.ref));
      if (this.needsFit && painter.size.width) this.fit(true);
      painter.schedule();
    }
  }

  private boxMarks(v: LaidOut): Mark[] {
    const marks: Mark[] = new Array(v.kind.length);
    for (let i = 0; i < v.kind.length; i++) {
      if (v.kind[i] === 0) {
        const s = this.worst.get(v.ref[i]!);
        marks[i] = s ? (isSevere(s) ? 'severe' : 'finding') : undefined;
      } else if (this.markedGroups.has(v.ref[i]!)) marks[i] = this.markedGroups.get(v.ref[i]!) ? 'severe' : 'finding';
    }
    return marks;
  }

  private painted(): void {
    if (this.timings.firstPaint === undefined && this.laid) this.timings.firstPaint = performance.now();
    this.dataset.paints = String(this.painter?.paints ?? 0);
  }

  private palette(): Palette {
    const style = getComputedStyle(this);
    const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    return {
      fg: get('--fg', '#1f2328'),
      muted: get('--muted', '#59636e'),
      bg: get('--bg', '#ffffff'),
      panel: get('--panel', '#f6f8fa'),
      line: get('--line', '#d1d9e0'),
      accent: get('--accent', '#0969da'),
      malicious: get('--malicious', '#cf222e'),
      suspicious: get('--suspicious', '#9a6700'),
    };
  }

  /** The palette a frame is drawn with, remembered so that a theme change can be noticed. */
  private framePalette(): Palette {
    const p = this.palette();
    this.paletteKey = paletteKey(p);
    return p;
  }

  private fit(readable = false): void {
    this.needsFit = false;
    this.painter?.fit(readable);
  }

  // ---- selection, expansion ----

  private selectedRef(): { kind: number; ref: number } | undefined {
    const v = this.laid;
    const i = this.painter?.selected ?? -1;
    return v && i >= 0 && i < v.kind.length ? { kind: v.kind[i]!, ref: v.ref[i]! } : undefined;
  }

  private findBox(kind: number, ref: number): number {
    const v = this.laid;
    if (!v) return -1;
    for (let i = 0; i < v.kind.length; i++) if (v.kind[i] === kind && v.ref[i] === ref) return i;
    return -1;
  }

  /** The box showing node `n` now: the node itself or its outermost collapsed group. */
  private boxOfNode(n: number): number {
    const own = this.findBox(0, n);
    if (own >= 0) return own;
    const chain: number[] = [];
    for (let g = this.summary?.parentOf[n] ?? 0; g > 0; g = this.summary!.groups[g]!.parent) chain.push(g);
    for (const g of chain.reverse()) {
      const box = this.findBox(1, g);
      if (box >= 0) return box;
    }
    return -1;
  }

  private select(box: number): void {
    this.selected = box;
    if (this.painter) {
      this.painter.selected = box;
      this.painter.schedule();
    }
    const v = this.laid;
    if (v && box >= 0 && v.kind[box] === 0) this.readNode(v.ref[box]!);
    this.dataset.selected = v && box >= 0 ? (v.kind[box] ? `group:${this.summary?.groups[v.ref[box]!]?.label ?? ''}` : String(this.input?.nodes[v.ref[box]!]?.name ?? '')) : '';
  }

  /** Where layout node `n` is in the file: its graph's path and its index there. */
  private whereIs(n: number): { graph: string; index: number } {
    const node = this.input?.nodes[n];
    const body = node && Number.isInteger(node.graph) ? this.input?.subgraphs?.[node.graph!] : undefined;
    return body ? { graph: String(body.path), index: n - Number(body.start) } : { graph: 'graph', index: n };
  }

  /** Asks the worker for node `n`'s attributes and value types (once per selection). */
  private readNode(n: number): void {
    if (this.reads?.node === n) return;
    const reads: PanelReads = { node: n, values: new Map() };
    this.reads = reads;
    if (!this.file || !this.api) return;
    const { graph, index } = this.whereIs(n);
    void this.api.nodeDetails(graph, index, String(this.input?.nodes[n]?.name ?? '')).then((details) => {
      if (this.reads !== reads) return;
      this.reads = { ...reads, details };
      this.dataset.details = failed(details) ? 'error' : 'ready';
    });
  }

  /** Reads a tensor's first values from the file now (the "show values" button). */
  private showValues(key: string, ref: TensorRef): void {
    const reads = this.reads;
    if (!reads || !this.api) return;
    reads.values.set(key, 'reading');
    this.requestUpdate();
    void this.api.tensorValues(ref).then((values) => {
      if (this.reads?.node !== reads.node) return;
      this.reads.values.set(key, values);
      this.requestUpdate();
    });
  }

  /** Expands a collapsed group box, or collapses the group a node box sits in. */
  toggle(box: number): Promise<void> {
    const v = this.laid;
    if (!v || box < 0 || !this.summary) return Promise.resolve();
    if (v.kind[box] === 1) {
      this.expanded.add(v.ref[box]!);
    } else {
      const parent = this.summary.parentOf[v.ref[box]!]!;
      if (parent <= 0) return Promise.resolve();
      this.collapse(parent);
      return this.relayout().then(() => this.select(this.findBox(1, parent)));
    }
    return this.relayout();
  }

  private collapse(group: number): void {
    this.expanded.delete(group);
    // collapsing hides everything inside: forget the inner groups' state too
    for (const g of [...this.expanded]) {
      for (let p = this.summary!.groups[g]!.parent; p > 0; p = this.summary!.groups[p]!.parent) {
        if (p === group) {
          this.expanded.delete(g);
          break;
        }
      }
    }
  }

  /** Opens every group around node `n`, then centres and selects it. */
  reveal(n: number): Promise<void> {
    if (!this.summary) return Promise.resolve();
    for (let g = this.summary.parentOf[n]!; g > 0; g = this.summary.groups[g]!.parent) this.expanded.add(g);
    this.pendingCentre = n;
    return this.relayout();
  }

  /** Where a box is on screen (client pixels): a node by name or a group by label; for tests and the bench. */
  screenPoint(kind: 'node' | 'group', name: string): { x: number; y: number } | undefined {
    const v = this.laid;
    const p = this.painter;
    if (!v || !p || !this.canvasEl || !this.summary || !this.input) return undefined;
    for (let i = 0; i < v.kind.length; i++) {
      const label = v.kind[i] ? this.summary.groups[v.ref[i]!]!.label : String(this.input.nodes[v.ref[i]!]!.name);
      if ((v.kind[i] === 1) === (kind === 'group') && label === name) {
        const r = this.canvasEl.getBoundingClientRect();
        return { x: r.left + p.tx + v.x[i]! * p.scale, y: r.top + p.ty + v.y[i]! * p.scale };
      }
    }
    return undefined;
  }

  /** Groups shown collapsed now (labels); for tests and the bench. */
  collapsedGroups(): string[] {
    const v = this.laid;
    if (!v || !this.summary) return [];
    return [...v.ref].filter((_, i) => v.kind[i] === 1).map((g) => this.summary!.groups[g]!.label);
  }

  /** Labels of the frames drawn around open groups, outermost first; for tests. */
  frameLabels(): string[] {
    return this.laid ? [...this.laid.frames.label] : [];
  }

  /** Where a frame's label band is on screen (client pixels), by the group's label; for tests. */
  frameLabelPoint(label: string): { x: number; y: number } | undefined {
    const f = this.laid?.frames;
    const p = this.painter;
    if (!f || !p || !this.canvasEl) return undefined;
    const k = f.label.indexOf(label);
    if (k < 0) return undefined;
    const r = this.canvasEl.getBoundingClientRect();
    return { x: r.left + p.tx + (f.x0[k]! + 12) * p.scale, y: r.top + p.ty + (f.y0[k]! + FRAME_LABEL / 2) * p.scale };
  }

  /** The finding mark of the selected box. */
  selectedMark(): Mark {
    return this.selected >= 0 ? this.painter?.marks[this.selected] : undefined;
  }

  // ---- input ----

  private bindPointer(canvas: HTMLCanvasElement): void {
    let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
    canvas.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
      canvas.setPointerCapture(e.pointerId);
      this.stageEl?.focus({ preventScroll: true });
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      canvas.classList.add('dragging');
      drag.x = e.clientX;
      drag.y = e.clientY;
      this.painter?.pan(dx, dy);
    });
    canvas.addEventListener('pointerup', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      canvas.classList.remove('dragging');
      const clicked = !drag.moved;
      drag = undefined;
      if (!clicked || !this.painter) return;
      const r = canvas.getBoundingClientRect();
      const box = this.painter.hit(e.clientX - r.left, e.clientY - r.top);
      if (box < 0) {
        // a frame's label band closes the group it frames
        const framed = this.painter.hitFrame(e.clientX - r.left, e.clientY - r.top);
        if (framed > 0) {
          this.collapseAndSelect(framed);
          return;
        }
      }
      this.select(box);
      if (box >= 0 && this.laid?.kind[box] === 1) void this.toggle(box);
    });
    canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = canvas.getBoundingClientRect();
        const lines = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
        this.painter?.zoom(Math.exp(-e.deltaY * lines * 0.0015), e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
  }

  private onKey = (e: KeyboardEvent) => {
    const p = this.painter;
    if (!p) return;
    if (e.shiftKey && e.key.startsWith('Arrow')) {
      // Shift+arrow: select the nearest box that way (the first box when none is selected)
      e.preventDefault();
      const next = this.neighbour(e.key.slice(5).toLowerCase() as 'left' | 'right' | 'up' | 'down');
      if (next >= 0) {
        this.select(next);
        if (!this.onScreen(next)) p.centre(next);
      }
      return;
    }
    const keys: Record<string, () => void> = {
      ArrowLeft: () => p.pan(KEY_PAN, 0),
      ArrowRight: () => p.pan(-KEY_PAN, 0),
      ArrowUp: () => p.pan(0, KEY_PAN),
      ArrowDown: () => p.pan(0, -KEY_PAN),
      '+': () => p.zoom(1.25),
      '=': () => p.zoom(1.25),
      '-': () => p.zoom(0.8),
      '0': () => this.fit(),
      Enter: () => void this.toggle(this.selected),
      Escape: () => this.select(-1),
      '/': () => this.searchEl?.focus(),
    };
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  };

  /** The box nearest the selected one in a direction (distance across it counts double); the top-left box when none is selected. */
  private neighbour(direction: 'left' | 'right' | 'up' | 'down'): number {
    const v = this.laid;
    if (!v || !v.kind.length) return -1;
    const from = this.selected;
    if (from < 0 || from >= v.kind.length) {
      let best = 0;
      for (let i = 1; i < v.kind.length; i++) if (v.y[i]! < v.y[best]! || (v.y[i] === v.y[best] && v.x[i]! < v.x[best]!)) best = i;
      return best;
    }
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < v.kind.length; i++) {
      if (i === from) continue;
      const dx = v.x[i]! - v.x[from]!;
      const dy = v.y[i]! - v.y[from]!;
      const along = direction === 'left' ? -dx : direction === 'right' ? dx : direction === 'up' ? -dy : dy;
      const across = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx);
      if (along <= 0) continue;
      const score = along + 2 * across;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  private onScreen(box: number): boolean {
    const v = this.laid;
    const p = this.painter;
    if (!v || !p) return false;
    const sx = p.tx + v.x[box]! * p.scale;
    const sy = p.ty + v.y[box]! * p.scale;
    return sx >= 0 && sy >= 0 && sx <= p.size.width && sy <= p.size.height;
  }

  private onSearch = (e: Event) => {
    const needle = (e.target as HTMLInputElement).value.trim().toLowerCase();
    this.hits = [];
    this.hitsTotal = 0;
    if (!needle || !this.input) return;
    const { nodes, values } = this.input;
    const found: Match[] = [];
    let total = 0;
    const add = (node: number, why: string) => {
      total++;
      if (found.length < MAX_MATCHES) found.push({ node, why });
    };
    const valueHit = new Uint8Array(values.length);
    values.forEach((v, i) => (valueHit[i] = String(v).toLowerCase().includes(needle) ? 1 : 0));
    nodes.forEach((n, i) => {
      if (String(n.name).toLowerCase().includes(needle)) add(i, 'name');
      else if (String(n.op).toLowerCase() === needle || `${n.domain ?? ''}.${n.op}`.toLowerCase() === needle) add(i, 'op');
      else {
        const v = [...n.outputs, ...n.inputs].find((x) => x >= 0 && valueHit[x]);
        if (v !== undefined) add(i, `tensor ${values[v]}`);
      }
    });
    this.hits = found;
    this.hitsTotal = total;
  };

  private onSearchKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && this.hits.length) {
      e.preventDefault();
      void this.reveal(this.hits[0]!.node);
    } else if (e.key === 'Escape') this.stageEl?.focus();
  };

  // ---- rendering ----

  override render() {
    const input = this.input ?? this.layoutInput();
    const layout = obj(obj(this.content.graph).layout);
    if (!input.nodes.length) return html`<p class="muted">This model's main graph has no nodes listed.</p>`;
    const v = this.laid;
    return html`
      <div class="bar">
        <input type="search" placeholder="Search node, op or tensor (press /)" aria-label="search the graph" @input=${this.onSearch} @keydown=${this.onSearchKey} />
        <button @click=${() => this.fit()} title="fit to screen (0)">Fit</button>
        <button @click=${() => this.painter?.zoom(1.25)} aria-label="zoom in">+</button>
        <button @click=${() => this.painter?.zoom(0.8)} aria-label="zoom out">−</button>
        <button class="findings-toggle" ?disabled=${!this.marks.length} aria-expanded=${this.showFindings ? 'true' : 'false'} @click=${() => (this.showFindings = !this.showFindings)}>
          Findings on the graph (${this.marks.length})
        </button>
        <span class="muted status">${v ? `${v.kind.length.toLocaleString()} boxes · ${input.nodes.length.toLocaleString()} nodes` : 'laying out…'}${layout.complete === false ? ' · only the first nodes are listed in the report' : ''}</span>
      </div>
      ${this.error ? html`<p class="severe">${this.error}</p>` : nothing}
      ${this.hits.length || this.hitsTotal ? this.matchList() : nothing}
      ${this.showFindings ? this.findingList() : nothing}
      <div class="main">
        <div class="stage" tabindex="0" role="application" aria-label="graph: arrows pan, Shift+arrows select the next box that way, + and − zoom, 0 fits, Enter opens or closes a group, Escape clears the selection, / searches" @keydown=${this.onKey}>
          <canvas></canvas>
        </div>
        <aside aria-live="polite">${this.panel()}</aside>
      </div>
    `;
  }

  private matchList() {
    const nodes = this.input?.nodes ?? [];
    return html`<p class="muted">${this.hitsTotal.toLocaleString()} match${this.hitsTotal === 1 ? '' : 'es'}${this.hitsTotal > this.hits.length ? `, first ${this.hits.length} listed` : ''}</p>
      <ul class="list matches">
        ${this.hits.map((m) => html`<li><button @click=${() => this.reveal(m.node)}><code>${String(nodes[m.node]?.name)}</code> · ${String(nodes[m.node]?.op)} <span class="muted">(${m.why})</span></button></li>`)}
      </ul>`;
  }

  private findingList() {
    const nodes = this.input?.nodes ?? [];
    return html`<ul class="list findings">
      ${this.marks.map(
        (m) => html`<li>
          <button @click=${() => this.reveal(m.nodes[0]!)}>
            <span class=${isSevere(m.finding.severity) ? 'severe' : 'finding'}>${m.finding.severity}</span> <code>${m.finding.rule}</code>
            at <code>${String(nodes[m.nodes[0]!]?.name)}</code>${m.nodes.length > 1 ? ` and ${m.nodes.length - 1} more nodes` : ''}
          </button>
        </li>`,
      )}
    </ul>`;
  }

  private panel() {
    const v = this.laid;
    const i = this.selected;
    if (!v || i < 0 || i >= v.kind.length || !this.summary || !this.input) {
      return html`<p class="muted">Click a box: a group opens, a node shows its attributes, inputs and outputs. Drag to pan, wheel to zoom; from the keyboard, Shift+arrows select, Enter opens, arrows pan.</p>`;
    }
    const crumbs = (start: number) => {
      const chain: number[] = [];
      for (let g = start; g > 0; g = this.summary!.groups[g]!.parent) chain.push(g);
      chain.reverse();
      return chain.length
        ? html`<div class="crumbs">${chain.map((g) => html`<button title="collapse" @click=${() => this.collapseAndSelect(g)}>${this.summary!.groups[g]!.label || 'group'} ▴</button>`)}</div>`
        : nothing;
    };
    if (v.kind[i] === 1) {
      const g = this.summary.groups[v.ref[i]!]!;
      return html`${crumbs(g.parent)}<h4>${g.label || 'group'}</h4>
        <p>${GROUP_KINDS[g.kind] ?? g.kind}: ${g.size.toLocaleString()} nodes. <button @click=${() => this.toggle(i)}>Open</button></p>
        ${this.groupFindings(v.ref[i]!)}`;
    }
    const n = v.ref[i]!;
    const node = this.input.nodes[n]!;
    const own = this.marks.filter((m) => m.nodes.includes(n));
    const { graph, index } = this.whereIs(n);
    const reads = this.reads?.node === n ? this.reads : undefined;
    const details = reads?.details;
    const head = html`${crumbs(this.summary.parentOf[n]!)}<h4>${String(node.name)}</h4>
      <table>
        <tr><th>op</th><td><code>${node.domain ? `${node.domain}.` : ''}${String(node.op)}</code></td></tr>
        <tr><th>node</th><td>${graph === 'graph' ? `#${index}` : html`#${index} of <code>${graph}</code>`}</td></tr>
      </table>`;
    const findings = own.length
      ? html`<h4>Findings</h4><ul>${own.map((m) => html`<li class=${isSevere(m.finding.severity) ? 'severe' : 'finding'}>${m.finding.severity} <code>${m.finding.rule}</code>: ${m.finding.message}</li>`)}</ul>`
      : nothing;
    if (details && !failed(details)) {
      return html`${head}${this.attributeTable(details, graph, index)}
        <h4>Inputs</h4>${this.valueTable(details.inputs, graph)}
        <h4>Outputs</h4>${this.valueTable(details.outputs, graph)}
        ${findings}`;
    }
    // without the file (or before its answer): what the report holds
    const values = this.input.values;
    const tensors = new Map(arr<TensorInfo>(this.content.tensors).map((t) => [t.name, t]));
    const signature = new Map([...arr<{ name: string; type: string }>(obj(this.content.graph).inputs), ...arr<{ name: string; type: string }>(obj(this.content.graph).outputs)].map((s) => [s.name, s.type]));
    const valueRow = (x: number) => {
      const name = x < 0 ? '' : String(values[x] ?? `#${x}`);
      const t = tensors.get(name);
      return html`<tr>
        <td><code>${x < 0 ? '∅ (omitted)' : name}</code></td>
        <td>${t ? html`initializer ${String(t.dtype ?? '')} [${arr<number>(t.shape).join(', ')}] · ${Number(t.bytes ?? 0).toLocaleString()} bytes${t.storage === 'external' ? html` · <span class="finding">external ${String(t.file ?? '')}</span>` : nothing}` : signature.get(name) ?? ''}</td>
      </tr>`;
    };
    const note = !this.file
      ? 'Attributes and intermediate shapes are read from the file, which this page does not hold (a report from the history or a link): drop the file again to see them.'
      : failed(details)
        ? `The file could not be read for this node: ${details.error}`
        : 'Reading the node from the file…';
    return html`${head}
      <p class=${failed(details) ? 'severe attributes-note' : 'muted attributes-note'}>${note}</p>
      <h4>Inputs</h4>
      <table>${arr<number>(node.inputs).map(valueRow)}</table>
      <h4>Outputs</h4>
      <table>${arr<number>(node.outputs).map(valueRow)}</table>
      ${findings}`;
  }

  private attributeTable(details: NodeDetails, graph: string, index: number) {
    if (!details.attributes.length) return html`<p class="muted">No attributes.</p>`;
    return html`<h4>Attributes</h4>
      <table class="attributes">
        ${details.attributes.map(
          (a) => html`<tr>
            <th><code>${a.name}</code></th>
            <td>
              <code>${a.value}</code>
              ${a.type === 'TENSOR' ? this.valuesButton(`attr:${a.name}`, { graph, node: index, attribute: a.name }) : nothing}
            </td>
          </tr>`,
        )}
      </table>
      ${details.attributesTotal > details.attributes.length ? html`<p class="muted">first ${details.attributes.length} of ${details.attributesTotal} attributes</p>` : nothing}`;
  }

  private valueTable(list: ValueDetail[], graph: string) {
    return html`<table class="values">
      ${list.map((v) => {
        const t = v.initializer;
        return html`<tr>
          <td><code>${v.name ? v.name : '∅ (omitted)'}</code></td>
          <td>
            ${t
              ? html`initializer <code>${t.dtype}[${t.dims.join(', ')}]</code> · ${t.bytes === null ? '?' : t.bytes.toLocaleString()} bytes · ${t.storage}${t.storage === 'external' ? html` <span class="finding">${t.file ?? ''}</span>` : nothing}
                  ${this.valuesButton(`init:${v.name}`, { graph, initializer: v.name })}`
              : v.type
                ? html`<code>${v.type}</code> <span class="muted">${v.source === 'value_info' ? '' : `(${v.source})`}</span>`
                : v.name
                  ? html`<span class="muted">shape not recorded</span>`
                  : nothing}
          </td>
        </tr>`;
      })}
    </table>`;
  }

  /** The "show values" button of a tensor, or the values once read. */
  private valuesButton(key: string, ref: TensorRef) {
    const got = this.reads?.values.get(key);
    if (got === undefined) return html`<button class="show-values" @click=${() => this.showValues(key, ref)}>Show values</button>`;
    if (got === 'reading') return html`<span class="muted">reading…</span>`;
    if (failed(got)) return html`<p class="severe">${got.error}</p>`;
    const total = got.total === null ? '?' : got.total.toLocaleString();
    return html`<div class="tensor-values">
      <p class="muted">${got.values.length ? `first ${got.values.length.toLocaleString()} of ${total} values` : 'no values stored'} · from ${got.storage} · ${got.bytesRead.toLocaleString()} bytes read</p>
      ${got.values.length ? html`<code class="values-text">${got.values.join(', ')}</code>` : nothing}
    </div>`;
  }

  private groupFindings(group: number) {
    if (!this.markedGroups.has(group)) return nothing;
    return html`<p class=${this.markedGroups.get(group) ? 'severe' : 'finding'}>Holds nodes that findings point at.</p>`;
  }

  private collapseAndSelect(group: number): void {
    this.collapse(group);
    void this.relayout().then(() => this.select(this.findBox(1, group)));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'graph-view': GraphViewElement;
  }
}
