import { OffsetOutOfRangeError } from '../../core/errors.js';
import { type AppendBatch, DEFAULT_READ_MAX_BYTES, type LogBatch, type PartitionLog, type ReadOptions } from './partition-log.js';

/** A partition log held in memory, for `Broker.inMemory()` and unit tests. Same contract as the durable one. */
export class InMemoryPartitionLog implements PartitionLog {
  private readonly batches: LogBatch[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private bytes = 0;

  constructor(private readonly label = 'in-memory log') {}

  get logStartOffset(): number {
    return this.startOffset;
  }
  get logEndOffset(): number {
    return this.endOffset;
  }
  get sizeBytes(): number {
    return this.bytes;
  }

  append(batch: AppendBatch): { baseOffset: number; lastOffset: number } {
    const n = batch.records.length;
    if (n === 0) throw new RangeError(`${this.label}: cannot append an empty batch`);
    const baseOffset = this.endOffset;
    let maxTimestamp = -1;
    const records = batch.records.map((r, i) => {
      if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
      this.bytes += 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
      return { offset: baseOffset + i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
    });
    this.batches.push({
      baseOffset,
      lastOffset: baseOffset + n - 1,
      producerId: batch.producerId ?? -1,
      producerEpoch: batch.producerEpoch ?? -1,
      baseSequence: batch.baseSequence ?? -1,
      isTransactional: batch.isTransactional ?? false,
      isControl: batch.isControl ?? false,
      maxTimestamp,
      records,
    });
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
      for (const r of visible) bytes += 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
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
    while (this.batches.length > 0 && this.batches[0]!.lastOffset < offset) {
      for (const r of this.batches.shift()!.records) this.bytes -= 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    }
  }

  close(): void {}

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
