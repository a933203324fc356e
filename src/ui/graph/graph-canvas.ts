// Draws a laid-out graph on one canvas (no element per node): boxes, edges
// and labels, culled to the viewport, with pan and zoom. Redraws at most once
// per animation frame, only when something changed. Text is drawn with
// fillText, so names from the file are never markup.
import { FRAME_LABEL, type GraphView } from '../../graph/view.js';

/** Colours, read from the host's custom properties at each frame (a theme change is picked up). */
export interface Palette {
  fg: string;
  muted: string;
  bg: string;
  panel: string;
  line: string;
  accent: string;
  malicious: string;
  suspicious: string;
}

export type Mark = 'severe' | 'finding' | undefined;

/** Screen pixels per world unit, bounds of the zoom. */
export const MIN_SCALE = 0.002;
export const MAX_SCALE = 4;
/** Below this many screen pixels per box height, labels are not drawn (unreadable anyway, and slow). */
const LABEL_MIN_PX = 13;
/** The first screen is never drawn smaller than this: labels stay legible, the rest is a pan away. */
const READABLE_SCALE = 0.75;
/** Frames smaller than this on screen (CSS pixels) are not drawn. */
const FRAME_MIN_PX = 12;
/** Frames in view past which they are outlined only: filling thousands of overlapping rectangles costs software rasterisation a frame. */
const MAX_FILLED_FRAMES = 400;
/** Edges in view past which they are drawn straight rather than curved. */
const CURVED_EDGES_MAX = 4000;

