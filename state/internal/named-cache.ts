import { BytesTable } from './bytes-table.js';
import { SortedBytesMap } from './sorted-bytes-map.js';

/** One cached write of a store: the newest value of a key since the last flush. */
export interface CacheEntry {
  readonly key: Buffer;
  value: Buffer | null;
  timestamp: number;
  size: number;
}

/** Told of an evicted entry as its parts (no {@link CacheEntry} object made). */
export type EvictedBytesListener = (key: Buffer, value: Buffer | null, timestamp: number) => void;

/** Drained entries as parallel arrays, oldest first (no object per entry). */
export interface DrainedEntries {
  readonly keys: Buffer[];
  readonly values: (Buffer | null)[];
  readonly timestamps: number[];
}

/** Bytes an entry is charged beyond its key and value (the objects and map slots around it). */
export const ENTRY_OVERHEAD = 64;

const NONE = -1;

/**
 * The cache of one store of one task: a byte-keyed hash table ({@link BytesTable}) for lookups, a
 * doubly linked list in LRU order (oldest at the head) threaded through typed arrays by entry id,
 * and a byte-ordered index for range reads.
 *
 * Why ids and typed arrays, not an object per entry in a `Map<string, …>`: on a write-heavy store
 * most cached entries live long enough to be promoted by the garbage collector and die at the next
 * flush; an object, a latin1 key string and a map slot per write cost more than the write itself.
 * Here an entry is the key and value buffers plus a few numbers in arrays. {@link CacheEntry}
 * objects are made only on request (`get`, range reads, `drain`, evictions to an `onEvict`
 * listener); the key-value layer takes evictions and drains as parts instead.
 * Why a linked list and not insertion order: a write moves its key to the young end, and eviction
 * must find the oldest in O(1).
 * Why the sorted index is lazy: most caches are written and flushed without a range read; the
 * index is built on the first range read after a flush and then maintained until the next one.
 */
export class NamedCache {
  private readonly table = new BytesTable<Buffer | null>(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private timestamps = new Float64Array(64);
  private sizes = new Int32Array(64);
  private head = NONE;
  private tail = NONE;
  private sorted: SortedBytesMap<number> | null = null;
  bytes = 0;
  // The entry taken by the last popOldest(), until emitEvicted() hands it on.
  private poppedKey: Buffer | null = null;
  private poppedValue: Buffer | null = null;
  private poppedTimestamp = 0;
  private poppedSize = 0;

  constructor(
    readonly name: string,
    /** Called with the least recently used entry when the shared budget forces it out. */
    readonly onEvict: (entry: CacheEntry) => void,
    /** When given, called instead of `onEvict`, with the entry's parts (the hot path of a write-heavy store). */
    private readonly onEvictBytes: EvictedBytesListener | null = null,
  ) {}

  get size(): number {
    return this.table.size;
  }

  private entryAt(id: number): CacheEntry {
    return { key: this.table.keyAt(id), value: this.table.valueAt(id), timestamp: this.timestamps[id]!, size: this.sizes[id]! };
  }

  /** A copy of the cached entry of `key`, or undefined. */
  get(key: Buffer): CacheEntry | undefined {
    const id = this.table.indexOf(key);
    return id < 0 ? undefined : this.entryAt(id);
  }

  /** The cached value of `key` (null: a cached delete), or undefined when the key is not cached. */
  valueOf(key: Buffer): Buffer | null | undefined {
    // Reads right after a flush find the cache empty: no need to hash the key.
    return this.table.size === 0 ? undefined : this.table.get(key);
  }

  private unlink(id: number): void {
    const p = this.prev[id]!;
    const n = this.next[id]!;
    if (p === NONE) this.head = n;
    else this.next[p] = n;
    if (n === NONE) this.tail = p;
    else this.prev[n] = p;
  }

  private append(id: number): void {
    this.prev[id] = this.tail;
    this.next[id] = NONE;
    if (this.tail === NONE) this.head = id;
    else this.next[this.tail] = id;
    this.tail = id;
  }

  /** Resizes the per-entry arrays to `capacity`, keeping their contents unless `empty`. */
  private grow(capacity: number, empty = false): void {
    const grown = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      if (!empty) b.set(a);
      return b;
    };
    this.prev = grown(this.prev, (n) => new Int32Array(n));
    this.next = grown(this.next, (n) => new Int32Array(n));
    this.timestamps = grown(this.timestamps, (n) => new Float64Array(n));
    this.sizes = grown(this.sizes, (n) => new Int32Array(n));
  }

