import { SortedBytesMap } from './sorted-bytes-map.js';
import type { StoreSpace } from './store-space.js';

/**
 * The byte-level storage under every inner store: a map ordered by `Buffer.compare` with
 * synchronous reads. Key-value stores use one; window and session stores use one per segment.
 */
export interface BytesMap {
  readonly size: number;
  get(key: Buffer): Buffer | null;
  /** Sets (null: deletes) a key; returns whether the key existed before. */
  set(key: Buffer, value: Buffer | null): boolean;
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: Buffer) => boolean | void): void;
  /** Visits every key, ascending, without reading values. */
  forEachKey(visit: (key: Buffer) => void): void;
  /** Removes every key. */
  clear(): void;
}

/** A BytesMap held entirely in memory. */
export class MemoryBytesMap implements BytesMap {
  private readonly map = new SortedBytesMap<Buffer>();
  get size(): number {
    return this.map.size;
  }
  get(key: Buffer): Buffer | null {
    return this.map.get(key) ?? null;
  }
  set(key: Buffer, value: Buffer | null): boolean {
    return (value === null ? this.map.delete(key) : this.map.set(key, value)) !== undefined;
  }
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: Buffer) => boolean | void): void {
    this.map.scan(from, to, reverse, visit);
  }
  forEachKey(visit: (key: Buffer) => void): void {
    this.map.scan(null, null, false, (k) => void visit(k));
  }
  clear(): void {
    this.map.clear();
  }
}

/**
 * A BytesMap over a LevelDB store space, optionally under a key prefix (a window segment id).
 *
 * Range reads must be synchronous but LevelDB iterators are not, so the map keeps every key (not
 * value) in an in-memory sorted index, built by one key scan at open, and fetches values with
 * `getSync`. The trade: memory proportional to the key set, and an O(keys) scan at open; in
 * return `range`/`all` are synchronous and point misses never touch LevelDB.
 */
export class LevelBytesMap implements BytesMap {
  private readonly index = new SortedBytesMap<true>();

  constructor(
    private readonly space: StoreSpace,
    private readonly prefix: Buffer = Buffer.alloc(0),
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** Registers a key found on disk at open (no write). */
  addLoadedKey(key: Buffer): void {
    this.index.set(key, true);
  }

  private dbKey(key: Buffer): Buffer {
    return this.prefix.length === 0 ? key : Buffer.concat([this.prefix, key]);
  }

  /**
   * Straight to the staged writes and `getSync`, not through the index: a random index probe costs
   * as much as a LevelDB point read (cache misses on ~18 key buffers), so checking it first only
   * made hits slower.
   */
  get(key: Buffer): Buffer | null {
    return this.space.get(this.dbKey(key));
  }

  set(key: Buffer, value: Buffer | null): boolean {
    const existed = value === null ? this.index.delete(key) !== undefined : this.index.set(key, true) !== undefined;
    if (value !== null || existed) this.space.stage(this.dbKey(key), value);
    return existed;
  }

  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: Buffer) => boolean | void): void {
    this.index.scan(from, to, reverse, (key) => {
      const value = this.space.get(this.dbKey(key));
      return value === null ? undefined : visit(key, value);
    });
  }

  forEachKey(visit: (key: Buffer) => void): void {
    this.index.scan(null, null, false, (k) => void visit(k));
  }

  clear(): void {
    this.index.scan(null, null, false, (key) => {
      this.space.stage(this.dbKey(key), null);
    });
    this.index.clear();
  }
}
