import { BytesTable } from './bytes-table.js';

/**
 * Past this many logged writes without a lookup, the log is folded into a table: it bounds what
 * a write-only store (no reads, no cache above it) rewriting the same keys keeps alive.
 */
const FOLD_AFTER = 1 << 18;

/**
 * The writes staged in one store space for one commit, last write of a key winning. Held first as
 * an append-only log (two arrays: a write costs two pushes); folded into a byte-keyed table
 * ({@link BytesTable}) by the first lookup, or when the log gets long, and kept there until the
 * commit clears it.
 *
 * Why a log first: below a caching layer, and in any write-only store, nothing reads the staged
 * writes before the commit; a lookup structure for them would be paid on every write for nothing.
 * A store that reads (an aggregation without a cache: get, then put) folds at its first read and
 * then pays one table update per write, as a map would cost.
 * The commit may receive a key more than once from the log, in write order: a LevelDB batch
 * applies its operations in order, so the last write still wins.
 */
export class StagedWrites {
  private logKeys: Buffer[] = [];
  private logValues: (Buffer | null)[] = [];
  private table: BytesTable<Buffer | null> | null = null;
  /** A cleared table kept for the next fold. */
  private spareTable: BytesTable<Buffer | null> | null = null;

  constructor(private readonly foldAfter = FOLD_AFTER) {}

  /**
   * Stages a write (null: a delete). Returns the write it replaces when that is known without a
   * lookup — the value, or null for a delete — and undefined when the key was not staged or the log
   * cannot tell.
   */
  set(key: Buffer, value: Buffer | null): Buffer | null | undefined {
    if (this.table !== null) return this.table.set(key, value);
    this.logKeys.push(key);
    this.logValues.push(value);
    if (this.logKeys.length >= this.foldAfter) this.fold();
    return undefined;
  }

  /** The staged value of `key` (null: a staged delete), or undefined. */
  get(key: Buffer): Buffer | null | undefined {
    if (this.logKeys.length === 0 && this.table === null) return undefined;
    return this.fold().get(key);
  }

  /** Whether nothing is staged. */
  get empty(): boolean {
    return this.logKeys.length === 0 && (this.table === null || this.table.size === 0);
  }

  /** Number of distinct keys staged. */
  get size(): number {
    return this.empty ? 0 : this.fold().size;
  }

  /** Every staged write in write order (a key may come more than once; its last write last). */
  forEach(visit: (key: Buffer, value: Buffer | null) => void): void {
    if (this.table !== null) {
      this.table.forEach(visit);
      return;
    }
    const keys = this.logKeys;
    const values = this.logValues;
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, values[i]!);
  }

  /**
   * Every staged write in write order as two parallel arrays (a key may come more than once; its
   * last write last). The log's own arrays when nothing folded it: read them, do not keep them.
   */
  entries(): { readonly keys: readonly Buffer[]; readonly values: readonly (Buffer | null)[] } {
    if (this.table === null) return { keys: this.logKeys, values: this.logValues };
    const keys: Buffer[] = [];
    const values: (Buffer | null)[] = [];
    this.table.forEach((k, v) => {
      keys.push(k);
      values.push(v);
    });
    return { keys, values };
  }

  /** The last staged write of every key, once each. */
  forEachLatest(visit: (key: Buffer, value: Buffer | null) => void): void {
    if (!this.empty) this.fold().forEach(visit);
  }

  /** Drops every staged write; the next ones start as a log again. */
  clear(): void {
    this.logKeys = [];
    this.logValues = [];
    if (this.table !== null) {
      this.table.clear();
      this.spareTable = this.table;
      this.table = null;
    }
  }

  private fold(): BytesTable<Buffer | null> {
    if (this.table === null) {
      this.table = this.spareTable ?? new BytesTable<Buffer | null>(Math.max(64, this.logKeys.length));
      this.spareTable = null;
    }
    const table = this.table;
    const keys = this.logKeys;
    const values = this.logValues;
    for (let i = 0; i < keys.length; i++) table.set(keys[i]!, values[i]!);
    this.logKeys = [];
    this.logValues = [];
    return table;
  }
}
