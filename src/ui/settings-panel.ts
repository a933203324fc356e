// Settings: the user's extra safe pickle imports (a project's own classes),
// the theme, and one file's time limit and memory budget. The safe list is
// checked as typed; a bad line is named and nothing is saved until it is fixed.
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_SETTINGS, MAX_MEMORY_MIB, MAX_SCAN_SECONDS, MIN_MEMORY_MIB, MIN_SCAN_SECONDS, parseAllowList, THEMES, validMemoryMiB, validScanSeconds, type Settings, type Theme } from '../store/settings.js';
import { baseStyles } from './theme.js';

@customElement('settings-panel')
export class SettingsPanel extends LitElement {
  @property({ attribute: false }) settings: Settings = { ...DEFAULT_SETTINGS };
  @state() private draft?: string;
  @state() private error?: string;

  static override styles = [
    baseStyles,
    css`
      textarea { width: min(40rem, 100%); min-height: 6rem; font-family: var(--mono); }
      .error { color: var(--malicious); }
      fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0.5rem 0; }
    `,
  ];

  override render() {
    const text = this.draft ?? this.settings.allow.join('\n');
    return html`
      <fieldset>
        <legend>Theme</legend>
        ${THEMES.map((t) => html`<label><input type="radio" name="theme" .checked=${this.settings.theme === t} @change=${() => this.save({ ...this.settings, theme: t as Theme })} /> ${t}</label> `)}
      </fieldset>
      <fieldset>
        <legend>Time limit</legend>
        <label
          >Stop analysing a file after
          <input
            type="number"
            aria-label="Time limit in seconds"
            min=${MIN_SCAN_SECONDS}
            max=${MAX_SCAN_SECONDS}
            .value=${String(this.settings.scanTimeLimitSeconds)}
            @change=${(e: Event) => {
              const seconds = Number((e.target as HTMLInputElement).value);
              if (validScanSeconds(seconds)) this.save({ ...this.settings, scanTimeLimitSeconds: seconds });
              else (e.target as HTMLInputElement).value = String(this.settings.scanTimeLimitSeconds);
            }}
          />
          seconds</label
        >
        <span class="muted">(the file is then reported as not analysed; others go on)</span>
      </fieldset>
      <fieldset>
        <legend>Memory budget</legend>
        <label
          >Let the analysis of one file use at most
          <input
            type="number"
            aria-label="Memory budget in MiB"
            min=${MIN_MEMORY_MIB}
            max=${MAX_MEMORY_MIB}
            .value=${String(this.settings.memoryBudgetMiB)}
            @change=${(e: Event) => {
              const mib = Number((e.target as HTMLInputElement).value);
              if (validMemoryMiB(mib)) this.save({ ...this.settings, memoryBudgetMiB: mib });
              else (e.target as HTMLInputElement).value = String(this.settings.memoryBudgetMiB);
            }}
          />
          MiB of decoder memory</label
        >
        <span class="muted">(past it the file is reported as not fully checked — never clean; others go on)</span>
      </fieldset>
      <fieldset>
        <legend>Extra safe pickle imports</legend>
        <p class="muted">
          Your project's own classes, one per line: <code>pkg.models.Net</code> (exactly that), <code>pkg.models.*</code> (its names),
          <code>pkg.**</code> (and submodules). They never override the dangerous list, and reports say when they were used.
        </p>
        <textarea aria-label="Extra safe pickle imports" .value=${text} @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}></textarea>
        <div><button @click=${this.saveAllow}>save safe list</button> ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}</div>
      </fieldset>
    `;
  }

  private saveAllow = () => {
    try {
      const allow = parseAllowList(this.draft ?? this.settings.allow.join('\n'));
      this.error = undefined;
      this.draft = undefined;
      this.save({ ...this.settings, allow });
    } catch (error) {
      this.error = (error as Error).message;
    }
  };

  private save(settings: Settings) {
    this.dispatchEvent(new CustomEvent<Settings>('settings-change', { detail: settings, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'settings-panel': SettingsPanel;
  }
}
