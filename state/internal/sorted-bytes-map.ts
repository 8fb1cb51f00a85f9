import { KeySlab, compareRegions } from './key-slab.js';

/**
 * An ordered map from byte keys to values, ordered by `Buffer.compare` (unsigned byte order, like
 * Kafka's `Bytes` comparator).
 *
 * Why chunks: a single sorted array costs O(n) per insert (200k random inserts ≈ seconds); a
 * balanced tree costs an object per key. A list of sorted chunks of at most {@link MAX_CHUNK}
 * entries (the "sorted list" layout) gives O(log n + √-ish) inserts with a few hundred arrays, and
 * range scans that walk plain arrays.
 * Why keys in a {@link KeySlab}, chunks as (offset, length) pairs in an `Int32Array`: a key index
 * lives as long as its store, so a `Buffer` kept per key is an object the garbage collector copies
 * and promotes once per key, then traces for good; a slab is one off-heap buffer. Keys go out as
 * views (valid for good) only when a scan visits them.
 */
const MAX_CHUNK = 512;

/**
 * `Buffer.compare` order. Why not `Buffer.compare` itself: for the short keys stores hold, the
 * call into C++ costs more than the comparison (it was ~20% of a random-read benchmark); a JS loop
 * up to the first differing byte is several times cheaper. Long keys still go native.
 */
