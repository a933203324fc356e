// The user's settings in IndexedDB: extra safe pickle imports and the theme.
// Read back strictly: a broken value falls back to the default, and the page
// says which entries were dropped.
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { parseUserEntry } from '../engine/policy/user-entries.js';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface Settings {
  /** Pickle imports the user judges safe (`pkg.models.Net`, `pkg.*`, `pkg.**`). */
  allow: string[];
  theme: Theme;
}

/** Entries in the user's safe list; more is a mistake, not a project's classes. */
export const MAX_ALLOW_ENTRIES = 1000;

export const DEFAULT_SETTINGS: Settings = { allow: [], theme: 'system' };

export interface LoadedSettings {
  settings: Settings;
  /** What could not be read back, in words. */
  problems: string[];
}

/** Checks allowlist text (one entry per line, `#` comments); throws PolicyError naming the bad line. */
export function parseAllowList(text: string): string[] {
  const entries = text
    .split('\n')
    .map((line) => line.replace(/#.*/u, '').trim())
    .filter(Boolean);
  if (entries.length > MAX_ALLOW_ENTRIES) throw new Error(`at most ${MAX_ALLOW_ENTRIES} entries`);
  entries.forEach((entry, i) => parseUserEntry(entry, i));
  return entries;
}

export class SettingsStore {
  private readonly store: UseStore;

  constructor(store?: UseStore) {
    this.store = store ?? createStore('weightlens-settings', 'settings');
  }

  async load(): Promise<LoadedSettings> {
    const problems: string[] = [];
    let raw: unknown;
    try {
      raw = await get('settings', this.store);
    } catch (error) {
      return { settings: { ...DEFAULT_SETTINGS }, problems: [`settings could not be read: ${(error as Error).message}`] };
    }
    if (raw === undefined) return { settings: { ...DEFAULT_SETTINGS }, problems };
    if (typeof raw !== 'object' || raw === null) return { settings: { ...DEFAULT_SETTINGS }, problems: ['stored settings were not readable and were reset'] };
    const v = raw as Record<string, unknown>;
    const theme = THEMES.includes(v.theme as Theme) ? (v.theme as Theme) : 'system';
    if (v.theme !== undefined && theme !== v.theme) problems.push('the stored theme was not recognised');
    const allow: string[] = [];
    const list = Array.isArray(v.allow) ? v.allow.slice(0, MAX_ALLOW_ENTRIES) : [];
    list.forEach((entry, i) => {
      try {
        parseUserEntry(entry, i);
        allow.push(entry as string);
      } catch (error) {
        problems.push(`dropped a stored safe-list entry: ${(error as Error).message}`);
      }
    });
    return { settings: { allow, theme }, problems };
  }

  save(settings: Settings): Promise<void> {
    return set('settings', { allow: [...settings.allow], theme: settings.theme }, this.store);
  }
}
