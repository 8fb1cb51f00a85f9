import { BytesTable } from './bytes-table.js';
import { SortedBytesMap } from './sorted-bytes-map.js';

/** One cached entry of a store: the newest value of a key (dirty: not yet written below). */
export interface CacheEntry {
  readonly key: Buffer;
  value: Buffer | null;
  timestamp: number;
  size: number;
}

/** Told of an evicted dirty entry as its parts (no {@link CacheEntry} object made). */
export type EvictedBytesListener = (key: Buffer, value: Buffer | null, timestamp: number) => void;

/** Flushed (dirty) entries as parallel arrays, oldest write first (no object per entry). */
export interface DrainedEntries {
  readonly keys: Buffer[];
  readonly values: (Buffer | null)[];
  readonly timestamps: number[];
}

/** Bytes an entry is charged beyond its key and value (the objects and map slots around it). */
export const ENTRY_OVERHEAD = 64;

const NONE = -1;

/**
 * The cache of one store of one task, as Kafka's `NamedCache`: entries are *dirty* from a write
 * until the next flush, then *clean* — kept, so reads after a commit are still served here, until
 * the shared budget evicts them. Evicting a clean entry is silent (its value is already below);
 * evicting a dirty one hands it to the eviction listener, which writes it below and forwards it.
 * A flushed delete is not kept (nothing to serve: the store below reads absent as fast).
 *
 * Layout: a byte-keyed hash table ({@link BytesTable}) for lookups, and two doubly linked lists
 * threaded through typed arrays by entry id — dirty entries in write order (flush and eviction
 * order: a write moves its key to the young end), clean entries in access order (a read moves it).
 * Why ids and typed arrays, not an object per entry in a `Map<string, …>`: on a write-heavy store
 * most cached entries live long enough to be promoted by the garbage collector; an object, a latin1
 * key string and a map slot per write cost more than the write itself. {@link CacheEntry} objects
 * are made only on request (`get`, range reads, `flushEntries`, evictions to an `onEvict` listener).
 * Why a byte-ordered index of the dirty entries only, built lazily: range reads merge cached writes
 * over the store below, and a clean entry equals what is below; most caches are written and
 * flushed without any range read.
 */
