/**
 * The durable partition log of the built-in broker: a directory of segment files (see `segment.ts`),
 * batches in the format of `record-batch-codec.ts`, recovered on open by `log-recovery.ts`.
 *
 * Hot path: `append` encodes a batch into one Buffer and writes it with one `fs.writeSync`; index
 * entries stay in memory until `sync`, a roll or `close`. `read` finds a file position in the sparse
 * offset index, reads chunks with `fs.readSync` (64 KiB first, doubling up to ~maxBytes, at most 1 MiB), checks each batch's CRC and returns keys and values
 * as views of that chunk. Durability is explicit: `sync()` fsyncs on the thread pool.
 */
import fs from 'node:fs';
import { ClosedError, CorruptRecordError, OffsetOutOfRangeError } from '../../core/errors.js';
import { FIRST_CHUNK_BYTES, scanBatches } from './batch-scanner.js';
import { readLogStartCheckpoint, writeLogStartCheckpoint } from './log-start-checkpoint.js';
import { recoverSegments } from './log-recovery.js';
import {
  type AppendBatch,
  DEFAULT_READ_MAX_BYTES,
  type LogBatch,
  type LogRecord,
  type PartitionLog,
  type ReadOptions,
} from './partition-log.js';
import { batchCrcMatches, BATCH_HEADER_SIZE, decodeBatchHeader, decodeRecords, encodeBatch, peekBatchSize, type BatchHeader } from './record-batch-codec.js';
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
/** Largest chunk `read` fetches with one syscall (a single larger batch is read whole). */
const MAX_READ_CHUNK = 1 << 20;
const MIN_READ_CHUNK = 4096;

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
export class DurablePartitionLog implements PartitionLog {
  private readonly dirtySegments = new Set<Segment>();
  /**
   * A segment file was created or deleted since the last sync: the directory needs an fsync too.
   * True at first, since open may have created, truncated or deleted files.
   */
  private dirDirty = true;
  private closed = false;

