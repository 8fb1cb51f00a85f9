/**
 * One segment of a partition log: `<base>.log` (the batches, the truth), `<base>.index` and
 * `<base>.timeindex` (sparse, rebuildable). Files are named by base offset, 20 digits zero-padded, as
 * in Kafka. The `.log` file descriptor stays open for the segment's lifetime; reads and writes are
 * positional.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unlinkIfExists, writeIndexBytes } from './index-file.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

/** `00000000000000000042` for 42. */
export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** Base offset of a `<20 digits>.log` file name, or null for any other name. */
export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** A segment: its open `.log` file, its size and offsets, and its in-memory sparse indexes. */
export class Segment {
  readonly logPath: string;
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  /** Bytes of valid batches in the `.log`. */
  size = 0;
  /** Offset the next batch appended here would get. */
  nextOffset: number;
  /** Largest record timestamp in the segment, -Infinity when empty. */
  maxTimestamp = -Infinity;
  /** Base offset of the last batch, for the final time-index entry. */
  private lastBatchOffset = -1;
  private bytesSinceIndexEntry = 0;
  private fd: number;
  /** In-flight async fsyncs; the descriptor is closed when the last one ends. */
  private pendingSyncs = 0;
  private closeRequested = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    fd: number,
  ) {
    const stem = path.join(dir, segmentName(baseOffset));
    this.logPath = `${stem}.log`;
    this.fd = fd;
    this.nextOffset = baseOffset;
    this.offsetIndex = new OffsetIndex(`${stem}.index`, baseOffset);
    this.timeIndex = new TimeIndex(`${stem}.timeindex`, baseOffset);
  }

  /** Creates an empty segment (an existing file of that name is emptied), with empty index files. */
  static create(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    const { O_RDWR, O_CREAT, O_TRUNC } = fs.constants;
    const fd = fs.openSync(path.join(dir, `${segmentName(baseOffset)}.log`), O_RDWR | O_CREAT | O_TRUNC, 0o644);
    const seg = new Segment(dir, baseOffset, indexIntervalBytes, fd);
    // Empty index files are written up front so that a missing one later means it was lost.
    writeIndexBytes(seg.offsetIndex.path, 0, Buffer.alloc(0));
    writeIndexBytes(seg.timeIndex.path, 0, Buffer.alloc(0));
    return seg;
  }

  /** Opens an existing segment; `size` is the file size until recovery says otherwise. */
  static openExisting(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    const fd = fs.openSync(path.join(dir, `${segmentName(baseOffset)}.log`), fs.constants.O_RDWR);
    const seg = new Segment(dir, baseOffset, indexIntervalBytes, fd);
    seg.size = fs.fstatSync(fd).size;
    return seg;
  }

  get isEmpty(): boolean {
    return this.nextOffset === this.baseOffset;
  }

  /** Resets offsets, maximum and indexes to an empty segment of `size` bytes (before a rebuild scan). */
  resetForScan(): void {
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -Infinity;
    this.lastBatchOffset = -1;
    this.bytesSinceIndexEntry = 0;
    this.offsetIndex = new OffsetIndex(this.offsetIndex.path, this.baseOffset);
    this.timeIndex = new TimeIndex(this.timeIndex.path, this.baseOffset);
  }

  /**
   * Accounts for a batch at `position` (just written, or found by a recovery scan): offsets, maximum
   * timestamp, and an index entry once `indexIntervalBytes` have passed since the previous one.
   */
  noteBatch(position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      this.offsetIndex.add(baseOffset, position);
      this.timeIndex.maybeAdd(this.maxTimestamp, baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.lastBatchOffset = baseOffset;
    this.nextOffset = lastOffset + 1;
    this.size = position + size;
  }

  /** Restores the state of a sealed segment whose indexes were loaded rather than rebuilt. */
  adoptLoaded(offsetIndex: OffsetIndex, timeIndex: TimeIndex, nextOffset: number, maxTimestamp: number, lastBatchOffset: number): void {
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.nextOffset = nextOffset;
    this.maxTimestamp = maxTimestamp;
    this.lastBatchOffset = lastBatchOffset;
    // Never appended to again (only the last segment is), so the interval counter does not matter.
    this.bytesSinceIndexEntry = 0;
  }

  /** Appends an encoded batch with one positional write (looping only on a short write). */
  append(buf: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    const position = this.size;
    let done = 0;
    try {
      while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, position + done);
    } catch (err) {
      // Leave no partial batch behind (ENOSPC and the like); recovery would drop it anyway.
      if (done > 0) fs.ftruncateSync(this.fd, position);
      throw err;
    }
    this.noteBatch(position, buf.length, baseOffset, lastOffset, maxTimestamp);
  }

  /** Reads `length` bytes at `position` into a fresh Buffer (fewer at end of file). */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  /** Cuts the `.log` at `position` (recovery found a torn or corrupt batch there). */
  truncateLog(position: number): void {
    fs.ftruncateSync(this.fd, position);
    this.size = position;
  }

  /** Writes pending index entries. */
  flushIndexes(): void {
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  /** Adds the final time-index entry (exact maximum) and writes both indexes: at roll and close. */
  sealIndexes(): void {
    if (this.lastBatchOffset >= 0) this.timeIndex.maybeAdd(this.maxTimestamp, this.lastBatchOffset);
    this.flushIndexes();
  }

  /** Rewrites both index files from memory (after a rebuild scan). */
  rewriteIndexes(): void {
    if (this.lastBatchOffset >= 0) this.timeIndex.maybeAdd(this.maxTimestamp, this.lastBatchOffset);
    this.offsetIndex.rewrite();
    this.timeIndex.rewrite();
  }

  /** Makes the `.log` durable on the thread pool (fdatasync: the data and the file size, without timestamps); the descriptor stays valid until it completes. */
  async fsync(): Promise<void> {
    if (this.closeRequested) return;
    this.pendingSyncs++;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    } finally {
      this.pendingSyncs--;
      if (this.closeRequested && this.pendingSyncs === 0) this.closeFd();
    }
  }

  /** An async fsync of this segment has started and not finished: its data is not known durable yet. */
  get syncInFlight(): boolean {
    return this.pendingSyncs > 0;
  }

  /**
   * fdatasync on the calling thread. For the commit journal's checkpoint, which must not let another
   * commit run between syncing the segments and reusing the journal (see `journaled-sync.ts`).
   */
  fsyncSync(): void {
    if (this.fd >= 0) fs.fdatasyncSync(this.fd);
  }

  /** Closes the `.log` descriptor (after any in-flight fsync). Indexes must be flushed by the caller. */
  close(): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    if (this.pendingSyncs === 0) this.closeFd();
  }

  /** Closes and removes the segment's three files. */
  delete(): void {
    this.close();
    unlinkIfExists(this.logPath);
    unlinkIfExists(this.offsetIndex.path);
    unlinkIfExists(this.timeIndex.path);
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}