export class NamedCache {
  private readonly table = new BytesTable<Buffer | null>(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private timestamps = new Float64Array(64);
  private sizes = new Int32Array(64);
  private dirty = new Uint8Array(64);
  private dirtyHead = NONE;
  private dirtyTail = NONE;
  private cleanHead = NONE;
  private cleanTail = NONE;
  private sorted: SortedBytesMap<number> | null = null;
  /** Bytes charged for every entry, clean or dirty. */
  bytes = 0;
  /** Bytes charged for clean entries (evictable without a write). */
  cleanBytes = 0;
  /** Number of dirty entries. */
  dirtyCount = 0;
  // The entry taken by the last popOldestDirty(), until emitEvicted() hands it on.
  private poppedKey: Buffer | null = null;
  private poppedValue: Buffer | null = null;
  private poppedTimestamp = 0;
  private poppedSize = 0;

  constructor(
    readonly name: string,
    /** Called with the least recently written dirty entry when the shared budget forces it out. */
    readonly onEvict: (entry: CacheEntry) => void,
    /** When given, called instead of `onEvict`, with the entry's parts (the hot path of a write-heavy store). */
    private readonly onEvictBytes: EvictedBytesListener | null = null,
  ) {}

  /** Entries held, clean and dirty. */
  get size(): number {
    return this.table.size;
  }

  private entryAt(id: number): CacheEntry {
    return { key: this.table.keyAt(id), value: this.table.valueAt(id), timestamp: this.timestamps[id]!, size: this.sizes[id]! };
  }

  /** Whether `key` is cached and not yet flushed. */
  isDirty(key: Buffer): boolean {
    const id = this.table.size === 0 ? -1 : this.table.indexOf(key);
    return id >= 0 && this.dirty[id] === 1;
  }

  /** A copy of the cached entry of `key` (a clean one becomes most recently used), or undefined. */
  get(key: Buffer): CacheEntry | undefined {
    const id = this.table.size === 0 ? -1 : this.table.indexOf(key);
    if (id < 0) return undefined;
    this.touch(id);
    return this.entryAt(id);
  }

  /** The cached value of `key` (null: a cached delete), or undefined when the key is not cached. */
  valueOf(key: Buffer): Buffer | null | undefined {
    // An empty cache (a fresh store, or one evicted clean) need not hash the key.
    if (this.table.size === 0) return undefined;
    const id = this.table.indexOf(key);
    if (id < 0) return undefined;
    this.touch(id);
    return this.table.valueAt(id);
  }

  /** A read of a clean entry makes it the most recently used; dirty entries keep write order. */
  private touch(id: number): void {
    if (this.dirty[id] === 0 && this.cleanTail !== id) {
      this.unlink(id);
      this.append(id);
    }
  }

  private unlink(id: number): void {
    const isDirty = this.dirty[id] === 1;
    const p = this.prev[id]!;
    const n = this.next[id]!;
    if (p !== NONE) this.next[p] = n;
    else if (isDirty) this.dirtyHead = n;
    else this.cleanHead = n;
    if (n !== NONE) this.prev[n] = p;
    else if (isDirty) this.dirtyTail = p;
    else this.cleanTail = p;
  }

  /** Appends `id` at the young end of the list its dirty flag names. */
  private append(id: number): void {
    this.next[id] = NONE;
    if (this.dirty[id] === 1) {
      this.prev[id] = this.dirtyTail;
      if (this.dirtyTail === NONE) this.dirtyHead = id;
      else this.next[this.dirtyTail] = id;
      this.dirtyTail = id;
    } else {
      this.prev[id] = this.cleanTail;
      if (this.cleanTail === NONE) this.cleanHead = id;
      else this.next[this.cleanTail] = id;
      this.cleanTail = id;
    }
  }

  /** Resizes the per-entry arrays to `capacity`, keeping their contents unless `empty`. */
  private grow(capacity: number, empty = false): void {
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      if (!empty) b.set(a);
      return b;
    };
    this.prev = grown(this.prev, (n) => new Int32Array(n));
    this.next = grown(this.next, (n) => new Int32Array(n));
    this.timestamps = grown(this.timestamps, (n) => new Float64Array(n));
    this.sizes = grown(this.sizes, (n) => new Int32Array(n));
    this.dirty = grown(this.dirty, (n) => new Uint8Array(n));
  }

  /** Inserts or updates (the entry becomes dirty and the most recently written); returns the byte delta. */
  put(key: Buffer, value: Buffer | null, timestamp: number): number {
    const table = this.table;
    const id = table.intern(key);
    const size = key.length + (value === null ? 0 : value.length) + ENTRY_OVERHEAD;
    table.setValueAt(id, value);
    if (!table.added) {
      const delta = size - this.sizes[id]!;
      this.timestamps[id] = timestamp;
      if (this.dirty[id] === 1) {
        if (this.dirtyTail !== id) {
          this.unlink(id);
          this.append(id);
        }
      } else {
        this.unlink(id);
        this.cleanBytes -= this.sizes[id]!;
        this.dirty[id] = 1;
        this.dirtyCount++;
        this.append(id);
        this.sorted?.set(table.keyAt(id), id);
      }
      this.sizes[id] = size;
      this.bytes += delta;
      return delta;
    }
    if (id >= this.prev.length) this.grow(table.capacity);
    this.timestamps[id] = timestamp;
    this.sizes[id] = size;
    this.dirty[id] = 1;
    this.dirtyCount++;
    this.append(id);
    this.sorted?.set(key, id);
    this.bytes += size;
    return size;
  }

  /** Removes entry `id` from the lists, the table and the accounting; returns its size. */
  private remove(id: number): number {
    const size = this.sizes[id]!;
    this.unlink(id);
    if (this.dirty[id] === 1) {
      this.dirtyCount--;
      this.sorted?.delete(this.table.keyAt(id));
    } else this.cleanBytes -= size;
    this.table.removeAt(id);
    this.bytes -= size;
    return size;
  }

  /** Drops the least recently used clean entry, silently; returns its size (-1: no clean entry). */
  popOldestClean(): number {
    return this.cleanHead === NONE ? -1 : this.remove(this.cleanHead);
  }