  private constructor(
    /** The partition directory. */
    readonly dir: string,
    private readonly segments: Segment[],
    private startOffset: number,
    private readonly segmentBytes: number,
    private readonly indexIntervalBytes: number,
  ) {}

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
    return { baseOffset, lastOffset };
  }

  read(fromOffset: number, opts: ReadOptions = {}): LogBatch[] {
    this.ensureOpen();
    const end = this.active.nextOffset;
    if (!Number.isInteger(fromOffset) || fromOffset < this.startOffset || fromOffset > end) {
      throw new OffsetOutOfRangeError(`${this.dir}: offset ${fromOffset} is outside [${this.startOffset}, ${end}]`);
    }
    if (fromOffset === end) return [];
    const maxRecords = opts.maxRecords ?? Infinity;
    const maxBytes = opts.maxBytes ?? DEFAULT_READ_MAX_BYTES;
    const maxOffset = opts.maxOffset ?? Infinity;
    const chunkBytes = Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, maxBytes + this.indexIntervalBytes));
    const out: LogBatch[] = [];
    let records = 0;
    let bytes = 0;

    // Start small and double: a read that stops after one batch should not fetch a whole megabyte.
    let want = Math.min(chunkBytes, FIRST_CHUNK_BYTES);
    let si = this.segmentIndexOf(fromOffset);
    let { position, offset: expected } = this.segments[si]!.offsetIndex.floor(fromOffset);
    for (;;) {
      const seg = this.segments[si]!;
      if (position >= seg.size) {
        if (++si >= this.segments.length) break;
        position = 0;
        expected = this.segments[si]!.baseOffset;
        continue;
      }
      let chunk = seg.read(position, Math.min(want, seg.size - position));
      want = Math.min(chunkBytes, want * 2);
      let at = 0;
      while (at < chunk.length) {
        if (chunk.length - at < BATCH_HEADER_SIZE) {
          if (at > 0) break; // fetch the next chunk from here
          throw this.corrupt(seg, position, expected, `only ${chunk.length} bytes left in the segment`);
        }
        const size = peekBatchSize(chunk, at);
        if (typeof size === 'string') throw this.corrupt(seg, position + at, expected, size);
        if (at + size > chunk.length) {
          if (at > 0) break;
          if (size > seg.size - position) throw this.corrupt(seg, position, expected, `batch of ${size} bytes overruns the segment`);
          chunk = seg.read(position, size); // one batch larger than a chunk: read it whole
        }
        if (!batchCrcMatches(chunk, at, size)) throw this.corrupt(seg, position + at, expected, 'CRC mismatch');
        const header = decodeBatchHeader(chunk, at);
        if (header.baseOffset !== expected) {
          throw this.corrupt(seg, position + at, expected, `batch starts at offset ${header.baseOffset}`);
        }
        expected = header.lastOffset + 1;
        const batchAt = at;
        at += size;
        if (header.lastOffset < fromOffset) continue;
        if (header.baseOffset >= maxOffset) return out;
        const batch = this.toLogBatch(seg, chunk, position + batchAt, batchAt, header, maxOffset);
        if (batch.records.length === 0) continue; // maxOffset <= logStartOffset: nothing visible
        out.push(batch);
        records += batch.records.length;
        for (const r of batch.records) bytes += 16 + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
        if (records >= maxRecords || bytes >= maxBytes) return out;
      }
      position += at;
    }
    return out;
  }

  offsetForTimestamp(timestamp: number): number | null {
    this.ensureOpen();
    for (const seg of this.segments) {
      if (seg.nextOffset <= this.startOffset || seg.maxTimestamp < timestamp) continue;
      // Every batch up to `below` holds only earlier timestamps, so the scan may start there.
      const below = seg.timeIndex.lastBelow(timestamp) ?? seg.baseOffset;
      const from = seg.offsetIndex.floor(Math.max(below, this.startOffset));
      let found: number | null = null;
      const result = scanBatches(seg, seg.size, from.position, from.offset, (h, position, chunk, at) => {
        if (h.maxTimestamp < timestamp || h.lastOffset < this.startOffset) return true;
        for (const r of this.decode(seg, chunk, position, at, h)) {
          if (r.offset >= this.startOffset && r.timestamp >= timestamp) {
            found = r.offset;
            return false;
          }
        }
        return true;
      });
      if (found !== null) return found;
      if (result.problem !== null) throw this.corrupt(seg, result.end, result.nextOffset, result.problem);
    }
    return null;
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
    for (const seg of segments) seg.flushIndexes();
    try {
      await Promise.all([...segments.map((s) => s.fsync()), ...(syncDir ? [fsyncDirAsync(this.dir)] : [])]);
    } catch (err) {
      // Not known to be durable: the next sync must try again.
      for (const seg of segments) if (!this.closed) this.dirtySegments.add(seg);
      if (syncDir) this.dirDirty = true;
      throw err;
    }
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

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private roll(): Segment {
    this.active.sealIndexes();
    const seg = Segment.create(this.dir, this.active.nextOffset, this.indexIntervalBytes);
    this.segments.push(seg);
    this.dirDirty = true;
    return seg;
  }

  /** Index of the last segment whose base offset is <= offset. */
  private segmentIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  private toLogBatch(seg: Segment, chunk: Buffer, position: number, at: number, h: BatchHeader, maxOffset: number): LogBatch {
    let records = this.decode(seg, chunk, position, at, h);
    let lastOffset = h.lastOffset;
    if (h.lastOffset >= maxOffset) {
      records = records.filter((r) => r.offset < maxOffset);
      lastOffset = maxOffset - 1;
    }
    if (h.baseOffset < this.startOffset) records = records.filter((r) => r.offset >= this.startOffset);
    return {
      baseOffset: h.baseOffset,
      lastOffset,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      isTransactional: h.isTransactional,
      isControl: h.isControl,
      maxTimestamp: h.maxTimestamp,
      records,
    };
  }

  private decode(seg: Segment, chunk: Buffer, position: number, at: number, h: BatchHeader): LogRecord[] {
    try {
      return decodeRecords(chunk, at, h);
    } catch (err) {
      throw this.corrupt(seg, position, h.baseOffset, (err as Error).message);
    }
  }

  private corrupt(seg: Segment, position: number, offset: number, problem: string): Error {
    return new CorruptRecordError(
      `${this.dir}: corrupt batch in ${seg.logPath} at position ${position} (offset ${offset}): ${problem}`,
    );
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError(`partition log ${this.dir}`);
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
