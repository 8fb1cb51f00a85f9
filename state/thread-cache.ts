import { NamedCache, type CacheEntry, type DrainedEntries, type EvictedBytesListener } from './internal/named-cache.js';

/**
 * The record cache of one application instance (Kafka's `ThreadCache`): one byte budget
 * (`cacheMaxBytes`, Kafka's default 10 MiB) shared by the caching layers of every store of every
 * task the instance runs. Each store has its own named cache inside it.
 *
 * Entries are dirty from a write until their store flushes (at commit), then clean: kept, so reads
 * after a commit are served from memory, until the budget needs their room. When a write pushes
 * the total over budget, the cache frees room in this order:
 * 1. clean entries of the store being written, least recently used first (silent: already below);
 * 2. clean entries of other stores (silent too, so no other task is affected);
 * 3. dirty entries of the store being written, least recently written first — each is flushed: the
 *    caching layer writes it below and forwards it to its flush listener. Never another store's
 *    dirty entry (as in Kafka: that would forward records in another task's name from the middle
 *    of this one's processing).
 * So the total stays within the budget after every write, and dirty entries are evicted exactly
 * when dirty entries alone exceed it.
 * @example
 * const cache = new ThreadCache(10 * 1024 * 1024);
 * // pass it to every task's StoreContext: { ..., cache }
 */
export class ThreadCache {
  private readonly caches = new Map<string, NamedCache>();
  private total = 0;
  /** Bytes of clean entries across all named caches. */
  private clean = 0;
  private evictions = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 0)) throw new RangeError(`ThreadCache: maxBytes must be >= 0, got ${maxBytes}`);
  }

  /** Bytes currently charged across all named caches (clean and dirty entries). */
  sizeBytes(): number {
    return this.total;
  }

  /** Bytes of clean (flushed, kept) entries across all named caches. */
  cleanBytes(): number {
    return this.clean;
  }

  /** Entries evicted so far, clean or dirty (a metric). */
  evictionCount(): number {
    return this.evictions;
  }

  /**
   * Creates the cache of one store of one task (`<taskId>-<store>`); the name must be free.
   * `onEvictBytes`, when given, hears evictions instead of `onEvict`, as the entry's parts (no
   * entry object per eviction).
   */
  register(name: string, onEvict: (entry: CacheEntry) => void, onEvictBytes?: EvictedBytesListener): NamedCache {
    if (this.caches.has(name)) throw new TypeError(`ThreadCache: a cache named "${name}" is already registered`);
    const cache = new NamedCache(name, onEvict, onEvictBytes ?? null);
    this.caches.set(name, cache);
    return cache;
  }

  /** Drops a named cache (its store closed); unflushed entries are discarded. */
  unregister(cache: NamedCache): void {
    if (this.caches.get(cache.name) !== cache) return;
    this.total -= cache.bytes;
    this.clean -= cache.cleanBytes;
    cache.clear();
    this.caches.delete(cache.name);
  }

  /** Writes into a named cache (the entry is dirty), then frees room while the instance is over budget. */
  put(cache: NamedCache, key: Buffer, value: Buffer | null, timestamp: number): void {
    const cleanBefore = cache.cleanBytes;
    this.total += cache.put(key, value, timestamp);
    this.clean += cache.cleanBytes - cleanBefore;
    if (this.total > this.maxBytes) this.evict(cache);
  }

  private evict(cache: NamedCache): void {
    // Steps 1 and 2: clean entries, this store's first.
    if (this.clean > 0) {
      this.dropClean(cache);
      if (this.total > this.maxBytes && this.clean > 0) {
        for (const other of this.caches.values()) {
          if (other !== cache) this.dropClean(other);
          if (this.total <= this.maxBytes) break;
        }
      }
    }
    // Step 3: this store's dirty entries, flushed. The accounting is settled before the listener
    // runs: it may write to other caches.
    while (this.total > this.maxBytes && cache.dirtyCount > 0) {
      this.total -= cache.popOldestDirty();
      this.evictions++;
      cache.emitEvicted();
    }
  }

  private dropClean(cache: NamedCache): void {
    while (this.total > this.maxBytes) {
      const size = cache.popOldestClean();
      if (size < 0) return;
      this.total -= size;
      this.clean -= size;
      this.evictions++;
    }
  }

  /**
   * Marks a named cache's dirty entries clean, returning them oldest write first for the caching
   * layer to write below (flushed deletes leave the cache).
   */
  flush(cache: NamedCache): CacheEntry[] {
    return this.settled(cache, () => cache.flush());
  }

  /** {@link flush}, as parallel arrays (no object per entry). */
  flushEntries(cache: NamedCache): DrainedEntries {
    return this.settled(cache, () => cache.flushEntries());
  }

  /** Drops a clean cached entry whose value below changed without passing through the cache (a restore). */
  invalidateClean(cache: NamedCache, key: Buffer): void {
    const freed = cache.invalidateClean(key);
    this.total -= freed;
    this.clean -= freed;
  }

  private settled<T>(cache: NamedCache, step: () => T): T {
    const bytes = cache.bytes;
    const clean = cache.cleanBytes;
    const out = step();
    this.total += cache.bytes - bytes;
    this.clean += cache.cleanBytes - clean;
    return out;
  }
}
