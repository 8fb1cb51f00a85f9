/**
 * The durable partition log of the built-in broker: a directory of segment files (see `segment.ts`),
 * batches in the format of `record-batch-codec.ts`, recovered on open by `log-recovery.ts`, read by
 * `log-reader.ts`.
 *
 * Hot path: `append` encodes a batch into one Buffer and writes it with one `fs.writeSync`; index
 * entries stay in memory until `sync`, a roll or `close`. Reads go through the sparse offset index and
 * return views of the chunk read, after checking each batch's CRC. Durability is explicit: `sync()`
 * fsyncs on the thread pool; a broker's data directory usually hands the unsynced tail to its commit
 * journal instead (`takeJournalTail`, `replayBatches`, `syncNow`: see `journaled-sync.ts`). Retention (`deleteRecordsBefore` over `segmentSummaries`) and compaction
 * (`compact`, see `log-cleaner.ts`) never touch the active segment.
 */
import fs from 'node:fs';
import { ClosedError, OffsetOutOfRangeError } from '../../core/errors.js';
import { readLogStartCheckpoint, writeLogStartCheckpoint } from './log-start-checkpoint.js';
import { recoverSegments } from './log-recovery.js';
import { findOffsetForTimestamp, type LogView, readBatches } from './log-reader.js';
import { type CleanerHost, type CleanerState, cleanLog } from './log-cleaner.js';
import type { AppendBatch, CompactionStats, CompactOptions, LogBatch, MaintainablePartitionLog, ReadOptions, SegmentSummary } from './partition-log.js';
import { BATCH_HEADER_SIZE, batchCrcMatches, decodeBatchHeader, encodeBatch, peekBatchSize } from './record-batch-codec.js';
import { Segment } from './segment.js';

/** Options of {@link DurablePartitionLog.open}. */
export interface DurablePartitionLogOptions {
  /** Roll to a new segment when the active one would pass this size. Default 64 MiB, at most 1 GiB. */
  segmentBytes?: number;
  /** Bytes of log between two sparse index entries. Default 4096. */
  indexIntervalBytes?: number;
  /** Told what recovery truncated, deleted or rebuilt. Default: `process.emitWarning`. */
  onWarning?: (msg: string) => void;
}

const MAX_SEGMENT_BYTES = 1 << 30;
/** Unsynced bytes a log keeps in memory for the commit journal (a commit's share is usually far less). */
const TAIL_KEEP_BYTES = 256 * 1024;

/**
 * A partition log stored in a directory of segment files, recovered on open.
 *
 * @example
 * ```ts
 * const log = DurablePartitionLog.open('/data/orders-0', { onWarning: console.warn });
 * log.append({ records: [{ timestamp: Date.now(), key: null, value: Buffer.from('hi'), headers: {} }] });
 * await log.sync(); // durable from here on
 * for (const batch of log.read(0)) console.log(batch.records);
 * log.close();
 * ```
 */
export class DurablePartitionLog implements MaintainablePartitionLog {
  private readonly dirtySegments = new Set<Segment>();
  /**
   * A segment file was created or deleted since the last sync: the directory needs an fsync too.
   * True at first, since open may have created, truncated or deleted files.
   */
  private dirDirty = true;
  private closed = false;
  /** Async directory fsyncs under way: a checkpoint (`syncNow`) must not count on them. */
  private dirSyncsInFlight = 0;
  /**
   * Where the bytes not yet made durable begin, as far as the commit journal is concerned: everything
   * before it was fsynced or handed to the journal (`takeJournalTail`). Set at open (what recovery found
   * is synced by the first direct sync, which `dirDirty` forces) and by every sync.
   */
  private journalPoint: { segment: Segment; position: number; offset: number };
  /** A direct sync failed: the journal may not take a tail until a direct sync succeeds. */
  private journalBlocked = false;
  /**
   * The batches appended since `journalPoint`, as encoded, so that `takeJournalTail` hands them over
   * without reading them back from the page cache; null when they are not all here (more than
   * {@link TAIL_KEEP_BYTES}, a roll, a replay) — then it reads — and until the journal first takes
   * a tail of this log (a log that is never journaled, e.g. with `fsync: 'never'`, keeps nothing).
   */
  private tailPieces: Buffer[] | null = null;
  private tailBytes = 0;
  private cleaning: Promise<CompactionStats> | undefined;
  private readonly cleanerState: CleanerState = { cleanedThrough: -1, nextDeleteHorizonMs: null };

