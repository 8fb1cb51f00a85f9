import { BytesTable } from './bytes-table.js';
import { KeySlab } from './key-slab.js';

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
  // The log: key bytes in a slab (see KeySlab: no Buffer kept per write), offsets and lengths in
  // typed arrays, values (the caller's buffers) in an array reused across commits.
  private readonly logSlab = new KeySlab(4096);
  private logOff = new Int32Array(64);
  private logLen = new Int32Array(64);
  private logValues: (Buffer | null)[] = [];
  private logCount = 0;
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
    const i = this.logCount;
    if (i === this.logOff.length) {
      const off = new Int32Array(2 * i);
      off.set(this.logOff);
      this.logOff = off;
      const len = new Int32Array(2 * i);
      len.set(this.logLen);
      this.logLen = len;
    }
    this.logOff[i] = this.logSlab.append(key);
    this.logLen[i] = key.length;
    if (i < this.logValues.length) this.logValues[i] = value;
    else this.logValues.push(value);
    this.logCount = i + 1;
    if (i + 1 >= this.foldAfter) this.fold();
    return undefined;
  }

  /** The staged value of `key` (null: a staged delete), or undefined. */
  get(key: Buffer): Buffer | null | undefined {
    if (this.logCount === 0 && this.table === null) return undefined;
    return this.fold().get(key);
  }

  /** Whether nothing is staged. */
  get empty(): boolean {
    return this.logCount === 0 && (this.table === null || this.table.size === 0);
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
    for (let i = 0; i < this.logCount; i++) visit(this.logSlab.view(this.logOff[i]!, this.logLen[i]!), this.logValues[i]!);
  }

  /**
   * {@link forEach} without a key view per write: the key is `bytes[offset, offset + length)`, to
   * be read (copied) during the call only.
   */
  forEachRegion(visit: (bytes: Buffer, offset: number, length: number, value: Buffer | null) => void): void {
    if (this.table !== null) {
      this.table.forEachRegion(visit);
      return;
    }
    const bytes = this.logSlab.bytes;
    const off = this.logOff;
    const len = this.logLen;
    const values = this.logValues;
    for (let i = 0; i < this.logCount; i++) visit(bytes, off[i]!, len[i]!, values[i]!);
  }

  /** The last staged write of every key, once each. */
  forEachLatest(visit: (key: Buffer, value: Buffer | null) => void): void {
    if (!this.empty) this.fold().forEach(visit);
  }

  /** Drops every staged write; the next ones start as a log again. */
  clear(): void {
    this.clearLog();
    if (this.table !== null) {
      this.table.clear();
      this.spareTable = this.table;
      this.table = null;
    }
  }

  /** Empties the log, keeping its buffers (the next commit is likely alike) but not its values. */
  private clearLog(): void {
    this.logValues.fill(null, 0, this.logCount);
    this.logCount = 0;
    this.logSlab.reset();
  }

  private fold(): BytesTable<Buffer | null> {
    if (this.table === null) {
      this.table = this.spareTable ?? new BytesTable<Buffer | null>(Math.max(64, this.logCount));
      this.spareTable = null;
    }
    const table = this.table;
    const n = this.logCount;
    if (n > 0) {
      const bytes = this.logSlab.bytes;
      const values = this.logValues;
      for (let i = 0; i < n; i++) {
        const at = this.logOff[i]!;
        table.set(bytes.subarray(at, at + this.logLen[i]!), values[i]!);
      }
      this.clearLog();
    }
    return table;
  }
}