  /** Drops the clean entry of `key`, if any (the store below changed under it); returns bytes freed. */
  invalidateClean(key: Buffer): number {
    const id = this.table.size === 0 ? -1 : this.table.indexOf(key);
    return id < 0 || this.dirty[id] === 1 ? 0 : this.remove(id);
  }

  /**
   * Removes the least recently written dirty entry, keeping it for {@link emitEvicted}; returns its
   * size (-1 when nothing is dirty). Two steps so that the owner can settle its accounting before
   * the listener runs (the listener may write to other caches).
   */
  popOldestDirty(): number {
    const id = this.dirtyHead;
    if (id === NONE) return -1;
    this.poppedKey = this.table.keyAt(id);
    this.poppedValue = this.table.valueAt(id);
    this.poppedTimestamp = this.timestamps[id]!;
    this.poppedSize = this.sizes[id]!;
    return this.remove(id);
  }

  /** Removes and returns the least recently written dirty entry (tests, and callers without accounting). */
  evictOldest(): CacheEntry | undefined {
    if (this.popOldestDirty() < 0) return undefined;
    const entry = { key: this.poppedKey!, value: this.poppedValue, timestamp: this.poppedTimestamp, size: this.poppedSize };
    this.poppedKey = this.poppedValue = null;
    return entry;
  }

  /** Hands the entry taken by {@link popOldestDirty} to the eviction listener. */
  emitEvicted(): void {
    const key = this.poppedKey!;
    const value = this.poppedValue;
    this.poppedKey = this.poppedValue = null;
    if (this.onEvictBytes !== null) this.onEvictBytes(key, value, this.poppedTimestamp);
    else this.onEvict({ key, value, timestamp: this.poppedTimestamp, size: this.poppedSize });
  }

  /**
   * Every dirty entry as parallel arrays, oldest write first, marking them clean (they stay cached,
   * most recently used last); flushed deletes leave the cache. The caller writes them below.
   */
  flushEntries(): DrainedEntries {
    const n = this.dirtyCount;
    const keys: Buffer[] = new Array(n);
    const values: (Buffer | null)[] = new Array(n);
    const timestamps: number[] = new Array(n);
    let i = 0;
    this.markClean((id) => {
      keys[i] = this.table.keyAt(id);
      values[i] = this.table.valueAt(id);
      timestamps[i++] = this.timestamps[id]!;
    });
    return { keys, values, timestamps };
  }

  /** {@link flushEntries}, as entry objects. */
  flush(): CacheEntry[] {
    const out: CacheEntry[] = new Array(this.dirtyCount);
    let i = 0;
    this.markClean((id) => {
      out[i++] = this.entryAt(id);
    });
    return out;
  }

  private markClean(visit: (id: number) => void): void {
    let id = this.dirtyHead;
    this.dirtyHead = this.dirtyTail = NONE;
    this.dirtyCount = 0;
    this.sorted = null;
    while (id !== NONE) {
      const after = this.next[id]!;
      visit(id);
      this.dirty[id] = 0;
      if (this.table.valueAt(id) === null) {
        this.bytes -= this.sizes[id]!;
        this.table.removeAt(id);
      } else {
        this.cleanBytes += this.sizes[id]!;
        this.append(id);
      }
      id = after;
    }
  }

  /** Drops every entry, clean and dirty, without telling anyone (the store closed). */
  clear(): void {
    this.table.clear();
    // The table may have shrunk back after a burst; the per-entry arrays follow it.
    if (this.prev.length > this.table.capacity * 4) this.grow(this.table.capacity, true);
    this.dirty.fill(0);
    this.dirtyHead = this.dirtyTail = this.cleanHead = this.cleanTail = NONE;
    this.sorted = null;
    this.bytes = this.cleanBytes = this.dirtyCount = 0;
  }

  /** Dirty (not yet flushed) entries with from <= key <= to, in byte order. */
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): CacheEntry[] {
    if (this.dirtyCount === 0) return [];
    if (this.sorted === null) {
      const sorted = new SortedBytesMap<number>();
      for (let id = this.dirtyHead; id !== NONE; id = this.next[id]!) sorted.set(this.table.keyAt(id), id);
      this.sorted = sorted;
    }
    const out: CacheEntry[] = [];
    this.sorted.scan(from, to, reverse, (_k, id) => {
      out.push(this.entryAt(id));
    });
    return out;
  }
}