  private constructor(
    /** The partition directory. */
    readonly dir: string,
    private readonly segments: Segment[],
    private startOffset: number,
    private readonly segmentBytes: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.journalPoint = this.endPoint();
  }

  /**
   * Opens (creating if needed) the log in `dir`, recovering it: a torn or corrupt tail is truncated and
   * reported through `onWarning`, missing or inconsistent indexes are rebuilt.
   */
  static open(dir: string, opts: DurablePartitionLogOptions = {}): DurablePartitionLog {
    const segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    const indexIntervalBytes = opts.indexIntervalBytes ?? 4096;
    if (!Number.isInteger(segmentBytes) || segmentBytes < BATCH_HEADER_SIZE || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new RangeError(`segmentBytes must be an integer in [${BATCH_HEADER_SIZE}, ${MAX_SEGMENT_BYTES}], got ${segmentBytes}`);
    }
    if (!Number.isInteger(indexIntervalBytes) || indexIntervalBytes < 1) {
      throw new RangeError(`indexIntervalBytes must be a positive integer, got ${indexIntervalBytes}`);
    }
    const warn = opts.onWarning ?? ((msg: string) => process.emitWarning(msg, 'TributaryLogWarning'));
    fs.mkdirSync(dir, { recursive: true });

    const segments = recoverSegments(dir, indexIntervalBytes, warn);
    const checkpoint = readLogStartCheckpoint(dir, warn);
    if (segments.length === 0) segments.push(Segment.create(dir, checkpoint ?? 0, indexIntervalBytes));
    const end = segments[segments.length - 1]!.nextOffset;
    let start = Math.max(checkpoint ?? 0, segments[0]!.baseOffset);
    if (start > end) {
      // Records up to the checkpoint were lost (not fsynced), but offsets below it were handed out:
      // restart the log at the checkpoint so that no offset is ever reused.
      warn(`${dir}: log ends at ${end}, below its checkpointed start ${start}; restarting the log at ${start}`);
      for (const seg of segments.splice(0)) seg.delete();
      segments.push(Segment.create(dir, start, indexIntervalBytes));
    }
    while (segments.length > 1 && segments[1]!.baseOffset <= start) segments.shift()!.delete();
    start = Math.max(start, segments[0]!.baseOffset);
    return new DurablePartitionLog(dir, segments, start, segmentBytes, indexIntervalBytes);
  }

  get logStartOffset(): number {
    this.ensureOpen();
    return this.startOffset;
  }

  get logEndOffset(): number {
    this.ensureOpen();
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    this.ensureOpen();
    let total = 0;
    for (const seg of this.segments) total += seg.size;
    return total;
  }

