// Recent reports (never file bytes) in IndexedDB through idb-keyval. What is
// read back is untrusted — another version, a broken browser profile, a
// hand-edited database — so every entry is validated and a bad one is skipped
// and counted, never allowed to break the page.
import { clear, createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import type { Report } from '../engine/report.js';

/** Reports kept; the oldest go first. A model folder scanned daily for months stays bounded. */
export const MAX_HISTORY_ENTRIES = 200;

export interface HistoryEntry {
  id: string;
  /** Milliseconds since the epoch. */
  savedAt: number;
  /** A shared report opened from a link or a file, rather than one analysed here. */
  shared: boolean;
  report: Report;
}

export interface HistoryListing {
  entries: HistoryEntry[];
  /** Keys of entries that could not be read back, with why. */
  broken: { id: string; why: string }[];
}

/** Throws on anything that is not a report of the current schema. */
export type ReportValidator = (value: unknown) => Report;

export class ReportHistory {
  private readonly store: UseStore;

  constructor(
    private readonly validate: ReportValidator,
    store?: UseStore,
  ) {
    this.store = store ?? createStore('weightlens-history', 'reports');
  }

  async list(): Promise<HistoryListing> {
    const listing: HistoryListing = { entries: [], broken: [] };
    for (const [key, value] of await entries(this.store)) {
      const id = String(key);
      try {
        listing.entries.push(this.readEntry(id, value));
      } catch (error) {
        listing.broken.push({ id, why: (error as Error).message });
      }
    }
    listing.entries.sort((a, b) => b.savedAt - a.savedAt);
    return listing;
  }

  async save(report: Report, shared = false): Promise<HistoryEntry> {
    const entry: HistoryEntry = { id: newId(), savedAt: Date.now(), shared, report };
    await set(entry.id, entry, this.store);
    await this.trim();
    return entry;
  }

  /** Replaces the stored report (e.g. when its hash arrives after the verdict). */
  async update(id: string, report: Report): Promise<void> {
    const stored = await get(id, this.store);
    if (stored === undefined) return; // deleted meanwhile
    // Only the date and origin are kept from what was stored; the report is the new one.
    const { savedAt, shared } = stored as Partial<HistoryEntry>;
    const entry: HistoryEntry = { id, savedAt: typeof savedAt === 'number' && Number.isFinite(savedAt) ? savedAt : Date.now(), shared: shared === true, report };
    await set(id, entry, this.store);
  }

  remove(id: string): Promise<void> {
    return del(id, this.store);
  }

  clear(): Promise<void> {
    return clear(this.store);
  }

  private readEntry(id: string, value: unknown): HistoryEntry {
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    const v = value as Record<string, unknown>;
    if (v.id !== id) throw new Error('its id does not match its key');
    if (typeof v.savedAt !== 'number' || !Number.isFinite(v.savedAt)) throw new Error('no valid date');
    if (typeof v.shared !== 'boolean') throw new Error('no valid origin');
    return { id, savedAt: v.savedAt, shared: v.shared, report: this.validate(v.report) };
  }

  private async trim(): Promise<void> {
    const all = await entries(this.store);
    if (all.length <= MAX_HISTORY_ENTRIES) return;
    const dated = all.map(([key, value]) => ({ key, savedAt: Number((value as { savedAt?: unknown })?.savedAt) || 0 }));
    dated.sort((a, b) => a.savedAt - b.savedAt);
    for (const { key } of dated.slice(0, dated.length - MAX_HISTORY_ENTRIES)) await del(key, this.store);
  }
}

function newId(): string {
  return `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
}
