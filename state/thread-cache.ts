import { NamedCache, type CacheEntry, type DrainedEntries, type EvictedBytesListener } from './internal/named-cache.js';

/**
 * The record cache of one application instance (Kafka's `ThreadCache`): one byte budget
 * (`cacheMaxBytes`, Kafka's default 10 MiB) shared by the caching layers of every store of every
 * task the instance runs. Each store has its own named cache inside it.
 *
 * When a write pushes the total over budget, the cache evicts least recently used entries *of the
 * store being written* (as Kafka does: evicting another task's entry would forward records in
 * that task's name from the middle of this one's processing). An evicted entry is flushed: the
 * caching layer forwards it to its flush listener and writes it to the layer below.
 * @example
 * const cache = new ThreadCache(10 * 1024 * 1024);
 * // pass it to every task's StoreContext: { ..., cache }
 */
export class ThreadCache {
  private readonly caches = new Map<string, NamedCache>();
  private total = 0;
  private evictions = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 0)) throw new RangeError(`ThreadCache: maxBytes must be >= 0, got ${maxBytes}`);
  }

  /** Bytes currently charged across all named caches. */
  sizeBytes(): number {
    return this.total;
  }

  /** Entries evicted so far (a metric). */
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
    cache.drain();
    this.caches.delete(cache.name);
  }

  /** Writes into a named cache, then evicts from it while the instance is over budget. */
  put(cache: NamedCache, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.total += cache.put(key, value, timestamp);
    while (this.total > this.maxBytes && cache.size > 0) {
      this.total -= cache.popOldest();
      this.evictions++;
      cache.emitEvicted();
    }
  }

  /** Empties a named cache, returning its entries oldest first (the caching layer flushes them). */
  drain(cache: NamedCache): CacheEntry[] {
    this.total -= cache.bytes;
    return cache.drain();
  }

  /** {@link drain}, as parallel arrays (no object per entry). */
  drainEntries(cache: NamedCache): DrainedEntries {
    this.total -= cache.bytes;
    return cache.drainEntries();
  }
}
