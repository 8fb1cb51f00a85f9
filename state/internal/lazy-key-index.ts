import { KeySlab, compareRegions } from './key-slab.js';
import { SortedBytesMap } from './sorted-bytes-map.js';

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
  // The update log: key bytes in a slab (no Buffer kept per update; see KeySlab), offsets, lengths
  // and presence in typed arrays.
  private readonly logSlab = new KeySlab(4096);
  private logOff = new Int32Array(64);
  private logLen = new Int32Array(64);
  private logPresent = new Uint8Array(64);
  private logCount = 0;

  /** Records that `key` now exists. */
  add(key: Buffer): void {
    // A key past every indexed one, with nothing logged before it (ascending writes, as of a
    // sequential key space or a cache flushing in write order) goes straight in: one comparison.
    if (this.logCount === 0 && this.sorted.appendIfLast(key, true)) return;
    this.log(key, 1);
  }

  /** Records that `key` no longer exists. */
  remove(key: Buffer): void {
    this.log(key, 0);
  }

  private log(key: Buffer, present: number): void {
    const i = this.logCount;
    if (i === this.logOff.length) {
      const off = new Int32Array(2 * i);
      off.set(this.logOff);
      this.logOff = off;
      const len = new Int32Array(2 * i);
      len.set(this.logLen);
      this.logLen = len;
      const pr = new Uint8Array(2 * i);
      pr.set(this.logPresent);
      this.logPresent = pr;
    }
    this.logOff[i] = this.logSlab.append(key);
    this.logLen[i] = key.length;
    this.logPresent[i] = present;
    this.logCount = i + 1;
    if (i + 1 > 4096 && i + 1 > this.sorted.size) this.reconcile();
  }

  /** Merges the update log into the ordered set (last update of a key wins). */
  reconcile(): void {
    const n = this.logCount;
    if (n === 0) return;
    const bytes = this.logSlab.bytes;
    const off = this.logOff;
    const len = this.logLen;
    const present = this.logPresent;
    try {
      // A few updates against a large set (a scan after each write): one-by-one is O(k log n), a
      // merge would be O(n) per scan.
      if (n * 16 < this.sorted.size) {
        for (let i = 0; i < n; i++) {
          const key = bytes.subarray(off[i]!, off[i]! + len[i]!);
          if (present[i] === 1) this.sorted.set(key, true);
          else this.sorted.delete(key);
        }
        return;
      }
      // Keys logged in ascending order (a sequential key space, or a cache flushing in write
      // order): no sort, no dedupe.
      let ascending = true;
      for (let i = 1; i < n; i++) {
        if (compareRegions(bytes, off[i - 1]!, len[i - 1]!, bytes, off[i]!, len[i]!) >= 0) {
          ascending = false;
          break;
        }
      }
      const values: (true | undefined)[] = new Array(n);
      if (ascending) {
        for (let i = 0; i < n; i++) values[i] = present[i] === 1 ? true : undefined;
        this.sorted.applySorted({ bytes, offsets: off, lengths: len, values, count: n });
        return;
      }
      const order = Array.from({ length: n }, (_, i) => i);
      // Array.prototype.sort is stable: equal keys keep log order, so the last one is the newest.
      order.sort((a, b) => compareRegions(bytes, off[a]!, len[a]!, bytes, off[b]!, len[b]!));
      const outOff = new Int32Array(n);
      const outLen = new Int32Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const at = order[i]!;
        if (i + 1 < n) {
          const next = order[i + 1]!;
          if (compareRegions(bytes, off[at]!, len[at]!, bytes, off[next]!, len[next]!) === 0) continue;
        }
        outOff[m] = off[at]!;
        outLen[m] = len[at]!;
        values[m++] = present[at] === 1 ? true : undefined;
      }
      this.sorted.applySorted({ bytes, offsets: outOff, lengths: outLen, values, count: m });
    } finally {
      this.logCount = 0;
      this.logSlab.reset();
    }
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
    this.logCount = 0;
    this.logSlab.shrink(4096);
  }
}
