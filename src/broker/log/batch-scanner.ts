/**
 * Walks the batches of a segment file in order, reading it in chunks, and checks each one: a sane length
 * prefix, the magic byte, a batch that ends inside the file, its CRC, and offsets that increase (a
 * batch starts at or after the end of the previous one: the log cleaner leaves gaps). Used by recovery (to find where the valid log ends) and by `offsetForTimestamp`.
 */
import { type BatchHeader, batchCrcMatches, BATCH_HEADER_SIZE, decodeBatchHeader, peekBatchSize } from './record-batch-codec.js';
import type { Segment } from './segment.js';

/** Largest read per syscall while scanning. */
export const SCAN_CHUNK_BYTES = 1 << 20;
/** First read of a scan; each later one doubles, so a scan that stops early reads little. */
export const FIRST_CHUNK_BYTES = 64 * 1024;

/** Where a scan stopped: after the last valid batch, and why it stopped early (null = clean end). */
export interface ScanResult {
  end: number;
  nextOffset: number;
  problem: string | null;
}

/**
 * Visits each valid batch from `fromPosition` (expected to hold `expectedOffset`) to `fileSize`.
 * `visit` receives the header, its position and the chunk holding the whole batch at `chunkPos`; return
 * false from it to stop early (the result then has `problem: null` and `end` after that batch).
 */
export function scanBatches(
  segment: Segment,
  fileSize: number,
  fromPosition: number,
  expectedOffset: number,
  visit: (header: BatchHeader, position: number, chunk: Buffer, chunkPos: number) => boolean | void,
): ScanResult {
  let pos = fromPosition;
  let next = expectedOffset;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = pos;
  let want = FIRST_CHUNK_BYTES;
  const stop = (problem: string | null): ScanResult => ({ end: pos, nextOffset: next, problem });
  while (pos < fileSize) {
    let at = pos - chunkStart;
    if (at + BATCH_HEADER_SIZE > chunk.length) {
      chunk = segment.read(pos, Math.min(want, fileSize - pos));
      want = Math.min(SCAN_CHUNK_BYTES, want * 2);
      chunkStart = pos;
      at = 0;
    }
    if (chunk.length - at < BATCH_HEADER_SIZE) {
      return stop(`${fileSize - pos} trailing bytes are too few for a batch header (torn write)`);
    }
    const size = peekBatchSize(chunk, at);
    if (typeof size === 'string') return stop(size);
    if (size > fileSize - pos) return stop(`batch of ${size} bytes runs past the end of the file (torn write)`);
    if (at + size > chunk.length) {
      chunk = segment.read(pos, Math.max(size, Math.min(want, fileSize - pos)));
      want = Math.min(SCAN_CHUNK_BYTES, want * 2);
      chunkStart = pos;
      at = 0;
    }
    if (!batchCrcMatches(chunk, at, size)) return stop('CRC mismatch');
    const header = decodeBatchHeader(chunk, at);
    if (header.baseOffset < next) return stop(`batch starts at offset ${header.baseOffset}, below the expected ${next}`);
    if (header.recordCount < 1 || header.lastOffset < header.baseOffset + header.recordCount - 1) {
      return stop(`batch header is inconsistent (${header.recordCount} records, last offset ${header.lastOffset})`);
    }
    const more = visit(header, pos, chunk, at);
    pos += size;
    next = header.lastOffset + 1;
    if (more === false) break;
  }
  return stop(null);
}
