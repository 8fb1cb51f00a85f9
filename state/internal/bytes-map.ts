import { LazyKeyIndex } from './lazy-key-index.js';
import type { StoreSpace } from './store-space.js';

/**
 * The byte-level storage under every inner store: a map ordered by `Buffer.compare` with
 * synchronous reads. Key-value stores use one; window and session stores use one per segment.
 */
export interface BytesMap {
  readonly size: number;
  get(key: Buffer): Buffer | null;
  /** Sets (null: deletes) a key. */
  set(key: Buffer, value: Buffer | null): void;
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: Buffer) => boolean | void): void;
  /** Visits every key, ascending, without reading values. */
  forEachKey(visit: (key: Buffer) => void): void;
  /** Removes every key. */
  clear(): void;
}

/**
 * A BytesMap held entirely in memory: values in a hash map (point reads and writes in O(1)), order
 * kept by a {@link LazyKeyIndex} that only membership changes touch.
 */
export class MemoryBytesMap implements BytesMap {
  private readonly values = new Map<string, { key: Buffer; value: Buffer }>();
  private readonly index = new LazyKeyIndex();
  get size(): number {
    return this.values.size;
  }
  get(key: Buffer): Buffer | null {
    return this.values.get(key.toString('latin1'))?.value ?? null;
  }
  set(key: Buffer, value: Buffer | null): void {
    const id = key.toString('latin1');
    if (value === null) {
      if (this.values.delete(id)) this.index.remove(key);
      return;
    }
    const entry = this.values.get(id);
    if (entry !== undefined) entry.value = value;
    else {
      this.values.set(id, { key, value });
      this.index.add(key);
    }
  }
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: Buffer) => boolean | void): void {
    this.index.scan(from, to, reverse, (key) => visit(key, this.values.get(key.toString('latin1'))!.value));
  }
  forEachKey(visit: (key: Buffer) => void): void {
    this.index.scan(null, null, false, (k) => void visit(k));
  }
  clear(): void {
    this.values.clear();
    this.index.clear();
  }
}

/**
 * A BytesMap over a LevelDB store space, optionally under a key prefix (a window segment id).
 *
 * Range reads must be synchronous but LevelDB iterators are not, so the map keeps every key (not
 * value) in an in-memory ordered index ({@link LazyKeyIndex}), built by one key scan at open, and
 * fetches values with `getSync`. The trade: memory proportional to the key set, and an O(keys) scan at open; in
 * return `range`/`all` are synchronous and point misses never touch LevelDB.
 */
export class LevelBytesMap implements BytesMap {
  private readonly index = new LazyKeyIndex();

  constructor(
    private readonly space: StoreSpace,
    private readonly prefix: Buffer = Buffer.alloc(0),
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** Registers a key found on disk at open (no write). */
  addLoadedKey(key: Buffer): void {
    this.index.add(key);
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

  /**
   * Staged for the next commit; a delete is staged even if the key may be absent (harmless). The
   * key index hears of the write only when the key's presence may have changed: a key the staging
   * knows to be staged with a value (or a delete) since the last commit is already present
   * (absent) in it.
   */
  set(key: Buffer, value: Buffer | null): void {
    const before = this.space.stage(this.dbKey(key), value);
    if (value === null) {
      if (before !== null) this.index.remove(key);
    } else if (before === undefined || before === null) this.index.add(key);
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
