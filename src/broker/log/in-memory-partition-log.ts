import { OffsetOutOfRangeError } from '../../core/errors.js';
import { compactMemorySegments, memoryRecordBytes, type MemorySegment } from './in-memory-cleaner.js';
import type { CleanerState } from './log-cleaner.js';
import {
  type AppendBatch,
  type CompactionStats,
  type CompactOptions,
  DEFAULT_READ_MAX_BYTES,
  type LogBatch,
  type MaintainablePartitionLog,
  type ReadOptions,
  type SegmentSummary,
} from './partition-log.js';

/** Options of an {@link InMemoryPartitionLog}. */
export interface InMemoryPartitionLogOptions {
  /** Roll a new segment when the active one would pass this many bytes (16 + key + value per record). Default 1 GiB. */
  segmentBytes?: number;
}

/**
 * A partition log held in memory, for `Broker.inMemory()` and unit tests. Same contract as the durable
 * one, segments included (so retention and compaction behave alike), measured in record bytes.
 *
 * @example
 * const log = new InMemoryPartitionLog('orders-0', { segmentBytes: 1024 });
 * log.append({ records: [{ timestamp: 1, key: Buffer.from('k'), value: Buffer.from('v'), headers: {} }] });
 * log.read(0); // [{ baseOffset: 0, lastOffset: 0, records: [...] , ... }]
 */
export class InMemoryPartitionLog implements MaintainablePartitionLog {
  private segments: MemorySegment[];
  /** Every batch of every segment, in order: the read path's index. Rebuilt when segments change. */
  private batches: LogBatch[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private readonly segmentBytes: number;
  private readonly horizons = new WeakMap<LogBatch, number>();
  private readonly cleanerState: CleanerState = { cleanedThrough: -1, nextDeleteHorizonMs: null };

  constructor(
    private readonly label = 'in-memory log',
    opts: InMemoryPartitionLogOptions = {},
  ) {
    this.segmentBytes = opts.segmentBytes ?? 1 << 30;
    this.segments = [emptySegment(0)];
  }

  get logStartOffset(): number {
    return this.startOffset;
  }
  get logEndOffset(): number {
    return this.endOffset;
  }
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  append(batch: AppendBatch): { baseOffset: number; lastOffset: number } {
    const n = batch.records.length;
    if (n === 0) throw new RangeError(`${this.label}: cannot append an empty batch`);
    const baseOffset = this.endOffset;
    let maxTimestamp = -1;
    let bytes = 0;
    const records = batch.records.map((r, i) => {
      if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
      const record = { offset: baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
      bytes += memoryRecordBytes(record);
      return record;
    });
    const stored: LogBatch = {
      baseOffset,
      lastOffset: baseOffset + n - 1,
      producerId: batch.producerId ?? -1,
      producerEpoch: batch.producerEpoch ?? -1,
      baseSequence: batch.baseSequence ?? -1,
      isTransactional: batch.isTransactional ?? false,
      isControl: batch.isControl ?? false,
      maxTimestamp,
      records,
    };
    let active = this.segments[this.segments.length - 1]!;
    if (active.bytes > 0 && active.bytes + bytes > this.segmentBytes) this.segments.push((active = emptySegment(baseOffset)));
    active.batches.push(stored);
    active.bytes += bytes;
    active.nextOffset = stored.lastOffset + 1;
    if (maxTimestamp > active.maxTimestamp) active.maxTimestamp = maxTimestamp;
    this.batches.push(stored);
    this.endOffset += n;
    return { baseOffset, lastOffset: baseOffset + n - 1 };
  }

  read(fromOffset: number, opts: ReadOptions = {}): LogBatch[] {
    if (!Number.isInteger(fromOffset) || fromOffset < this.startOffset || fromOffset > this.endOffset) {
      throw new OffsetOutOfRangeError(
        `${this.label}: offset ${fromOffset} is outside [${this.startOffset}, ${this.endOffset}]`,
      );
    }
    const maxRecords = opts.maxRecords ?? Infinity;
    const maxBytes = opts.maxBytes ?? DEFAULT_READ_MAX_BYTES;
    const maxOffset = opts.maxOffset ?? Infinity;
    const out: LogBatch[] = [];
    let records = 0;
    let bytes = 0;
    for (let i = this.findBatch(fromOffset); i < this.batches.length; i++) {
      const batch = this.batches[i]!;
      if (batch.baseOffset >= maxOffset) break;
      const cut = batch.lastOffset >= maxOffset ? this.cut(batch, maxOffset) : batch;
      const visible = cut.records.filter((r) => r.offset >= this.startOffset);
      if (visible.length === 0) continue;
      out.push(visible.length === cut.records.length ? cut : { ...cut, records: visible });
      records += visible.length;
      for (const r of visible) bytes += memoryRecordBytes(r);
      if (records >= maxRecords || bytes >= maxBytes) break;
    }
    return out;
  }

  offsetForTimestamp(timestamp: number): number | null {
    for (const batch of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      for (const r of batch.records) if (r.offset >= this.startOffset && r.timestamp >= timestamp) return r.offset;
    }
    return null;
  }

  async sync(): Promise<void> {}

  deleteRecordsBefore(offset: number): void {
    if (offset <= this.startOffset) return;
    if (offset > this.endOffset) {
      throw new OffsetOutOfRangeError(`${this.label}: cannot delete before ${offset}, log end is ${this.endOffset}`);
    }
    this.startOffset = offset;
    if (offset === this.endOffset && this.segments[this.segments.length - 1]!.batches.length > 0) this.segments.push(emptySegment(offset));
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.segments.shift();
    // Batches wholly below the start are unreachable: free them (the durable log frees whole segments only).
    const first = this.segments[0]!;
    while (first.batches.length > 0 && first.batches[0]!.lastOffset < offset) {
      for (const r of first.batches.shift()!.records) first.bytes -= memoryRecordBytes(r);
    }
    this.rebuildBatchIndex();
  }

  segmentSummaries(): SegmentSummary[] {
    return this.segments.map((s) => ({ baseOffset: s.baseOffset, nextOffset: s.nextOffset, maxTimestamp: s.maxTimestamp, sizeBytes: s.bytes }));
  }

  async compact(opts: CompactOptions): Promise<CompactionStats> {
    const { segments, stats } = compactMemorySegments(this.segments, opts, this.segmentBytes, this.horizons, this.cleanerState);
    if (stats.ran) {
      this.segments = segments;
      this.rebuildBatchIndex();
    }
    return stats;
  }

  close(): void {}

  private rebuildBatchIndex(): void {
    this.batches = this.segments.flatMap((s) => s.batches);
  }

  private cut(batch: LogBatch, maxOffset: number): LogBatch {
    const records = batch.records.filter((r) => r.offset < maxOffset);
    return { ...batch, records, lastOffset: maxOffset - 1 };
  }

  /** Index of the batch holding `offset` (binary search; batches are in offset order). */
  private findBatch(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function emptySegment(baseOffset: number): MemorySegment {
  return { baseOffset, nextOffset: baseOffset, batches: [], bytes: 0, maxTimestamp: -Infinity };
}
