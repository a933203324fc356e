// The page: files in, a pool of engine workers, the queue, and one report per
// file; history and settings in IndexedDB. Nothing here sends a byte anywhere.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Report } from '../engine/report.js';
import type { TensorStatsResult } from '../engine/tensor-stats.js';
import { AnalysisJobs, type Job } from '../jobs/analysis-jobs.js';
import type { Collected } from '../intake/dropped-files.js';
import { ReportHistory, type HistoryListing } from '../store/history.js';
import { MAX_REPORT_TEXT_CHARS, parseReport, readReport } from '../engine/report-reader.js';
import { decodeReportLink, LINK_PREFIX } from '../share/report-link.js';
import { DEFAULT_SETTINGS, SettingsStore, type Settings, type Theme } from '../store/settings.js';
import { WorkerPool } from '../worker/worker-pool.js';
import type { FileAccess } from './report-view.js';
import { baseStyles, themeTokens } from './theme.js';
import './drop-zone.js';
import './file-queue.js';
import './history-panel.js';
import './report-actions.js';
import './report-view.js';
import './settings-panel.js';

type View = 'analyse' | 'history' | 'settings' | 'shared';

/** A disassembly page or tensor statistics: a few seconds at most. */
const READ_TIME_LIMIT_MS = 30_000;

@customElement('weightlens-app')
export class WeightlensApp extends LitElement {
  @property({ reflect: true }) theme: Theme = 'system';
  @state() private view: View = 'analyse';
  @state() private jobs: readonly Job[] = [];
  @state() private notices: string[] = [];
  @state() private listing: HistoryListing = { entries: [], broken: [] };
  @state() private settings: Settings = { ...DEFAULT_SETTINGS };
  /** A report opened from history: shown without its file. */
  @state() private opened?: { report: Report; shared: boolean; saved: boolean };
  private readonly pool = new WorkerPool(() => new Worker(new URL('../worker/engine-worker.ts', import.meta.url), { type: 'module' }));
  private readonly history = new ReportHistory(readReport);
  private readonly settingsStore = new SettingsStore();
  /** History entry of each job's report, so its hash can be added when it arrives. */
  private readonly savedAs = new Map<number, Promise<string | undefined>>();
  private readonly jobsController = new AnalysisJobs({
    pool: this.pool,
    allow: () => this.settings.allow,
    scanTimeLimitMs: () => this.settings.scanTimeLimitSeconds * 1000,
    memoryBudgetBytes: () => this.settings.memoryBudgetMiB * 1024 * 1024,
    onChange: (jobs) => (this.jobs = jobs),
    onReport: (job) => this.savedAs.set(job.id, this.saveToHistory(job.report!)),
    onHashed: (job) => void this.updateHistory(job),
  });

