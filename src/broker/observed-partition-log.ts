/**
 * A partition log as the rest of the broker sees it: the real log plus a callback on every append.
 * Every writer (producer, group coordinator, later the transaction coordinator) goes through
 * `BrokerCore.getLog`, so wrapping here is what guarantees that each append marks the log dirty for
 * `syncDirty()` and wakes long-polling consumers and watchers — no writer has to remember to.
 */
import type { AppendBatch, LogBatch, PartitionLog, ReadOptions } from './log/partition-log.js';

/** Called after each successful append, with the batch and the offset its first record got. */
export type AppendListener = (log: ObservedPartitionLog, batch: AppendBatch, baseOffset: number) => void;

/** A `PartitionLog` that reports each append and turns a sync racing its own close into a no-op. */
export class ObservedPartitionLog implements PartitionLog {
  private isClosed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly inner: PartitionLog,
    private readonly onAppend: AppendListener,
  ) {}

  get logStartOffset(): number {
    return this.inner.logStartOffset;
  }
  get logEndOffset(): number {
    return this.inner.logEndOffset;
  }
  get sizeBytes(): number {
    return this.inner.sizeBytes;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  append(batch: AppendBatch): { baseOffset: number; lastOffset: number } {
    const result = this.inner.append(batch);
    this.onAppend(this, batch, result.baseOffset);
    return result;
  }

  read(fromOffset: number, opts?: ReadOptions): LogBatch[] {
    return this.inner.read(fromOffset, opts);
  }

  offsetForTimestamp(timestamp: number): number | null {
    return this.inner.offsetForTimestamp(timestamp);
  }

  async sync(): Promise<void> {
    if (this.isClosed) return;
    try {
      await this.inner.sync();
    } catch (err) {
      // Closed while the fsync was in flight (topic deleted, broker closed): closing synced or discarded it.
      if (!this.isClosed) throw err;
    }
  }

  deleteRecordsBefore(offset: number): void {
    this.inner.deleteRecordsBefore(offset);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.inner.close();
  }
}
