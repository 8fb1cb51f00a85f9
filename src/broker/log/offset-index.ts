/**
 * The sparse offset index of one segment (`<base>.index`): 8-byte entries `int32 relativeOffset,
 * int32 position`, meaning "the batch whose base offset is base + relativeOffset starts at this file
 * position". One entry is added per `indexIntervalBytes` of log, so a lookup lands at most that many
 * bytes before the wanted batch. Both columns strictly increase.
 */
import { readIndexFile, writeIndexBytes } from './index-file.js';

const ENTRY_SIZE = 8;

/** In-memory sparse offset index with a write-behind file. */
export class OffsetIndex {
  private readonly relOffsets: number[] = [];
  private readonly positions: number[] = [];
  /** Entries already in the file; the rest are pending. */
  private written = 0;

  constructor(
    readonly path: string,
    private readonly baseOffset: number,
  ) {}

  /**
   * Loads the index file and checks it against the segment: a whole number of entries, both columns
   * strictly increasing, offsets below `nextOffset`, positions below `logSize`. Returns null when the
   * file is missing or fails a check, so the caller rebuilds it.
   */
  static load(path: string, baseOffset: number, logSize: number, nextOffset: number): OffsetIndex | null {
    const bytes = readIndexFile(path);
    if (bytes === null || bytes.length % ENTRY_SIZE !== 0) return null;
    const index = new OffsetIndex(path, baseOffset);
    let prevRel = -1;
    let prevPos = -1;
    for (let p = 0; p < bytes.length; p += ENTRY_SIZE) {
      const rel = bytes.readInt32BE(p);
      const pos = bytes.readInt32BE(p + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize || baseOffset + rel >= nextOffset) return null;
      index.relOffsets.push(rel);
      index.positions.push(pos);
      prevRel = rel;
      prevPos = pos;
    }
    index.written = index.relOffsets.length;
    return index;
  }

  get entryCount(): number {
    return this.relOffsets.length;
  }

  /** Records that the batch starting at `offset` sits at `position` (both beyond the last entry). */
  add(offset: number, position: number): void {
    this.relOffsets.push(offset - this.baseOffset);
    this.positions.push(position);
  }

  /** The last entry at or before `offset`, or the segment start when there is none. */
  floor(offset: number): { offset: number; position: number } {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.relOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= rel) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relOffsets[lo - 1]!, position: this.positions[lo - 1]! };
  }

  /** Entry `i` (0-based) as absolute offset and position. */
  entryAt(i: number): { offset: number; position: number } {
    return { offset: this.baseOffset + this.relOffsets[i]!, position: this.positions[i]! };
  }

  /** The last entry, or the segment start when the index is empty. */
  last(): { offset: number; position: number } {
    const n = this.relOffsets.length;
    if (n === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relOffsets[n - 1]!, position: this.positions[n - 1]! };
  }

  /** Writes entries not yet in the file. */
  flush(): void {
    const n = this.relOffsets.length;
    if (this.written === n) return;
    const bytes = Buffer.allocUnsafe((n - this.written) * ENTRY_SIZE);
    for (let i = this.written, p = 0; i < n; i++, p += ENTRY_SIZE) {
      bytes.writeInt32BE(this.relOffsets[i]!, p);
      bytes.writeInt32BE(this.positions[i]!, p + 4);
    }
    writeIndexBytes(this.path, this.written * ENTRY_SIZE, bytes);
    this.written = n;
  }

  /** Rewrites the whole file from memory (after a rebuild). */
  rewrite(): void {
    this.written = 0;
    if (this.relOffsets.length === 0) writeIndexBytes(this.path, 0, Buffer.alloc(0));
    else this.flush();
  }
}