  static override styles = [
    themeTokens,
    baseStyles,
    css`
      :host { display: block; min-height: 100vh; background: var(--bg); font-family: system-ui, sans-serif; line-height: 1.4; }
      .page { max-width: 72rem; margin: 0 auto; padding: 1rem; }
      header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1.5rem; }
      h1 { margin: 0; font-size: 1.5rem; }
      nav { display: flex; gap: 0.4rem; margin-left: auto; }
      nav button[aria-current='page'] { border-color: var(--accent); font-weight: 600; }
      .notice { background: var(--panel); border-left: 4px solid var(--suspicious); padding: 0.4rem 0.7rem; margin: 0.5rem 0; overflow-wrap: anywhere; }
      .readonly { background: var(--panel); border-left: 4px solid var(--accent); padding: 0.4rem 0.7rem; margin: 0.5rem 0; }
      section { margin-top: 1rem; }
      label.button { border: 1px solid var(--line); border-radius: 6px; padding: 0.3rem 0.8rem; cursor: pointer; background: var(--panel); }
      label.button input { display: none; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadStored();
    void this.openLink();
    window.addEventListener('hashchange', this.openLink);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.openLink);
    this.pool.dispose();
    super.disconnectedCallback();
  }

  override render() {
    return html`<div class="page">
      <header>
        <h1>Weightlens</h1>
        <span class="muted">Look inside model files before anyone loads them. Files never leave this machine.</span>
        <nav aria-label="views">
          ${(['analyse', 'history', 'settings'] as View[]).map((v) => html`<button aria-current=${v === this.view ? 'page' : 'false'} @click=${() => this.show(v)}>${v}</button>`)}
        </nav>
      </header>
      ${this.notices.map((n, i) => html`<div class="notice" role="status">${n} <button aria-label="dismiss" @click=${() => (this.notices = this.notices.filter((_, j) => j !== i))}>×</button></div>`)}
      ${this.view === 'analyse' ? this.renderAnalyse() : nothing}
      ${this.view === 'history' ? this.renderHistory() : nothing}
      ${this.view === 'shared' ? this.renderOpened() : nothing}
      ${this.view === 'settings'
        ? html`<section><settings-panel .settings=${this.settings} @settings-change=${(e: CustomEvent<Settings>) => void this.saveSettings(e.detail)}></settings-panel></section>`
        : nothing}
    </div>`;
  }

  private renderAnalyse() {
    const done = this.jobs.filter((j) => j.report);
    return html`
      <drop-zone @files=${(e: CustomEvent<Collected>) => this.addFiles(e.detail)}></drop-zone>
      <section>
        ${done.length > 1 ? html`<report-actions .reports=${done.map((j) => j.report!)}></report-actions>` : nothing}
        <file-queue
          .jobs=${this.jobs}
          @cancel=${(e: CustomEvent<number>) => this.jobsController.cancel(e.detail)}
          @remove=${(e: CustomEvent<number>) => this.jobsController.remove(e.detail)}
          @show=${(e: CustomEvent<number>) => this.renderRoot.querySelector(`report-view[data-job="${e.detail}"]`)?.scrollIntoView({ behavior: 'smooth' })}
        ></file-queue>
      </section>
      ${done.map(
        (job) => html`<report-view
          data-job=${job.id}
          .report=${job.report}
          .access=${this.accessFor(job)}
          .hashed=${job.hashed}
          .hashRate=${job.hashRate}
          .hashNote=${job.hashNote}
          @pin=${(e: CustomEvent<string | undefined>) => this.jobsController.pin(job.id, e.detail)}
        ></report-view>`,
      )}
    `;
  }

  /** A report without its file: from history, a share link or a report file. */
  private renderOpened() {
    if (!this.opened) return nothing;
    const { report, shared, saved } = this.opened;
    return html`<section>
      <div class="readonly" role="status">
        ${shared ? 'Shared report' : 'Saved report'} — the file itself is not here; drop it again to re-check it.
        ${shared && !saved ? html`<button @click=${() => void this.saveOpened()}>save to history</button>` : nothing}
        <button @click=${() => this.show('history')}>history</button>
        ${trimmedNote(report)}
      </div>
      <report-view .report=${report}></report-view>
    </section>`;
  }

  private renderHistory() {
    return html`<section>
      <p>
        <label class="button">Open a report file (JSON)
          <input type="file" accept=".json,application/json" aria-label="Open a report file" @change=${this.openReportFile} />
        </label>
      </p>
      <history-panel
        .listing=${this.listing}
        @open-entry=${(e: CustomEvent<string>) => {
          const entry = this.listing.entries.find((x) => x.id === e.detail);
          if (entry) {
            this.opened = { report: entry.report, shared: entry.shared, saved: true };
            this.view = 'shared';
          }
        }}
        @delete-entry=${(e: CustomEvent<string>) => void this.historyAction(() => this.history.remove(e.detail))}
        @delete-broken=${() => void this.historyAction(async () => { for (const b of this.listing.broken) await this.history.remove(b.id); })}
        @clear-history=${() => void this.historyAction(() => this.history.clear())}
      ></history-panel>
    </section>`;
  }

  private show(view: View) {
    this.view = view;
    this.opened = undefined;
    if (view === 'history') void this.refreshHistory();
    if (location.hash.startsWith(`#${LINK_PREFIX}`)) history.replaceState(null, '', location.pathname + location.search);
  }

  /** A share link in the address: its report, checked like any untrusted input, shown read-only. */
  private openLink = async () => {
    if (!location.hash.startsWith(`#${LINK_PREFIX}`)) return;
    try {
      const report = await decodeReportLink(location.hash);
      this.opened = { report, shared: true, saved: false };
      this.view = 'shared';
    } catch (error) {
      this.notices = [...this.notices, `This report link could not be opened: ${(error as Error).message}`];
    }
  };

