/**
 * The read side of the durable log: `read` and `offsetForTimestamp` over a list of segments.
 *
 * A read finds the segment by base offset and a file position in its sparse offset index, then reads
 * chunks with `fs.readSync` (64 KiB first, doubling up to about `maxBytes`, at most 1 MiB; a single larger
 * batch is read whole). Every batch decoded is checked (length, magic, CRC, offset continuity) before its
 * records are returned, and keys and values are `subarray` views of the chunk: no per-record copy.
 */
import { CorruptRecordError } from '../../core/errors.js';
import { FIRST_CHUNK_BYTES, scanBatches } from './batch-scanner.js';
import { DEFAULT_READ_MAX_BYTES, type LogBatch, type LogRecord, type ReadOptions } from './partition-log.js';
import { type BatchHeader, batchCrcMatches, BATCH_HEADER_SIZE, decodeBatchHeader, decodeRecords, peekBatchSize } from './record-batch-codec.js';
import type { Segment } from './segment.js';

/** Largest chunk a read fetches with one syscall. */
const MAX_READ_CHUNK = 1 << 20;
const MIN_READ_CHUNK = 4096;

/** What the reader needs of a log: its segments (oldest first) and its visible range. */
export interface LogView {
  dir: string;
  segments: readonly Segment[];
  startOffset: number;
  indexIntervalBytes: number;
}

/**
 * Batches holding offsets >= `fromOffset` (which the caller has checked lies in [start, end)), with the
 * semantics of `PartitionLog.read`.
 */
export function readBatches(log: LogView, fromOffset: number, opts: ReadOptions): LogBatch[] {
  const maxRecords = opts.maxRecords ?? Infinity;
  const maxBytes = opts.maxBytes ?? DEFAULT_READ_MAX_BYTES;
  const maxOffset = opts.maxOffset ?? Infinity;
  const chunkBytes = Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, maxBytes + log.indexIntervalBytes));
  const out: LogBatch[] = [];
  let records = 0;
  let bytes = 0;

  // Start small and double: a read that stops after one batch should not fetch a whole megabyte.
  let want = Math.min(chunkBytes, FIRST_CHUNK_BYTES);
  let si = segmentIndexOf(log.segments, fromOffset);
  let { position, offset: expected } = log.segments[si]!.offsetIndex.floor(fromOffset);
  for (;;) {
    const seg = log.segments[si]!;
    if (position >= seg.size) {
      if (++si >= log.segments.length) break;
      position = 0;
      expected = log.segments[si]!.baseOffset;
      continue;
    }
    let chunk = seg.read(position, Math.min(want, seg.size - position));
    want = Math.min(chunkBytes, want * 2);
    let at = 0;
    while (at < chunk.length) {
      if (chunk.length - at < BATCH_HEADER_SIZE) {
        if (at > 0) break; // fetch the next chunk from here
        throw corrupt(log, seg, position, expected, `only ${chunk.length} bytes left in the segment`);
      }
      const size = peekBatchSize(chunk, at);
      if (typeof size === 'string') throw corrupt(log, seg, position + at, expected, size);
      if (at + size > chunk.length) {
        if (at > 0) break;
        if (size > seg.size - position) throw corrupt(log, seg, position, expected, `batch of ${size} bytes overruns the segment`);
        chunk = seg.read(position, size); // one batch larger than a chunk: read it whole
      }
      if (!batchCrcMatches(chunk, at, size)) throw corrupt(log, seg, position + at, expected, 'CRC mismatch');
      const header = decodeBatchHeader(chunk, at);
      // Gaps are normal (the cleaner drops whole batches); going backwards is corruption.
      if (header.baseOffset < expected) {
        throw corrupt(log, seg, position + at, expected, `batch starts at offset ${header.baseOffset}`);
      }
      expected = header.lastOffset + 1;
      const batchAt = at;
      at += size;
      if (header.lastOffset < fromOffset) continue;
      if (header.baseOffset >= maxOffset) return out;
      const batch = toLogBatch(log, seg, chunk, position + batchAt, batchAt, header, maxOffset);
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

/** Earliest offset >= the log start whose record timestamp is >= `timestamp`, or null. */
export function findOffsetForTimestamp(log: LogView, timestamp: number): number | null {
  for (const seg of log.segments) {
    if (seg.nextOffset <= log.startOffset || seg.maxTimestamp < timestamp) continue;
    // Every batch up to `below` holds only earlier timestamps, so the scan may start there.
    const below = seg.timeIndex.lastBelow(timestamp) ?? seg.baseOffset;
    const from = seg.offsetIndex.floor(Math.max(below, log.startOffset));
    let found: number | null = null;
    const result = scanBatches(seg, seg.size, from.position, from.offset, (h, position, chunk, at) => {
      if (h.maxTimestamp < timestamp || h.lastOffset < log.startOffset) return true;
      for (const r of decode(log, seg, chunk, position, at, h)) {
        if (r.offset >= log.startOffset && r.timestamp >= timestamp) {
          found = r.offset;
          return false;
        }
      }
      return true;
    });
    if (found !== null) return found;
    if (result.problem !== null) throw corrupt(log, seg, result.end, result.nextOffset, result.problem);
  }
  return null;
}

/** Index of the last segment whose base offset is <= offset. */
function segmentIndexOf(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** The batch as returned: records cut at `maxOffset` and hidden below the log start. */
function toLogBatch(log: LogView, seg: Segment, chunk: Buffer, position: number, at: number, h: BatchHeader, maxOffset: number): LogBatch {
  let records = decode(log, seg, chunk, position, at, h);
  let lastOffset = h.lastOffset;
  if (h.lastOffset >= maxOffset) {
    records = records.filter((r) => r.offset < maxOffset);
    lastOffset = maxOffset - 1;
  }
  if (h.baseOffset < log.startOffset) records = records.filter((r) => r.offset >= log.startOffset);
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

function decode(log: LogView, seg: Segment, chunk: Buffer, position: number, at: number, h: BatchHeader): LogRecord[] {
  try {
    return decodeRecords(chunk, at, h);
  } catch (err) {
    throw corrupt(log, seg, position, h.baseOffset, (err as Error).message);
  }
}

function corrupt(log: LogView, seg: Segment, position: number, offset: number, problem: string): Error {
  return new CorruptRecordError(`${log.dir}: corrupt batch in ${seg.logPath} at position ${position} (offset ${offset}): ${problem}`);
}