export class GraphCanvas {
  view?: GraphView;
  /** Per box: a finding mark; set with the view. */
  marks: Mark[] = [];
  selected = -1;
  scale = 1;
  tx = 0;
  ty = 0;
  /** Durations of the last frames' drawing, ms (the bench reads them). */
  readonly frameMs: number[] = [];
  paints = 0;
  private frame = 0;
  /** Reused per frame: no garbage for 10^5 edges at 60 frames a second. */
  private edgeVisible = new Uint8Array(0);
  private cssWidth = 0;
  private cssHeight = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly palette: () => Palette,
    private readonly onPaint: () => void,
  ) {}

  /** Called by the ResizeObserver: new CSS size, device pixels follow devicePixelRatio. */
  resize(width: number, height: number): void {
    const dpr = globalThis.devicePixelRatio || 1;
    this.cssWidth = width;
    this.cssHeight = height;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.schedule();
  }

  get size(): { width: number; height: number } {
    return { width: this.cssWidth, height: this.cssHeight };
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  /** The whole graph on screen; `readable`: not smaller than labels need, from the top (the first screen). */
  fit(readable = false): void {
    const v = this.view;
    if (!v || !this.cssWidth) return;
    const margin = 24;
    let s = Math.min((this.cssWidth - 2 * margin) / Math.max(1, v.width), (this.cssHeight - 2 * margin) / Math.max(1, v.height), 1.2);
    if (readable && s < READABLE_SCALE) {
      this.scale = READABLE_SCALE;
      this.tx = (this.cssWidth - v.width * this.scale) / 2;
      this.ty = margin;
      this.schedule();
      return;
    }
    this.scale = s = Math.max(MIN_SCALE, s);
    this.tx = (this.cssWidth - v.width * this.scale) / 2;
    this.ty = Math.max(margin, (this.cssHeight - v.height * this.scale) / 2);
    this.schedule();
  }

  /** Zoom by `factor` keeping the world point under (sx, sy) in place. */
  zoom(factor: number, sx = this.cssWidth / 2, sy = this.cssHeight / 2): void {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const k = next / this.scale;
    this.tx = sx - (sx - this.tx) * k;
    this.ty = sy - (sy - this.ty) * k;
    this.scale = next;
    this.schedule();
  }

  pan(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
    this.schedule();
  }

  /** Centres box `i`, zooming in so that it is readable. */
  centre(i: number): void {
    const v = this.view;
    if (!v || i < 0 || i >= v.x.length) return;
    if (this.scale < 0.8) this.scale = 1;
    this.tx = this.cssWidth / 2 - v.x[i]! * this.scale;
    this.ty = this.cssHeight / 2 - v.y[i]! * this.scale;
    this.schedule();
  }

  /** The box under a point in CSS pixels, or -1. */
  hit(sx: number, sy: number): number {
    const v = this.view;
    if (!v) return -1;
    const wx = (sx - this.tx) / this.scale;
    const wy = (sy - this.ty) / this.scale;
    for (let i = 0; i < v.x.length; i++) {
      if (Math.abs(wx - v.x[i]!) <= v.w[i]! / 2 && Math.abs(wy - v.y[i]!) <= v.h[i]! / 2) return i;
    }
    return -1;
  }

  /** The group whose frame label band is under a point in CSS pixels (the innermost), or -1. */
  hitFrame(sx: number, sy: number): number {
    const v = this.view;
    if (!v) return -1;
    const wx = (sx - this.tx) / this.scale;
    const wy = (sy - this.ty) / this.scale;
    const f = v.frames;
    for (let k = f.group.length - 1; k >= 0; k--) {
      if (wx >= f.x0[k]! && wx <= f.x1[k]! && wy >= f.y0[k]! && wy <= f.y0[k]! + FRAME_LABEL) return f.group[k]!;
    }
    return -1;
  }

  /** Draws now (a pending frame is dropped: it would draw the same). */
  draw(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const t0 = performance.now();
    const ctx = this.canvas.getContext('2d');
    const v = this.view;
    if (!ctx) return;
    const p = this.palette();
    const dpr = this.canvas.width / Math.max(1, this.cssWidth);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!v) return;
    const s = this.scale;
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * this.tx, dpr * this.ty);
    // the viewport in world units, with a margin
    const left = -this.tx / s - 50;
    const top = -this.ty / s - 50;
    const right = (this.cssWidth - this.tx) / s + 50;
    const bottom = (this.cssHeight - this.ty) / s + 50;
    const n = v.x.length;
    const inView = (i: number) => v.x[i]! + v.w[i]! / 2 >= left && v.x[i]! - v.w[i]! / 2 <= right && v.y[i]! + v.h[i]! / 2 >= top && v.y[i]! - v.h[i]! / 2 <= bottom;

    // frames around open groups, under everything else: one path (thousands with every group open)
    const f = v.frames;
    const framesShown: number[] = [];
    ctx.beginPath();
    for (let k = 0; k < f.group.length; k++) {
      if (f.x1[k]! < left || f.x0[k]! > right || f.y1[k]! < top || f.y0[k]! > bottom) continue;
      if ((f.x1[k]! - f.x0[k]!) * s < FRAME_MIN_PX || (f.y1[k]! - f.y0[k]!) * s < FRAME_MIN_PX) continue; // a speck: its boxes say enough
      framesShown.push(k);
      ctx.rect(f.x0[k]!, f.y0[k]!, f.x1[k]! - f.x0[k]!, f.y1[k]! - f.y0[k]!);
    }
    if (framesShown.length) {
      if (framesShown.length <= MAX_FILLED_FRAMES) {
        ctx.globalAlpha = 0.4;
        ctx.fillStyle = p.panel;
        ctx.fill();
      }
      ctx.globalAlpha = 0.9;
      ctx.lineWidth = Math.max(1 / s, 1);
      ctx.strokeStyle = p.line;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    if (s * FRAME_LABEL >= LABEL_MIN_PX - 4) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.fillStyle = p.muted;
      for (const k of framesShown) ctx.fillText(`${f.label[k]!} ▴`, f.x0[k]! + 6, f.y0[k]! + FRAME_LABEL / 2 + 2, f.x1[k]! - f.x0[k]! - 12);
    }

    // edges: one path; a curve from the bottom of one box to the top of the other
    let edgesInView = 0;
    const m = v.edgeFrom.length;
    if (this.edgeVisible.length < m) this.edgeVisible = new Uint8Array(m);
    const edgeVisible = this.edgeVisible;
    for (let e = 0; e < m; e++) {
      const a = v.edgeFrom[e]!;
      const b = v.edgeTo[e]!;
      const x0 = Math.min(v.x[a]!, v.x[b]!);
      const x1 = Math.max(v.x[a]!, v.x[b]!);
      const y0 = Math.min(v.y[a]!, v.y[b]!);
      const y1 = Math.max(v.y[a]!, v.y[b]!);
      const seen = x1 >= left && x0 <= right && y1 >= top && y0 <= bottom;
      edgeVisible[e] = seen ? 1 : 0;
      if (seen) edgesInView++;
    }
    const curved = edgesInView <= CURVED_EDGES_MAX;
    ctx.lineWidth = Math.max(1 / s, 1);
    ctx.strokeStyle = p.muted;
    ctx.globalAlpha = 0.55;
    ctx.beginPath();
    for (let e = 0; e < m; e++) {
      if (!edgeVisible[e]) continue;
      const a = v.edgeFrom[e]!;
      const b = v.edgeTo[e]!;
      const ax = v.x[a]!;
      const ay = v.y[a]! + v.h[a]! / 2;
      const bx = v.x[b]!;
      const by = v.y[b]! - v.h[b]! / 2;
      ctx.moveTo(ax, ay);
      if (curved) {
        const bend = Math.max(24, Math.abs(by - ay) / 2);
        ctx.bezierCurveTo(ax, ay + bend, bx, by - bend, bx, by);
      } else ctx.lineTo(bx, by);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;

    // boxes: plain nodes in one path, groups in another, marked ones on top
    const shown: number[] = [];
    for (let i = 0; i < n; i++) if (inView(i)) shown.push(i);
    const rect = (i: number) => ctx.rect(v.x[i]! - v.w[i]! / 2, v.y[i]! - v.h[i]! / 2, v.w[i]!, v.h[i]!);
    ctx.lineWidth = Math.max(1 / s, 1);
    for (const group of [0, 1]) {
      ctx.beginPath();
      for (const i of shown) if (v.kind[i] === group) rect(i);
      ctx.fillStyle = group ? p.bg : p.panel;
      ctx.fill();
      ctx.strokeStyle = group ? p.accent : p.line;
      ctx.lineWidth = group ? Math.max(2 / s, 2) : Math.max(1 / s, 1);
      ctx.stroke();
    }
    for (const i of shown) {
      const mark = this.marks[i];
      if (!mark && i !== this.selected) continue;
      ctx.beginPath();
      rect(i);
      if (mark) {
        ctx.strokeStyle = mark === 'severe' ? p.malicious : p.suspicious;
        ctx.lineWidth = Math.max(3 / s, 3);
        ctx.stroke();
      }
      if (i === this.selected) {
        ctx.strokeStyle = p.accent;
        ctx.lineWidth = Math.max(3 / s, 3);
        ctx.setLineDash([6 / s, 3 / s]);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }

    // labels, only where readable
    if (s * 30 >= LABEL_MIN_PX) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (const i of shown) {
        const cx = v.x[i]!;
        const cy = v.y[i]!;
        ctx.fillStyle = this.marks[i] === 'severe' ? p.malicious : this.marks[i] ? p.suspicious : p.fg;
        ctx.font = v.kind[i] ? '600 12px system-ui, sans-serif' : '11px system-ui, sans-serif';
        ctx.fillText(v.title[i]!, cx, cy - (v.kind[i] ? 7 : 6), v.w[i]! - 6);
        ctx.fillStyle = p.muted;
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(v.detail[i]!, cx, cy + (v.kind[i] ? 9 : 7), v.w[i]! - 6);
      }
    }
    this.paints++;
    this.frameMs.push(performance.now() - t0);
    if (this.frameMs.length > 600) this.frameMs.splice(0, 300);
    this.onPaint();
  }
}