  /** A report file (a downloaded JSON report): read with the same checks as a link. */
  private openReportFile = async (event: Event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      if (file.size > MAX_REPORT_TEXT_CHARS) throw new Error(`${file.size.toLocaleString()} bytes is more than a report can be (${MAX_REPORT_TEXT_CHARS.toLocaleString()})`);
      const report = parseReport(await file.text());
      this.opened = { report, shared: true, saved: false };
      this.view = 'shared';
    } catch (error) {
      this.notices = [...this.notices, `${file.name} could not be opened as a report: ${(error as Error).message}`];
    }
  };

  private async saveOpened() {
    if (!this.opened) return;
    try {
      await this.history.save(this.opened.report, true);
      this.opened = { ...this.opened, saved: true };
    } catch (error) {
      this.notices = [...this.notices, `the report could not be saved: ${(error as Error).message}`];
    }
  }

  private addFiles(collected: Collected) {
    if (collected.skipped.length) this.notices = [...this.notices, ...collected.skipped];
    this.view = 'analyse';
    this.jobsController.add(collected.files);
  }

  /** Cached per job so report views keep a stable object across renders. */
  private readonly accessByJob = new WeakMap<File, FileAccess>();

  private accessFor(job: Job): FileAccess {
    let access = this.accessByJob.get(job.file);
    if (!access) {
      const file = job.file;
      access = {
        file,
        siblings: job.siblings ?? [],
        disassemble: (from, count) => this.pool.run((api) => api.disassemble(file, from, count), { timeoutMs: READ_TIME_LIMIT_MS, priority: 2 }),
        tensorStats: (t) =>
          this.pool.run((api) => api.tensorStats(file, { name: t.name, dtype: String(t.dtype), offset: Number(t.offset), bytes: Number(t.bytes) }) as Promise<TensorStatsResult>, { timeoutMs: READ_TIME_LIMIT_MS * 4, priority: 2 }),
      };
      this.accessByJob.set(file, access);
    }
    return access;
  }

  private async loadStored() {
    const { settings, problems } = await this.settingsStore.load().catch((error: unknown) => ({ settings: { ...DEFAULT_SETTINGS }, problems: [`settings could not be read: ${(error as Error).message}`] }));
    this.settings = settings;
    this.theme = settings.theme;
    if (problems.length) this.notices = [...this.notices, ...problems];
    await this.refreshHistory();
  }

  private async refreshHistory() {
    try {
      this.listing = await this.history.list();
    } catch (error) {
      this.notices = [...this.notices, `history could not be read: ${(error as Error).message}`];
    }
  }

  private async historyAction(action: () => Promise<void>) {
    try {
      await action();
    } catch (error) {
      this.notices = [...this.notices, `history could not be changed: ${(error as Error).message}`];
    }
    await this.refreshHistory();
  }

  private async saveToHistory(report: Report): Promise<string | undefined> {
    try {
      // Saved at once, not at an idle moment: a page closed right after the verdict must still keep it.
      return (await this.history.save(report)).id;
    } catch (error) {
      this.notices = [...this.notices, `the report could not be saved to history: ${(error as Error).message}`];
      return undefined;
    }
  }

  private async updateHistory(job: Job) {
    const id = await this.savedAs.get(job.id);
    if (id && job.report) await this.history.update(id, job.report).catch(() => undefined);
  }

  private async saveSettings(settings: Settings) {
    this.settings = settings;
    this.theme = settings.theme;
    try {
      await this.settingsStore.save(settings);
    } catch (error) {
      this.notices = [...this.notices, `settings could not be saved: ${(error as Error).message}`];
    }
  }
}

/** What a share link left out to fit, from the report's own `content.shareTrimmed`. */
function trimmedNote(report: Report) {
  const trimmed = report.content.shareTrimmed;
  if (!Array.isArray(trimmed) || !trimmed.length) return nothing;
  const parts = trimmed.map((t: { path?: unknown; items?: unknown }) => `${String(t.path)} (${typeof t.items === 'number' ? t.items.toLocaleString() : '?'})`);
  return html`<div>Left out of the link to make it fit: ${parts.join(', ')}.</div>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'weightlens-app': WeightlensApp;
  }
}
