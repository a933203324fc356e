// The queue: every file handed over, its state (waiting, analysing, hashing
// with progress and MB/s, done), its verdict once known, and a cancel button.
// With several files this is also the summary table: file, format, verdict,
// worst finding.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { worstFinding } from '../engine/verdict.js';
import type { Job } from '../jobs/analysis-jobs.js';
import { formatSize } from '../engine/export/common.js';
import { baseStyles, VERDICT_SYMBOL } from './theme.js';

@customElement('file-queue')
export class FileQueue extends LitElement {
  @property({ attribute: false }) jobs: readonly Job[] = [];

  static override styles = [
    baseStyles,
    css`
      table { width: 100%; }
      td { overflow-wrap: anywhere; }
      td.path { min-width: 12rem; }
      .worst { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
      button, .badge, td.size { white-space: nowrap; }
      .state { white-space: nowrap; }
      progress { width: 6rem; vertical-align: middle; }
      a { color: var(--accent); }
      .failed { color: var(--malicious); }
    `,
  ];

  override render() {
    if (!this.jobs.length) return nothing;
    return html`<table aria-label="files">
      <thead><tr><th>file</th><th>size</th><th>format</th><th>state</th><th>verdict</th><th>worst finding</th><th></th></tr></thead>
      <tbody>
        ${this.jobs.map((job) => {
          const r = job.report;
          const worst = r ? worstFinding(r.findings) : undefined;
          const active = job.state === 'waiting' || job.state === 'analysing' || job.state === 'hashing';
          return html`<tr data-job=${job.id}>
            <td class="path">${r ? html`<a href="#" @click=${(e: Event) => this.show(e, job.id)}>${job.path}</a>` : job.path}</td>
            <td class="size">${formatSize(job.size)}</td>
            <td>${r?.formatLabel ?? ''}</td>
            <td class="state ${job.state === 'failed' ? 'failed' : ''}">${this.renderState(job)}</td>
            <td>
              ${r
                ? html`<span class="badge v-${r.verdict}">${VERDICT_SYMBOL[r.verdict]} ${r.verdict}</span>`
                : job.state === 'failed' || job.state === 'cancelled'
                  ? html`<span class="badge v-unsupported">? not analysed</span>`
                  : nothing}
            </td>
            <td><div class="worst" title=${worst?.message ?? ''}>${worst ? `${worst.severity}: ${worst.message}` : job.error ?? ''}</div></td>
            <td>${active ? html`<button aria-label="cancel ${job.path}" @click=${() => this.emit('cancel', job.id)}>cancel</button>` : html`<button aria-label="remove ${job.path}" @click=${() => this.emit('remove', job.id)}>remove</button>`}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderState(job: Job) {
    switch (job.state) {
      case 'hashing': {
        const pct = job.size ? (job.hashed ?? 0) / job.size : 1;
        return html`hashing <progress max="1" .value=${pct} aria-label="hashing ${job.path}"></progress> ${Math.floor(pct * 100)}%${job.hashRate ? ` · ${job.hashRate.toFixed(0)} MB/s` : ''}`;
      }
      case 'failed':
        return 'failed';
      case 'done':
        return job.hashNote ? `done (${job.hashNote})` : 'done';
      default:
        return job.state;
    }
  }

  private show(event: Event, id: number) {
    event.preventDefault();
    this.emit('show', id);
  }

  private emit(type: string, id: number) {
    this.dispatchEvent(new CustomEvent(type, { detail: id, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'file-queue': FileQueue;
  }
}
