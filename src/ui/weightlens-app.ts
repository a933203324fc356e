// The page: pick or drop files, analyse each in the engine worker, show reports.
// (A worker pool, folders, history and sharing build on this.)
import * as Comlink from 'comlink';
import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Report } from '../engine/report.js';
import type { EngineWorkerApi } from '../worker/engine-worker.js';
import './report-card.js';

interface Entry {
  id: number;
  path: string;
  report?: Report;
  error?: string;
  hashProgress?: number;
}

@customElement('weightlens-app')
export class WeightlensApp extends LitElement {
  @state() private entries: Entry[] = [];
  @state() private dragging = false;
  private nextId = 0;
  private readonly engine = Comlink.wrap<EngineWorkerApi>(
    new Worker(new URL('../worker/engine-worker.ts', import.meta.url), { type: 'module' }),
  );

  static override styles = css`
    :host { display: block; max-width: 60rem; margin: 0 auto; padding: 1rem; font-family: system-ui, sans-serif; }
    .drop { border: 2px dashed #8c959f; border-radius: 8px; padding: 2rem; text-align: center; }
    .drop.over { border-color: #0969da; background: #ddf4ff; }
    .error { color: #cf222e; }
  `;

  override render() {
    return html`
      <h1>Weightlens</h1>
      <p>Look inside model files before anyone loads them. Files never leave this machine.</p>
      <div
        class="drop ${this.dragging ? 'over' : ''}"
        @dragover=${(e: DragEvent) => { e.preventDefault(); this.dragging = true; }}
        @dragleave=${() => { this.dragging = false; }}
        @drop=${this.onDrop}
      >
        Drop model files here, or
        <input type="file" multiple aria-label="Choose model files" @change=${this.onPick} />
      </div>
      ${this.entries.map((entry) =>
        entry.report
          ? html`<report-card .report=${entry.report} .hashProgress=${entry.hashProgress}></report-card>`
          : html`<p class=${entry.error ? 'error' : ''}>${entry.path}: ${entry.error ?? 'analysing…'}</p>`,
      )}
    `;
  }

  private onPick(event: Event) {
    const input = event.target as HTMLInputElement;
    this.analyse([...(input.files ?? [])]);
    input.value = '';
  }

  private onDrop(event: DragEvent) {
    event.preventDefault();
    this.dragging = false;
    this.analyse([...(event.dataTransfer?.files ?? [])]);
  }

  private analyse(files: File[]) {
    for (const file of files) void this.analyseOne(file);
  }

  private async analyseOne(file: File) {
    const entry: Entry = { id: this.nextId++, path: file.webkitRelativePath || file.name };
    this.entries = [entry, ...this.entries];
    const update = (patch: Partial<Entry>) => {
      this.entries = this.entries.map((e) => (e.id === entry.id ? { ...e, ...patch } : e));
    };
    try {
      const report = await this.engine.scan(file, entry.path);
      update({ report, hashProgress: 0 });
      // The verdict is on screen; the hash follows.
      const sha256 = await this.engine.sha256(file, Comlink.proxy((done: number) => update({ hashProgress: file.size ? done / file.size : 1 })));
      update({ report: { ...report, file: { ...report.file, sha256 } }, hashProgress: undefined });
    } catch (error) {
      update({ error: `could not be analysed: ${(error as Error).message ?? String(error)}` });
    }
  }
}