  /** Inserts or updates (making the key most recently used); returns the byte delta. */
  put(key: Buffer, value: Buffer | null, timestamp: number): number {
    const table = this.table;
    const id = table.intern(key);
    const size = key.length + (value === null ? 0 : value.length) + ENTRY_OVERHEAD;
    table.setValueAt(id, value);
    if (!table.added) {
      const delta = size - this.sizes[id]!;
      this.timestamps[id] = timestamp;
      this.sizes[id] = size;
      if (this.tail !== id) {
        this.unlink(id);
        this.append(id);
      }
      this.bytes += delta;
      return delta;
    }
    if (id >= this.prev.length) this.grow(table.capacity);
    this.timestamps[id] = timestamp;
    this.sizes[id] = size;
    this.append(id);
    this.sorted?.set(key, id);
    this.bytes += size;
    return size;
  }

  /** Removes and returns the least recently used entry. */
  evictOldest(): CacheEntry | undefined {
    if (this.popOldest() < 0) return undefined;
    const entry = { key: this.poppedKey!, value: this.poppedValue, timestamp: this.poppedTimestamp, size: this.poppedSize };
    this.poppedKey = this.poppedValue = null;
    return entry;
  }

  /**
   * Removes the least recently used entry, keeping it for {@link emitEvicted}; returns its size
   * (-1 when empty). Two steps so that the owner can settle its accounting before the listener
   * runs (the listener may write to other caches).
   */
  popOldest(): number {
    const id = this.head;
    if (id === NONE) return -1;
    const key = this.table.keyAt(id);
    const size = this.sizes[id]!;
    this.poppedKey = key;
    this.poppedValue = this.table.valueAt(id);
    this.poppedTimestamp = this.timestamps[id]!;
    this.poppedSize = size;
    this.unlink(id);
    this.table.removeAt(id);
    this.sorted?.delete(key);
    this.bytes -= size;
    return size;
  }

  /** Hands the entry taken by {@link popOldest} to the eviction listener. */
  emitEvicted(): void {
    const key = this.poppedKey!;
    const value = this.poppedValue;
    this.poppedKey = this.poppedValue = null;
    if (this.onEvictBytes !== null) this.onEvictBytes(key, value, this.poppedTimestamp);
    else this.onEvict({ key, value, timestamp: this.poppedTimestamp, size: this.poppedSize });
  }

  /** Every entry as parallel arrays, oldest first, emptying the cache. */
  drainEntries(): DrainedEntries {
    const n = this.table.size;
    const keys: Buffer[] = new Array(n);
    const values: (Buffer | null)[] = new Array(n);
    const timestamps: number[] = new Array(n);
    let i = 0;
    for (let id = this.head; id !== NONE; id = this.next[id]!, i++) {
      keys[i] = this.table.keyAt(id);
      values[i] = this.table.valueAt(id);
      timestamps[i] = this.timestamps[id]!;
    }
    this.reset();
    return { keys, values, timestamps };
  }

  private reset(): void {
    this.table.clear();
    // The table may have shrunk back after a burst; the link arrays follow it.
    if (this.prev.length > this.table.capacity * 4) this.grow(this.table.capacity, true);
    this.head = this.tail = NONE;
    this.sorted = null;
    this.bytes = 0;
  }

  /** Every entry, oldest first, emptying the cache. */
  drain(): CacheEntry[] {
    const out: CacheEntry[] = new Array(this.table.size);
    let i = 0;
    for (let id = this.head; id !== NONE; id = this.next[id]!) out[i++] = this.entryAt(id);
    this.reset();
    return out;
  }

  /** Cached entries with from <= key <= to, in byte order. */
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): CacheEntry[] {
    if (this.table.size === 0) return [];
    if (this.sorted === null) {
      const sorted = new SortedBytesMap<number>();
      for (let id = this.head; id !== NONE; id = this.next[id]!) sorted.set(this.table.keyAt(id), id);
      this.sorted = sorted;
    }
    const out: CacheEntry[] = [];
    this.sorted.scan(from, to, reverse, (_k, id) => {
      out.push(this.entryAt(id));
    });
    return out;
  }
}
