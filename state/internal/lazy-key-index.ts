import { SortedBytesMap, compareBytes } from './sorted-bytes-map.js';

/**
 * The set of keys of a store, in byte order, maintained lazily: writes only append to a log of
 * (key, present) updates, which is sorted and merged into the ordered set when something needs
 * order or count (a range, `size`), or when the log grows as large as the set.
 *
 * Why: most stores are written far more often than they are scanned, and inserting each key into an
 * ordered structure costs ~0.5 µs (sequential keys) to ~1.8 µs (random keys, cache misses); a
 * sort-and-merge of a batch costs a fraction of that per key. Point reads never need the index.
 * A short log against a large set (scans interleaved with writes) is applied key by key instead,
 * and a key written after every indexed key, with the log empty, is appended at once.
 */
export class LazyKeyIndex {
  private readonly sorted = new SortedBytesMap<true>();
  private logKeys: Buffer[] = [];
  private logPresent: boolean[] = [];

  /** Records that `key` now exists. */
  add(key: Buffer): void {
    // A key past every indexed one, with nothing logged before it (ascending writes, as of a
    // sequential key space or a cache flushing in write order) goes straight in: one comparison.
    if (this.logKeys.length === 0 && this.sorted.appendIfLast(key, true)) return;
    this.logKeys.push(key);
    this.logPresent.push(true);
    this.maybeReconcile();
  }

  /** Records that `key` no longer exists. */
  remove(key: Buffer): void {
    this.logKeys.push(key);
    this.logPresent.push(false);
    this.maybeReconcile();
  }

  private maybeReconcile(): void {
    if (this.logKeys.length > 4096 && this.logKeys.length > this.sorted.size) this.reconcile();
  }

  /** Merges the update log into the ordered set (last update of a key wins). */
  reconcile(): void {
    const n = this.logKeys.length;
    if (n === 0) return;
    const keys = this.logKeys;
    const present = this.logPresent;
    this.logKeys = [];
    this.logPresent = [];
    // A few updates against a large set (a scan after each write): one-by-one is O(k log n), a
    // merge would be O(n) per scan.
    if (n * 16 < this.sorted.size) {
      for (let i = 0; i < n; i++) {
        if (present[i]) this.sorted.set(keys[i]!, true);
        else this.sorted.delete(keys[i]!);
      }
      return;
    }
    // Keys logged in ascending order (a sequential key space, or a cache flushing in write order):
    // no sort, no dedupe.
    let ascending = true;
    for (let i = 1; i < n; i++) {
      if (compareBytes(keys[i - 1]!, keys[i]!) >= 0) {
        ascending = false;
        break;
      }
    }
    if (ascending) {
      const values: (true | undefined)[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = present[i] ? true : undefined;
      this.sorted.applySorted(keys, values);
      return;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    // Array.prototype.sort is stable: equal keys keep log order, so the last one is the newest.
    order.sort((a, b) => compareBytes(keys[a]!, keys[b]!));
    const outKeys: Buffer[] = [];
    const outValues: (true | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const at = order[i]!;
      if (i + 1 < n && compareBytes(keys[at]!, keys[order[i + 1]!]!) === 0) continue;
      outKeys.push(keys[at]!);
      outValues.push(present[at] ? true : undefined);
    }
    this.sorted.applySorted(outKeys, outValues);
  }

  get size(): number {
    this.reconcile();
    return this.sorted.size;
  }

  has(key: Buffer): boolean {
    this.reconcile();
    return this.sorted.has(key);
  }

  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer) => boolean | void): void {
    this.reconcile();
    this.sorted.scan(from, to, reverse, (k) => visit(k));
  }

  clear(): void {
    this.sorted.clear();
    this.logKeys = [];
    this.logPresent = [];
  }
}
