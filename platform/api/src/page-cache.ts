/**
 * Pages already answered, per publication version. A published version never changes, so the same
 * request of the same consumer under the same version has the same answer: a repeated lookup is served
 * without asking DuckDB. Bounded by bytes, least recently used first out; a version's pages are dropped
 * as soon as the version is retired, and a key always names its version, so no page of one version is
 * ever served under another (a cursor of an old version misses and is refused as stale).
 */

export interface CachedPage {
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
  /** Rows in the page, and their format, for the metrics of a page served again. */
  rows: number;
  format: string;
}

interface Entry {
  version: string;
  page: CachedPage;
  /** What the entry is charged: its body, its key, and what a Map entry and its objects cost besides. */
  size: number;
}

/** Bytes an entry holds besides its body and key: a lookup's body is a few hundred bytes, so this counts. */
const ENTRY_OVERHEAD = 320;

export class PageCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly byVersion = new Map<string, Set<string>>();
  private used = 0;

  /**
   * @param budget bytes kept in all (bodies, keys and bookkeeping); 0 turns the cache off.
   * @param largest bytes of the largest body kept, so that one export-sized page cannot push out a thousand lookups.
   */
  constructor(readonly budget: number, readonly largest = Math.max(1, Math.floor(budget / 16))) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(version: string, request: string): CachedPage | undefined {
    const key = `${version}\0${request}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  set(version: string, request: string, page: CachedPage): void {
    const key = `${version}\0${request}`;
    const size = page.body.byteLength + 2 * key.length + ENTRY_OVERHEAD;
    if (size > this.largest || size > this.budget) return;
    this.remove(key);
    while (this.used + size > this.budget) {
      const [oldest] = this.entries.keys();
      this.remove(oldest!);
    }
    this.entries.set(key, { version, page, size });
    this.used += size;
    let keys = this.byVersion.get(version);
    if (!keys) this.byVersion.set(version, (keys = new Set()));
    keys.add(key);
  }

  /** Forgets every page of a publication version. */
  drop(version: string): void {
    for (const key of this.byVersion.get(version) ?? []) this.remove(key);
    this.byVersion.delete(version);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.size;
    const keys = this.byVersion.get(entry.version);
    keys?.delete(key);
    if (keys?.size === 0) this.byVersion.delete(entry.version);
  }
}
