// A Keras model at a glance: its layers with shapes and parameter counts, and
// any Lambda code the config carries, summarised as the names and strings it uses.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme.js';
import { virtualRowsStyles } from './virtual-rows.js';

interface Layer { path: string; name?: string; className: string; module?: string; inputShape?: unknown; outputShape?: unknown; parameters: number | null }
interface Lambda { path: string; layer?: string; kind: string; names?: string[]; strings?: string[]; text?: string; error?: string }

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const shape = (v: unknown) => (Array.isArray(v) ? `(${v.map((d) => (d === null ? 'None' : String(d))).join(', ')})` : '');

@customElement('keras-model')
export class KerasModel extends LitElement {
  @property({ attribute: false }) content: Record<string, unknown> = {};

  static override styles = [
    baseStyles,
    virtualRowsStyles,
    css`
      .layer { display: grid; grid-template-columns: minmax(12rem, 2fr) 10rem 1fr 1fr 7rem; gap: 0 0.5rem; padding: 0 0.3rem; height: 100%; align-items: center; }
      .layer span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .num { text-align: right; font-variant-numeric: tabular-nums; }
      .lambda { border: 1px solid var(--malicious); border-radius: 6px; padding: 0.4rem 0.6rem; margin: 0.4rem 0; overflow-wrap: anywhere; }
    `,
  ];

  override render() {
    const keras = obj(this.content.keras);
    const model = obj(keras.model);
    const layers = arr<Layer>(model.layers);
    const lambdas = arr<Lambda>(keras.lambdas);
    return html`
      <p>
        ${String(model.className ?? 'model')} ${model.name ? html`<code>${String(model.name)}</code>` : nothing} · Keras ${String(keras.kerasVersion ?? '?')}${keras.backend ? ` (${String(keras.backend)})` : ''} ·
        ${typeof model.parameters === 'number' ? `${model.parameters.toLocaleString()} parameters` : 'parameters unknown'}${Number(model.parametersUnknown) > 0 ? ` (+ ${String(model.parametersUnknown)} layers not counted)` : ''}
      </p>
      ${lambdas.map(
        (l) => html`<div class="lambda">
          <strong>Lambda code</strong> at <code>${l.path}</code>${l.layer ? html` (layer <code>${l.layer}</code>)` : nothing}:
          ${l.names?.length ? html`<div>names: <code>${l.names.join(', ')}</code></div>` : nothing}
          ${l.strings?.length ? html`<div>strings: <code>${l.strings.map((s) => JSON.stringify(s)).join(', ')}</code></div>` : nothing}
          ${l.text ? html`<div>text: <code>${l.text}</code></div>` : nothing} ${l.error ? html`<div class="muted">${l.error}</div>` : nothing}
        </div>`,
      )}
      <div class="layer header"><strong>layer</strong><strong>class</strong><strong>input</strong><strong>output</strong><strong class="num">parameters</strong></div>
      <virtual-rows
        .count=${layers.length}
        .rowHeight=${24}
        .renderRow=${(i: number) => {
          const l = layers[i]!;
          return html`<div class="layer">
            <span class="mono" title=${l.path}>${l.path}</span>
            <span title=${l.module ?? ''}>${l.className}</span>
            <span class="mono">${shape(l.inputShape)}</span>
            <span class="mono">${shape(l.outputShape)}</span>
            <span class="num">${typeof l.parameters === 'number' ? l.parameters.toLocaleString() : '?'}</span>
          </div>`;
        }}
      ></virtual-rows>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'keras-model': KerasModel;
  }
}