  /** The directory's segment files, oldest first (for tests and admin tools). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  segmentSummaries(): SegmentSummary[] {
    this.ensureOpen();
    return this.segments.map((s) => ({ baseOffset: s.baseOffset, nextOffset: s.nextOffset, maxTimestamp: s.maxTimestamp, sizeBytes: s.size }));
  }

  compact(opts: CompactOptions): Promise<CompactionStats> {
    this.ensureOpen();
    this.cleaning ??= cleanLog(this.cleanerHost(), opts, this.cleanerState).finally(() => {
      this.cleaning = undefined;
    });
    return this.cleaning;
  }

  append(batch: AppendBatch): { baseOffset: number; lastOffset: number } {
    this.ensureOpen();
    const n = batch.records.length;
    if (n === 0) throw new RangeError(`${this.dir}: cannot append an empty batch`);
    const baseOffset = this.active.nextOffset;
    const lastOffset = baseOffset + n - 1;
    const { buffer, maxTimestamp } = encodeBatch(batch, baseOffset);
    let seg = this.active;
    if (seg.size > 0 && seg.size + buffer.length > this.segmentBytes) seg = this.roll();
    seg.append(buffer, baseOffset, lastOffset, maxTimestamp);
    this.dirtySegments.add(seg);
    if (this.tailPieces !== null) {
      if (this.tailBytes + buffer.length <= TAIL_KEEP_BYTES) {
        this.tailPieces.push(buffer);
        this.tailBytes += buffer.length;
      } else this.tailPieces = null;
    }
    return { baseOffset, lastOffset };
  }

  read(fromOffset: number, opts: ReadOptions = {}): LogBatch[] {
    this.ensureOpen();
    const end = this.active.nextOffset;
    if (!Number.isInteger(fromOffset) || fromOffset < this.startOffset || fromOffset > end) {
      throw new OffsetOutOfRangeError(`${this.dir}: offset ${fromOffset} is outside [${this.startOffset}, ${end}]`);
    }
    if (fromOffset === end) return [];
    return readBatches(this.view(), fromOffset, opts);
  }

  offsetForTimestamp(timestamp: number): number | null {
    this.ensureOpen();
    return findOffsetForTimestamp(this.view(), timestamp);
  }

  /**
   * fsyncs, on the thread pool, every segment written since the last sync (and the directory when
   * segments were created or deleted), after writing out pending index entries. Index files are not
   * fsynced: recovery rebuilds them from the log.
   */
  async sync(): Promise<void> {
    this.ensureOpen();
    const segments = [...this.dirtySegments];
    this.dirtySegments.clear();
    const syncDir = this.dirDirty;
    this.dirDirty = false;
    this.markJournalPoint();
    for (const seg of segments) seg.flushIndexes();
    if (syncDir) this.dirSyncsInFlight++;
    try {
      await Promise.all([...segments.map((s) => s.fsync()), ...(syncDir ? [fsyncDirAsync(this.dir)] : [])]);
      this.journalBlocked = false;
    } catch (err) {
      // Not known to be durable: the next sync must try again, directly (the journal never saw these bytes).
      for (const seg of segments) if (!this.closed) this.dirtySegments.add(seg);
      if (syncDir) this.dirDirty = true;
      this.journalBlocked = true;
      throw err;
    } finally {
      if (syncDir) this.dirSyncsInFlight--;
    }
  }

  /**
   * The same as `sync`, on the calling thread, and it also fsyncs segments whose async sync is still
   * under way: when it returns, everything appended so far is durable. Used by the commit journal's
   * checkpoint (which then reuses the journal) and at open after a journal replay. A no-op once closed.
   */
  syncNow(): void {
    if (this.closed) return;
    this.markJournalPoint();
    for (const seg of this.segments) {
      if (!this.dirtySegments.has(seg) && !seg.syncInFlight) continue;
      seg.flushIndexes();
      seg.fsyncSync();
    }
    this.dirtySegments.clear();
    if (this.dirDirty || this.dirSyncsInFlight > 0) fsyncDirSync(this.dir);
    this.dirDirty = false;
    this.journalBlocked = false;
  }

  /**
   * Hands the bytes appended since the last sync or hand-off to the commit journal: whole batches,
   * starting at offset `baseOffset`, read back from the page cache. Null when the journal cannot stand
   * in for a direct sync: more than `maxBytes`, bytes in more than one segment (a roll), segment files
   * created or deleted since the last directory fsync, or a failed direct sync. The segments stay dirty:
   * a later `sync`/`syncNow` (the journal's checkpoint) still fsyncs them.
   */
  takeJournalTail(maxBytes: number): { baseOffset: number; data: Buffer | Buffer[] } | null {
    this.ensureOpen();
    const seg = this.active;
    const point = this.journalPoint;
    if (this.dirDirty || this.journalBlocked || point.segment !== seg) return null;
    const length = seg.size - point.position;
    if (length > maxBytes) return null;
    const kept = this.tailPieces !== null && this.tailBytes === length ? this.tailPieces : null;
    const data = kept ?? (length === 0 ? Buffer.alloc(0) : seg.read(point.position, length));
    if (kept === null && (data as Buffer).length !== length) return null;
    this.markJournalPoint(true);
    return { baseOffset: point.offset, data };
  }

  /**
   * Everything appended so far is fsynced or in the journal's hands: the next tail starts here.
   * `keep`: collect the next tail's batches in memory (see `tailPieces`); by default, as before.
   */
  private markJournalPoint(keep = this.tailPieces !== null): void {
    this.journalPoint = this.endPoint();
    this.tailPieces = keep ? [] : null;
    this.tailBytes = 0;
  }

