// The user's settings in IndexedDB: extra safe pickle imports, the theme, and
// one file's time limit and memory budget.
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
  /** Wall-clock limit of one file's analysis; the worker is stopped past it. */
  scanTimeLimitSeconds: number;
  /** Wasm memory one file's analysis may take; past it the file is reported incomplete and the worker replaced. */
  memoryBudgetMiB: number;
}

/** Bounds of the time limit a user may set: a second to an hour. */
export const MIN_SCAN_SECONDS = 1;
export const MAX_SCAN_SECONDS = 3600;

/** Bounds of the memory budget: the engine's decoders need 16 MiB; 1 GiB is the most the module declares. */
export const MIN_MEMORY_MIB = 16;
export const MAX_MEMORY_MIB = 1024;

/** Entries in the user's safe list; more is a mistake, not a project's classes. */
export const MAX_ALLOW_ENTRIES = 1000;

export const DEFAULT_SETTINGS: Settings = { allow: [], theme: 'system', scanTimeLimitSeconds: 60, memoryBudgetMiB: 512 };

export function validScanSeconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= MIN_SCAN_SECONDS && v <= MAX_SCAN_SECONDS;
}

export function validMemoryMiB(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= MIN_MEMORY_MIB && v <= MAX_MEMORY_MIB;
}

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
    let scanTimeLimitSeconds = DEFAULT_SETTINGS.scanTimeLimitSeconds;
    if (validScanSeconds(v.scanTimeLimitSeconds)) scanTimeLimitSeconds = v.scanTimeLimitSeconds;
    else if (v.scanTimeLimitSeconds !== undefined) problems.push('the stored time limit was not valid and was reset');
    let memoryBudgetMiB = DEFAULT_SETTINGS.memoryBudgetMiB;
    if (validMemoryMiB(v.memoryBudgetMiB)) memoryBudgetMiB = v.memoryBudgetMiB;
    else if (v.memoryBudgetMiB !== undefined) problems.push('the stored memory budget was not valid and was reset');
    return { settings: { allow, theme, scanTimeLimitSeconds, memoryBudgetMiB }, problems };
  }

  save(settings: Settings): Promise<void> {
    return set('settings', { allow: [...settings.allow], theme: settings.theme, scanTimeLimitSeconds: settings.scanTimeLimitSeconds, memoryBudgetMiB: settings.memoryBudgetMiB }, this.store);
  }
}
