import { SortedBytesMap } from './sorted-bytes-map.js';

/** One cached write of a store: the newest value of a key since the last flush. */
export interface CacheEntry {
  readonly key: Buffer;
  value: Buffer | null;
  timestamp: number;
  size: number;
}

/** Bytes an entry is charged beyond its key and value (the objects and map slots around it). */
export const ENTRY_OVERHEAD = 64;

/**
 * The cache of one store of one task: a Map in LRU order (oldest first — a touched entry is
 * re-inserted at the end) plus a byte-ordered index so range reads can merge cached writes with
 * the store below without scanning the whole cache.
 */
export class NamedCache {
  private readonly lru = new Map<string, CacheEntry>();
  private readonly sorted = new SortedBytesMap<CacheEntry>();
  bytes = 0;

  constructor(
    readonly name: string,
    /** Called with the least recently used entry when the shared budget forces it out. */
    readonly onEvict: (entry: CacheEntry) => void,
  ) {}

  get size(): number {
    return this.lru.size;
  }

  get(key: Buffer): CacheEntry | undefined {
    return this.lru.get(key.toString('latin1'));
  }

  /** Inserts or updates; returns the byte delta. */
  put(key: Buffer, value: Buffer | null, timestamp: number): number {
    const id = key.toString('latin1');
    const size = key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
    const old = this.lru.get(id);
    let delta = size;
    if (old !== undefined) {
      this.lru.delete(id);
      delta -= old.size;
      old.value = value;
      old.timestamp = timestamp;
      old.size = size;
      this.lru.set(id, old);
    } else {
      const entry: CacheEntry = { key, value, timestamp, size };
      this.lru.set(id, entry);
      this.sorted.set(key, entry);
    }
    this.bytes += delta;
    return delta;
  }

  /** Removes and returns the least recently used entry. */
  evictOldest(): CacheEntry | undefined {
    const first = this.lru.values().next();
    if (first.done) return undefined;
    const entry = first.value;
    this.remove(entry);
    return entry;
  }

  private remove(entry: CacheEntry): void {
    this.lru.delete(entry.key.toString('latin1'));
    this.sorted.delete(entry.key);
    this.bytes -= entry.size;
  }

  /** Every entry, oldest first, emptying the cache. */
  drain(): CacheEntry[] {
    const out = [...this.lru.values()];
    this.lru.clear();
    this.sorted.clear();
    this.bytes = 0;
    return out;
  }

  /** Cached entries with from <= key <= to, in byte order. */
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): CacheEntry[] {
    const out: CacheEntry[] = [];
    this.sorted.scan(from, to, reverse, (_k, e) => {
      out.push(e);
    });
    return out;
  }
}