  /**
   * Replays batches from the commit journal (whole batches, `data` as `takeJournalTail` returned it):
   * those below the log end are already here and skipped, the rest are appended as they are. Stops at
   * the first batch that does not continue the log (a gap or an overlap: this log lost more than the
   * journal holds) and returns why; `appended` counts the batches written.
   */
  replayBatches(data: Buffer): { appended: number; problem: string | null } {
    this.ensureOpen();
    let appended = 0;
    for (let pos = 0; pos < data.length; ) {
      const size = data.length - pos < BATCH_HEADER_SIZE ? 'a truncated batch header' : peekBatchSize(data, pos);
      if (typeof size === 'string' || pos + size > data.length || !batchCrcMatches(data, pos, size)) {
        return { appended, problem: `journal bytes at ${pos} are not a valid batch (${typeof size === 'string' ? size : 'bad length or CRC'})` };
      }
      const h = decodeBatchHeader(data, pos);
      const end = this.active.nextOffset;
      if (h.baseOffset === end) {
        let seg = this.active;
        if (seg.size > 0 && seg.size + size > this.segmentBytes) seg = this.roll();
        seg.append(data.subarray(pos, pos + size), h.baseOffset, h.lastOffset, h.maxTimestamp);
        this.dirtySegments.add(seg);
        this.tailPieces = null;
        appended++;
      } else if (h.lastOffset >= end) {
        return { appended, problem: `journal batch at offsets ${h.baseOffset}..${h.lastOffset} does not continue the log, which ends at ${end}` };
      }
      pos += size;
    }
    return { appended, problem: null };
  }

  deleteRecordsBefore(offset: number): void {
    this.ensureOpen();
    if (!Number.isInteger(offset)) throw new RangeError(`${this.dir}: deleteRecordsBefore needs an integer offset, got ${offset}`);
    if (offset <= this.startOffset) return;
    const end = this.active.nextOffset;
    if (offset > end) throw new OffsetOutOfRangeError(`${this.dir}: cannot delete before ${offset}, log end is ${end}`);
    // Checkpoint first: a crash before the unlinks leaves segments that the next open deletes.
    writeLogStartCheckpoint(this.dir, offset);
    this.startOffset = offset;
    if (offset === end && !this.active.isEmpty) this.roll();
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
      const seg = this.segments.shift()!;
      this.dirtySegments.delete(seg);
      seg.delete();
      this.dirDirty = true;
    }
  }

  /** Writes out the indexes and closes the files. Does not fsync: `await sync()` first for that. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.active.sealIndexes();
    for (const seg of this.segments) {
      seg.flushIndexes();
      seg.close();
    }
    this.dirtySegments.clear();
  }

  /** False once closed (then every other method throws ClosedError). */
  get isOpen(): boolean {
    return !this.closed;
  }

  private endPoint(): { segment: Segment; position: number; offset: number } {
    const seg = this.active;
    return { segment: seg, position: seg.size, offset: seg.nextOffset };
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private roll(): Segment {
    const old = this.active;
    old.sealIndexes();
    // A power cut must never keep the next segment's bytes without this one's unsynced tail: recovery
    // takes such a hole for a gap the cleaner left, and a journal replay would skip the lost batches as
    // present. One fdatasync per rolled segment; the next sync fsyncs it again, cheaply.
    if (this.dirtySegments.has(old) || old.syncInFlight) old.fsyncSync();
    const seg = Segment.create(this.dir, this.active.nextOffset, this.indexIntervalBytes);
    this.segments.push(seg);
    this.dirDirty = true;
    return seg;
  }

  private cleanerHost(): CleanerHost {
    const log = this;
    return {
      dir: this.dir,
      indexIntervalBytes: this.indexIntervalBytes,
      segmentBytes: this.segmentBytes,
      get isClosed() {
        return log.closed;
      },
      get segmentList() {
        return log.segments;
      },
      replaceSegments(old, replacement) {
        log.segments.splice(log.segments.indexOf(old[0]!), old.length, replacement);
        // The cleaner fsynced the replacement and the directory; the originals are gone.
        for (const seg of old) log.dirtySegments.delete(seg);
      },
    };
  }

  private view(): LogView {
    return { dir: this.dir, segments: this.segments, startOffset: this.startOffset, indexIntervalBytes: this.indexIntervalBytes };
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError(`partition log ${this.dir}`);
  }
}

function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function fsyncDirAsync(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
