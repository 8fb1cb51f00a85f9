/**
 * The sparse time index of one segment (`<base>.timeindex`): 12-byte entries `int64 timestamp,
 * int32 relativeOffset`, meaning "after the batch at base + relativeOffset, the largest record timestamp
 * in this segment so far is `timestamp`". Timestamps strictly increase, so every batch before an entry
 * whose timestamp is below a target holds only records below it: a lookup may start scanning there.
 * An entry is added with each offset-index entry when the maximum grew, plus a final one at roll and
 * close, so the last entry of a sealed segment is its exact maximum timestamp.
 */
import { readIndexFile, writeIndexBytes } from './index-file.js';

const ENTRY_SIZE = 12;
const TWO_32 = 4294967296;

/** In-memory sparse time index with a write-behind file. */
export class TimeIndex {
  private readonly timestamps: number[] = [];
  private readonly relOffsets: number[] = [];
  private written = 0;

  constructor(
    readonly path: string,
    private readonly baseOffset: number,
  ) {}

  /**
   * Loads and checks the file (whole entries, timestamps strictly increasing, offsets non-decreasing and
   * below `nextOffset`); null when missing or inconsistent, so the caller rebuilds it.
   */
  static load(path: string, baseOffset: number, nextOffset: number): TimeIndex | null {
    const bytes = readIndexFile(path);
    if (bytes === null || bytes.length % ENTRY_SIZE !== 0) return null;
    const index = new TimeIndex(path, baseOffset);
    let prevTs = -Infinity;
    let prevRel = 0;
    for (let p = 0; p < bytes.length; p += ENTRY_SIZE) {
      const ts = bytes.readInt32BE(p) * TWO_32 + bytes.readUInt32BE(p + 4);
      const rel = bytes.readInt32BE(p + 8);
      if (ts <= prevTs || rel < prevRel || baseOffset + rel >= nextOffset) return null;
      index.timestamps.push(ts);
      index.relOffsets.push(rel);
      prevTs = ts;
      prevRel = rel;
    }
    index.written = index.timestamps.length;
    return index;
  }

  get entryCount(): number {
    return this.timestamps.length;
  }

  /** Largest timestamp recorded, or -Infinity. */
  get maxTimestamp(): number {
    const n = this.timestamps.length;
    return n === 0 ? -Infinity : this.timestamps[n - 1]!;
  }

  /** Entry `i` (0-based) as timestamp and absolute offset. */
  entryAt(i: number): { timestamp: number; offset: number } {
    return { timestamp: this.timestamps[i]!, offset: this.baseOffset + this.relOffsets[i]! };
  }

  /** Adds `(maxTimestamp, offset)` if it raises the maximum; otherwise the entry would say nothing new. */
  maybeAdd(maxTimestamp: number, offset: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.timestamps.push(maxTimestamp);
      this.relOffsets.push(offset - this.baseOffset);
    }
  }

  /**
   * The offset of the last batch known to hold only records with timestamp < `timestamp` (scan may start
   * there), or null when no entry says so (scan from the segment start).
   */
  lastBelow(timestamp: number): number | null {
    let lo = 0;
    let hi = this.timestamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : this.baseOffset + this.relOffsets[lo - 1]!;
  }

  /** Writes entries not yet in the file. */
  flush(): void {
    const n = this.timestamps.length;
    if (this.written === n) return;
    const bytes = Buffer.allocUnsafe((n - this.written) * ENTRY_SIZE);
    for (let i = this.written, p = 0; i < n; i++, p += ENTRY_SIZE) {
      const ts = this.timestamps[i]!;
      const hi = Math.floor(ts / TWO_32);
      bytes.writeInt32BE(hi, p);
      bytes.writeUInt32BE(ts - hi * TWO_32, p + 4);
      bytes.writeInt32BE(this.relOffsets[i]!, p + 8);
    }
    writeIndexBytes(this.path, this.written * ENTRY_SIZE, bytes);
    this.written = n;
  }

  /** Rewrites the whole file from memory (after a rebuild). */
  rewrite(): void {
    this.written = 0;
    if (this.timestamps.length === 0) writeIndexBytes(this.path, 0, Buffer.alloc(0));
    else this.flush();
  }
}
