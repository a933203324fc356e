// An ONNX model at a glance: producer, opsets, signature, operator counts,
// domains, external data, subgraphs, and a plain list of the graph's nodes.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from './theme.js';
import { virtualRowsStyles } from './virtual-rows.js';

interface Signature { name: string; type: string }
interface LayoutNode { name: string; op: string; domain?: string; inputs: number[]; outputs: number[]; graph?: number }

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

@customElement('onnx-summary')
export class OnnxSummary extends LitElement {
  @property({ attribute: false }) content: Record<string, unknown> = {};
  @state() private nodeFilter = '';

  static override styles = [
    baseStyles,
    virtualRowsStyles,
    css`
      .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 0.5rem 1.5rem; }
      h4 { margin: 0.8rem 0 0.3rem; }
      .node { display: grid; grid-template-columns: minmax(10rem, 2fr) 10rem 3fr; gap: 0 0.5rem; padding: 0 0.3rem; height: 100%; align-items: center; }
      .node span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .custom { color: var(--suspicious); font-weight: 600; }
    `,
  ];

  override render() {
    const c = this.content;
    const model = obj(c.model);
    const graph = obj(c.graph);
    const layout = obj(graph.layout);
    const values = arr<string>(layout.values);
    const nodes = arr<LayoutNode>(layout.nodes);
    const needle = this.nodeFilter.trim().toLowerCase();
    const shown = needle ? nodes.filter((n) => String(n.name).toLowerCase().includes(needle) || String(n.op).toLowerCase().includes(needle)) : nodes;
    const ops = Object.entries(obj(c.ops)).sort((a, b) => Number(b[1]) - Number(a[1]));
    const name = (i: number) => (i < 0 ? '∅' : String(values[i] ?? `#${i}`));
    const bodies = arr<{ path?: unknown }>(layout.subgraphs);
    const bodyOf = (n: LayoutNode) => (Number.isInteger(n.graph) && bodies[n.graph!] ? String(bodies[n.graph!]!.path) : '');
    return html`
      <div class="cols">
        <div>
          <h4>Model</h4>
          <table>
            <tr><th>IR version</th><td>${String(model.irVersion ?? '—')}</td></tr>
            <tr><th>producer</th><td>${String(model.producerName ?? '')} ${String(model.producerVersion ?? '')}</td></tr>
            <tr><th>opsets</th><td>${arr<{ domain: string; version: number }>(c.opsets).map((o) => `${o.domain} ${o.version}`).join(', ')}</td></tr>
            <tr><th>nodes</th><td>${String(c.nodesTotal ?? nodes.length)}</td></tr>
            <tr><th>parameters</th><td>${typeof c.parameters === 'number' ? c.parameters.toLocaleString() : '—'}</td></tr>
          </table>
          ${model.docString ? html`<p class="muted">${String(model.docString)}</p>` : nothing}
        </div>
        <div>
          <h4>Inputs</h4>
          ${this.signature(arr<Signature>(graph.inputs))}
          <h4>Outputs</h4>
          ${this.signature(arr<Signature>(graph.outputs))}
        </div>
        <div>
          <h4>Domains</h4>
          <table>
            ${arr<{ domain: string; kind: string; nodes: number }>(c.domains).map((d) => html`<tr><td><code>${d.domain}</code></td><td class=${d.kind === 'custom' ? 'custom' : ''}>${d.kind}</td><td>${d.nodes}</td></tr>`)}
          </table>
        </div>
      </div>
      ${arr(c.externalData).length
        ? html`<h4>External data</h4>
            <table>
              <tr><th>location</th><th>status</th><th>tensors</th><th>bytes</th></tr>
              ${arr<Record<string, unknown>>(c.externalData).map((e) => html`<tr><td><code>${String(e.location)}</code></td><td>${String(e.status)}</td><td>${String(e.tensors ?? '')}</td><td>${String(e.bytes ?? '')}</td></tr>`)}
            </table>`
        : nothing}
      ${arr(c.subgraphs).length
        ? html`<h4>Subgraphs</h4>
            <ul>${arr<Record<string, unknown>>(c.subgraphs).slice(0, 200).map((s) => html`<li><code>${String(s.path)}</code> — ${String(s.nodes)} nodes</li>`)}</ul>`
        : nothing}
      <h4>Operators</h4>
      <p>${ops.slice(0, 60).map(([op, n]) => html`<code>${op}</code>×${String(n)} `)}${ops.length > 60 ? html`<span class="muted">… ${ops.length - 60} more</span>` : nothing}</p>
      <h4>Nodes</h4>
      <input type="search" placeholder="Filter by node name or op" aria-label="Filter nodes" .value=${this.nodeFilter} @input=${(e: Event) => (this.nodeFilter = (e.target as HTMLInputElement).value)} />
      <span class="muted">${shown.length.toLocaleString()} of ${nodes.length.toLocaleString()}${bodies.length ? ' (the main graph, then its If/Loop/Scan bodies)' : ''}${layout.complete === false ? ' (the first nodes of the graph)' : ''}</span>
      <virtual-rows
        .count=${shown.length}
        .rowHeight=${24}
        .renderRow=${(i: number) => {
          const n = shown[i]!;
          const io = `${arr<number>(n.inputs).map(name).join(', ')} → ${arr<number>(n.outputs).map(name).join(', ')}`;
          const body = bodyOf(n);
          return html`<div class="node"><span class="mono" title=${body ? `${String(n.name)} in ${body}` : String(n.name)}>${body ? html`<span class="muted">${body} › </span>` : nothing}${String(n.name)}</span><span class=${n.domain ? 'custom' : ''}>${n.domain ? `${n.domain}.` : ''}${String(n.op)}</span><span class="mono" title=${io}>${io}</span></div>`;
        }}
      ></virtual-rows>
    `;
  }

  private signature(list: Signature[]) {
    if (!list.length) return html`<p class="muted">none</p>`;
    return html`<table>${list.map((s) => html`<tr><td><code>${String(s.name)}</code></td><td class="mono">${String(s.type)}</td></tr>`)}</table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onnx-summary': OnnxSummary;
  }
}
