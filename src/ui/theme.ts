// Colours and type shared by every component, as custom properties set on the
// app's host (they inherit through shadow roots). Verdicts always have words
// and a symbol too: colour is never the only signal.
import { css } from 'lit';
import type { Severity, Verdict } from '../engine/report.js';

export const themeTokens = css`
  :host {
    --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0; --accent: #0969da;
    --clean: #1a7f37; --suspicious: #9a6700; --malicious: #cf222e; --malformed: #8250df; --unsupported: #59636e;
    --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    color-scheme: light;
  }
  :host([theme='dark']) {
    --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d; --accent: #4493f8;
    --clean: #3fb950; --suspicious: #d29922; --malicious: #f85149; --malformed: #ab7df8; --unsupported: #9198a1;
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='system']) {
      --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d; --accent: #4493f8;
      --clean: #3fb950; --suspicious: #d29922; --malicious: #f85149; --malformed: #ab7df8; --unsupported: #9198a1;
      color-scheme: dark;
    }
  }
`;

/** Common element styles for components inside the app. */
export const baseStyles = css`
  :host { color: var(--fg); }
  button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.2rem 0.6rem; cursor: pointer; }
  button:hover { border-color: var(--accent); }
  button:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
  input, textarea, select { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.2rem 0.4rem; }
  code, .mono { font-family: var(--mono); font-size: 0.9em; }
  .muted { color: var(--muted); }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  .badge { display: inline-block; font-weight: 600; padding: 0 0.4rem; border-radius: 4px; color: #fff; white-space: nowrap; }
  .v-clean { background: var(--clean); } .v-suspicious { background: var(--suspicious); } .v-malicious { background: var(--malicious); }
  .v-malformed { background: var(--malformed); } .v-unsupported { background: var(--unsupported); }
  .s-critical { background: var(--malicious); } .s-high { background: #bc4c00; } .s-medium { background: var(--suspicious); }
  .s-low { background: var(--unsupported); } .s-info { background: #6e7781; }
`;

export const VERDICT_SYMBOL: Record<Verdict, string> = { clean: '✓', suspicious: '!', malicious: '✗', malformed: '⚠', unsupported: '?' };

export const VERDICT_MEANING: Record<Verdict, string> = {
  clean: 'Nothing in this file runs code when it is loaded, and its structure checks out.',
  suspicious: 'Something here is unusual or could not be fully checked: read the findings before loading it.',
  malicious: 'Do not load this file: loading it would run code or reach outside the model.',
  malformed: 'The file breaks the rules of its format: loaders may fail, or disagree about what it holds.',
  unsupported: 'Not checked: Weightlens does not analyse this kind of file (yet). Treat it as unscanned.',
};

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', info: 'info' };