export function compareBytes(a: Buffer, b: Buffer): number {
  const n = a.length < b.length ? a.length : b.length;
  if (n > 64) return Buffer.compare(a, b);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A sorted run of keys given by region, for {@link SortedBytesMap.applySorted}. */
export interface SortedRegions<V> {
  /** Where the keys' bytes are. */
  readonly bytes: Uint8Array;
  /** Key i is `bytes[offsets[i], offsets[i] + lengths[i])`; ascending and distinct. */
  readonly offsets: ArrayLike<number>;
  readonly lengths: ArrayLike<number>;
  /** `undefined` deletes the key. */
  readonly values: ArrayLike<V | undefined>;
  readonly count: number;
}

export class SortedBytesMap<V> {
  private readonly slab: KeySlab;
  /** Per chunk: entry i's key at slab offset `locs[c][2i]`, length `locs[c][2i + 1]`. */
  private locs: Int32Array[] = [];
  private fill: number[] = [];
  private values: V[][] = [];
  private count = 0;

  /** `slabMinDeadBytes`: see {@link KeySlab}'s `minDeadBytes`. */
  constructor(slabMinDeadBytes?: number) {
    this.slab = new KeySlab(4096, slabMinDeadBytes);
  }

  get size(): number {
    return this.count;
  }

  /** Sign of (entry i of chunk c) against `key`. */
  private cmp(c: number, i: number, key: Uint8Array): number {
    const loc = this.locs[c]!;
    const at = loc[2 * i]!;
    const n = loc[2 * i + 1]!;
    const bytes = this.slab.bytes;
    const kn = key.length;
    const m = n < kn ? n : kn;
    if (m > 64) return bytes.compare(key, 0, kn, at, at + n);
    for (let j = 0; j < m; j++) {
      const d = bytes[at + j]! - key[j]!;
      if (d !== 0) return d;
    }
    return n - kn;
  }

  /** Index of the first chunk whose last key is >= key (or the last chunk). */
  private chunkFor(key: Uint8Array): number {
    let lo = 0;
    let hi = this.locs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(mid, this.fill[mid]! - 1, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index in chunk c whose key is >= key. */
  private lowerBound(c: number, key: Uint8Array): number {
    let lo = 0;
    let hi = this.fill[c]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(c, mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private keyView(c: number, i: number): Buffer {
    const loc = this.locs[c]!;
    return this.slab.view(loc[2 * i]!, loc[2 * i + 1]!);
  }

  get(key: Buffer): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunkFor(key);
    const i = this.lowerBound(c, key);
    return i < this.fill[c]! && this.cmp(c, i, key) === 0 ? this.values[c]![i] : undefined;
  }

  has(key: Buffer): boolean {
    return this.get(key) !== undefined;
  }

  private newChunk(at: number): void {
    const loc = new Int32Array(2 * MAX_CHUNK);
    if (at === this.locs.length) {
      this.locs.push(loc);
      this.fill.push(0);
      this.values.push([]);
    } else {
      this.locs.splice(at, 0, loc);
      this.fill.splice(at, 0, 0);
      this.values.splice(at, 0, []);
    }
  }

  /** Sets a value; returns the previous one. */
  set(key: Buffer, value: V): V | undefined {
    if (this.count === 0) {
      this.appendIfLast(key, value);
      return undefined;
    }
    let c = this.chunkFor(key);
    let i = this.lowerBound(c, key);
    if (i < this.fill[c]! && this.cmp(c, i, key) === 0) {
      const vals = this.values[c]!;
      const old = vals[i];
      vals[i] = value;
      return old;
    }
    if (this.fill[c] === MAX_CHUNK) {
      // Split the full chunk in two halves; the key goes into the half its position falls in.
      const half = MAX_CHUNK >>> 1;
      this.newChunk(c + 1);
      this.locs[c + 1]!.set(this.locs[c]!.subarray(2 * half, 2 * MAX_CHUNK));
      this.values[c + 1] = this.values[c]!.splice(half);
      this.fill[c] = half;
      this.fill[c + 1] = MAX_CHUNK - half;
      if (i > half) {
        c++;
        i -= half;
      }
    }
    const loc = this.locs[c]!;
    const n = this.fill[c]!;
    loc.copyWithin(2 * i + 2, 2 * i, 2 * n);
    loc[2 * i] = this.slab.append(key);
    loc[2 * i + 1] = key.length;
    this.values[c]!.splice(i, 0, value);
    this.fill[c] = n + 1;
    this.count++;
    return undefined;
  }

  /**
   * Adds `key` if it sorts after every key held (O(1): no search, no split of a full chunk's
   * neighbours); returns false, changing nothing, otherwise.
   */
  appendIfLast(key: Buffer, value: V): boolean {
    let c = this.locs.length - 1;
    if (c >= 0 && this.cmp(c, this.fill[c]! - 1, key) >= 0) return false;
    if (c < 0 || this.fill[c] === MAX_CHUNK) this.newChunk(++c);
    const i = this.fill[c]!;
    const loc = this.locs[c]!;
    loc[2 * i] = this.slab.append(key);
    loc[2 * i + 1] = key.length;
    this.values[c]!.push(value);
    this.fill[c] = i + 1;
    this.count++;
    return true;
  }

  /** Removes a key; returns the removed value. */
  delete(key: Buffer): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunkFor(key);
    const i = this.lowerBound(c, key);
    const n = this.fill[c]!;
    if (i >= n || this.cmp(c, i, key) !== 0) return undefined;
    const loc = this.locs[c]!;
    this.slab.release(loc[2 * i + 1]!);
    const old = this.values[c]!.splice(i, 1)[0];
    loc.copyWithin(2 * i, 2 * i + 2, 2 * n);
    this.fill[c] = n - 1;
    this.count--;
    if (n === 1) {
      this.locs.splice(c, 1);
      this.fill.splice(c, 1);
      this.values.splice(c, 1);
    }
    if (this.slab.wantsCompaction) this.compact();
    return old;
  }

  clear(): void {
    this.locs = [];
    this.fill = [];
    this.values = [];
    this.count = 0;
    this.slab.shrink(4096);
  }

  /** Moves every key into a new slab buffer, in order, leaving the holes of deleted keys behind. */
  private compact(): void {
    const old = this.slab.startCompaction();
    for (let c = 0; c < this.locs.length; c++) {
      const loc = this.locs[c]!;
      const n = this.fill[c]!;
      for (let i = 0; i < n; i++) loc[2 * i] = this.slab.appendFrom(old, loc[2 * i]!, loc[2 * i + 1]!);
    }
  }

  /**
   * Applies many updates in one merge pass: keys ascending and distinct, a value `undefined`
   * deletes. O(size + updates), against O(updates · log size) plus cache misses for one-by-one sets.
   * Surviving keys keep their slab bytes; new ones are copied in.
   */
  applySorted(run: SortedRegions<V>): void {
    const { bytes: src, offsets, lengths, values, count: m } = run;
    if (m === 0) return;
    const last = this.locs.length - 1;
    if (last < 0 || this.cmp(last, this.fill[last]! - 1, src.subarray(offsets[0]!, offsets[0]! + lengths[0]!)) < 0) {
      for (let j = 0; j < m; j++) {
        const v = values[j];
        if (v === undefined) continue;
        // Appended in order: a full last chunk starts a new one (half full, as a merge leaves them).
        const c = this.locs.length - 1;
        if (c < 0 || this.fill[c]! >= MAX_CHUNK >>> 1) this.newChunk(c + 1);
        const d = this.locs.length - 1;
        const i = this.fill[d]!;
        const loc = this.locs[d]!;
        loc[2 * i] = this.slab.appendFrom(src, offsets[j]!, lengths[j]!);
        loc[2 * i + 1] = lengths[j]!;
        this.values[d]!.push(v);
        this.fill[d] = i + 1;
        this.count++;
      }
      return;
    }
    const half = MAX_CHUNK >>> 1;
    const oldLocs = this.locs;
    const oldFill = this.fill;
    const oldValues = this.values;
    this.locs = [];
    this.fill = [];
    this.values = [];
    this.count = 0;
    let loc: Int32Array = new Int32Array(0);
    let vals: V[] = [];
    let k = half;
    const emit = (at: number, n: number, v: V) => {
      if (k === half) {
        loc = new Int32Array(2 * MAX_CHUNK);
        vals = [];
        this.locs.push(loc);
        this.fill.push(0);
        this.values.push(vals);
        k = 0;
      }
      loc[2 * k] = at;
      loc[2 * k + 1] = n;
      vals.push(v);
      this.fill[this.fill.length - 1] = ++k;
      this.count++;
    };
    const slab = this.slab;
    let j = 0;
    for (let c = 0; c < oldLocs.length; c++) {
      const ol = oldLocs[c]!;
      const ov = oldValues[c]!;
      for (let i = 0; i < oldFill[c]!; i++) {
        const at = ol[2 * i]!;
        const n = ol[2 * i + 1]!;
        let d = -1;
        // Updates before this key: new keys (the slab may grow, so its bytes are re-read each time).
        while (j < m && (d = compareRegions(slab.bytes, at, n, src, offsets[j]!, lengths[j]!)) > 0) {
          const v = values[j];
          if (v !== undefined) emit(slab.appendFrom(src, offsets[j]!, lengths[j]!), lengths[j]!, v);
          j++;
        }
        if (j < m && d === 0) {
          const v = values[j++];
          if (v !== undefined) emit(at, n, v);
          else slab.release(n);
        } else emit(at, n, ov[i]!);
      }
    }
    for (; j < m; j++) {
      const v = values[j];
      if (v !== undefined) emit(slab.appendFrom(src, offsets[j]!, lengths[j]!), lengths[j]!, v);
    }
    if (slab.wantsCompaction) this.compact();
  }

  /**
   * Entries with from <= key <= to (both inclusive; null = unbounded), ascending or descending.
   * `visit` returns false to stop early; keys are views (valid for good).
   */
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: V) => boolean | void): void {
    if (this.count === 0) return;
    if (from !== null && to !== null && compareBytes(from, to) > 0) return;
    if (!reverse) {
      let c = from === null ? 0 : this.chunkFor(from);
      let i = from === null ? 0 : this.lowerBound(c, from);
      for (; c < this.locs.length; c++, i = 0) {
        for (; i < this.fill[c]!; i++) {
          if (to !== null && this.cmp(c, i, to) > 0) return;
          if (visit(this.keyView(c, i), this.values[c]![i]!) === false) return;
        }
      }
      return;
    }
    let c = to === null ? this.locs.length - 1 : this.chunkFor(to);
    let i: number;
    if (to === null) i = this.fill[c]! - 1;
    else {
      i = this.lowerBound(c, to);
      if (i >= this.fill[c]! || this.cmp(c, i, to) !== 0) i--;
    }
    for (; c >= 0; c--, i = c >= 0 ? this.fill[c]! - 1 : 0) {
      for (; i >= 0; i--) {
        if (from !== null && this.cmp(c, i, from) < 0) return;
        if (visit(this.keyView(c, i), this.values[c]![i]!) === false) return;
      }
    }
  }
}
