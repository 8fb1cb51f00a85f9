/**
 * An ordered map from byte keys to values, ordered by `Buffer.compare` (unsigned byte order, like
 * Kafka's `Bytes` comparator).
 *
 * Why chunks: a single sorted array costs O(n) per insert (200k random inserts ≈ seconds); a
 * balanced tree costs an object per key. A list of sorted chunks of at most {@link MAX_CHUNK}
 * entries (the "sorted list" layout) gives O(log n + √-ish) inserts with a few hundred arrays, and
 * range scans that walk plain arrays.
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

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

export class SortedBytesMap<V> {
  private keys: Buffer[][] = [];
  private values: V[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last key is >= key (or the last chunk). */
  private chunkFor(key: Buffer): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.keys[mid]!;
      if (compareBytes(chunk[chunk.length - 1]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index in a chunk whose key is >= key. */
  private static lowerBound(chunk: Buffer[], key: Buffer): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(chunk[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: Buffer): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunkFor(key);
    const chunk = this.keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    return i < chunk.length && sameBytes(chunk[i]!, key) ? this.values[c]![i] : undefined;
  }

  has(key: Buffer): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets a value; returns the previous one. */
  set(key: Buffer, value: V): V | undefined {
    if (this.count === 0) {
      this.keys.push([key]);
      this.values.push([value]);
      this.count = 1;
      return undefined;
    }
    const c = this.chunkFor(key);
    const chunk = this.keys[c]!;
    const vals = this.values[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    if (i < chunk.length && sameBytes(chunk[i]!, key)) {
      const old = vals[i];
      vals[i] = value;
      return old;
    }
    chunk.splice(i, 0, key);
    vals.splice(i, 0, value);
    this.count++;
    if (chunk.length > MAX_CHUNK) {
      const half = chunk.length >>> 1;
      this.keys.splice(c + 1, 0, chunk.splice(half));
      this.values.splice(c + 1, 0, vals.splice(half));
    }
    return undefined;
  }

  /**
   * Adds `key` if it sorts after every key held (O(1): no search, no split of a full chunk's
   * neighbours); returns false, changing nothing, otherwise.
   */
  appendIfLast(key: Buffer, value: V): boolean {
    const c = this.keys.length - 1;
    if (c >= 0) {
      const chunk = this.keys[c]!;
      if (compareBytes(key, chunk[chunk.length - 1]!) <= 0) return false;
      if (chunk.length < MAX_CHUNK) {
        chunk.push(key);
        this.values[c]!.push(value);
        this.count++;
        return true;
      }
    }
    this.keys.push([key]);
    this.values.push([value]);
    this.count++;
    return true;
  }

  /** Removes a key; returns the removed value. */
  delete(key: Buffer): V | undefined {
    if (this.count === 0) return undefined;
    const c = this.chunkFor(key);
    const chunk = this.keys[c]!;
    const i = SortedBytesMap.lowerBound(chunk, key);
    if (i >= chunk.length || !sameBytes(chunk[i]!, key)) return undefined;
    const old = this.values[c]![i];
    chunk.splice(i, 1);
    this.values[c]!.splice(i, 1);
    this.count--;
    if (chunk.length === 0) {
      this.keys.splice(c, 1);
      this.values.splice(c, 1);
    }
    return old;
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.count = 0;
  }

  /**
   * Applies many updates in one merge pass: `keys` ascending and distinct, `values[i] === undefined`
   * deletes. O(size + updates), against O(updates · log size) plus cache misses for one-by-one sets.
   */
  applySorted(keys: readonly Buffer[], values: readonly (V | undefined)[]): void {
    if (keys.length === 0) return;
    const last = this.keys.length === 0 ? null : this.keys[this.keys.length - 1]!;
    if (last === null || compareBytes(keys[0]!, last[last.length - 1]!) > 0) return this.appendSorted(keys, values);
    const outKeys: Buffer[] = [];
    const outValues: V[] = [];
    let j = 0;
    const emit = (k: Buffer, v: V) => {
      outKeys.push(k);
      outValues.push(v);
    };
    for (let c = 0; c < this.keys.length; c++) {
      const chunk = this.keys[c]!;
      const vals = this.values[c]!;
      for (let i = 0; i < chunk.length; i++) {
        const k = chunk[i]!;
        let cmp = -1;
        while (j < keys.length && (cmp = compareBytes(keys[j]!, k)) < 0) {
          if (values[j] !== undefined) emit(keys[j]!, values[j]!);
          j++;
        }
        if (j < keys.length && cmp === 0) {
          if (values[j] !== undefined) emit(k, values[j]!);
          j++;
        } else emit(k, vals[i]!);
      }
    }
    for (; j < keys.length; j++) if (values[j] !== undefined) emit(keys[j]!, values[j]!);
    const half = MAX_CHUNK >>> 1;
    this.keys = [];
    this.values = [];
    for (let i = 0; i < outKeys.length; i += half) {
      this.keys.push(outKeys.slice(i, i + half));
      this.values.push(outValues.slice(i, i + half));
    }
    this.count = outKeys.length;
  }

  /**
   * Every update lands after the last key (a sequential key space): new chunks, no merge, and the
   * deletes are of absent keys.
   */
  private appendSorted(keys: readonly Buffer[], values: readonly (V | undefined)[]): void {
    const half = MAX_CHUNK >>> 1;
    let chunkKeys: Buffer[] = [];
    let chunkValues: V[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (values[i] === undefined) continue;
      chunkKeys.push(keys[i]!);
      chunkValues.push(values[i]!);
      if (chunkKeys.length === half) {
        this.keys.push(chunkKeys);
        this.values.push(chunkValues);
        this.count += half;
        chunkKeys = [];
        chunkValues = [];
      }
    }
    if (chunkKeys.length > 0) {
      this.keys.push(chunkKeys);
      this.values.push(chunkValues);
      this.count += chunkKeys.length;
    }
  }

  /**
   * Entries with from <= key <= to (both inclusive; null = unbounded), ascending or descending.
   * `visit` returns false to stop early.
   */
  scan(from: Buffer | null, to: Buffer | null, reverse: boolean, visit: (key: Buffer, value: V) => boolean | void): void {
    if (this.count === 0) return;
    if (from !== null && to !== null && compareBytes(from, to) > 0) return;
    if (!reverse) {
      let c = from === null ? 0 : this.chunkFor(from);
      let i = from === null ? 0 : SortedBytesMap.lowerBound(this.keys[c]!, from);
      for (; c < this.keys.length; c++, i = 0) {
        const chunk = this.keys[c]!;
        const vals = this.values[c]!;
        for (; i < chunk.length; i++) {
          if (to !== null && compareBytes(chunk[i]!, to) > 0) return;
          if (visit(chunk[i]!, vals[i]!) === false) return;
        }
      }
      return;
    }
    let c = to === null ? this.keys.length - 1 : this.chunkFor(to);
    let i: number;
    if (to === null) i = this.keys[c]!.length - 1;
    else {
      const chunk = this.keys[c]!;
      i = SortedBytesMap.lowerBound(chunk, to);
      if (i >= chunk.length || !sameBytes(chunk[i]!, to)) i--;
    }
    for (; c >= 0; c--, i = c >= 0 ? this.keys[c]!.length - 1 : 0) {
      const chunk = this.keys[c]!;
      const vals = this.values[c]!;
      for (; i >= 0; i--) {
        if (from !== null && compareBytes(chunk[i]!, from) < 0) return;
        if (visit(chunk[i]!, vals[i]!) === false) return;
      }
    }
  }
}
