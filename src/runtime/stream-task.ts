import { StreamsProcessingError } from '../core/errors.js';
import type { ConsumedRecord, TopicPartitionOffset } from '../core/record.js';
import type { TaskExecutor } from '../processor/task-executor.js';
import { PartitionGroup, type PartitionQueue } from './partition-group.js';
import type { ProcessingExceptionHandler } from './processing-exception-handler.js';

/**
 * An active task of the runtime: one sub-topology × one partition number (`<subtopology>_<partition>`),
 * running the same engine as the test driver (`TaskExecutor`) over the records of its input
 * partitions, buffered in a {@link PartitionGroup}.
 *
 * Everything here is synchronous: `process(budget)` takes up to `budget` records in timestamp order,
 * runs each through the executor, then fires stream-time punctuators; the caller awaits only per
 * batch (flush, commit).
 * @example
 * const task = new StreamTask('0_1', executor);
 * task.addPartition('clicks', 1);
 * task.enqueue(task.queue('clicks', 1)!, record);
 * task.process(1000);
 * const offsets = task.committableOffsets(); // [{ topic: 'clicks', partition: 1, offset: record.offset + 1 }]
 */
export class StreamTask {
  readonly group = new PartitionGroup();
  /** Records whose processing threw and that the processing exception handler skipped. */
  skippedByHandler = 0;

  constructor(
    readonly id: string,
    readonly executor: TaskExecutor,
    private readonly processingHandler?: ProcessingExceptionHandler,
  ) {}

  /** The partitions this task reads now. */
  get partitions(): readonly PartitionQueue[] {
    return this.group.queues;
  }

  addPartition(topic: string, partition: number): PartitionQueue {
    return this.group.add(topic, partition);
  }

  /** Stops reading a partition (dropping its buffered records); returns its queue for the offsets. */
  removePartition(topic: string, partition: number): PartitionQueue | undefined {
    return this.group.remove(topic, partition);
  }

  queue(topic: string, partition: number): PartitionQueue | undefined {
    return this.group.queue(topic, partition);
  }

  /** Buffers a polled record, ordered by its extracted timestamp. */
  enqueue(queue: PartitionQueue, record: ConsumedRecord): void {
    this.group.push(queue, record, this.executor.extractTimestamp(record));
  }

  /** Records buffered and not processed yet. */
  get buffered(): number {
    return this.group.buffered;
  }

  /**
   * Processes up to `budget` buffered records, smallest head timestamp first, with stream-time
   * punctuation after each. Returns how many were taken. A `StreamsProcessingError` goes to the
   * processing exception handler (if any); everything else, and `FAIL`, is thrown to the thread.
   */
  process(budget: number): number {
    const group = this.group;
    const executor = this.executor;
    let n = 0;
    while (n < budget) {
      const record = group.next();
      if (record === undefined) break;
      n++;
      try {
        executor.processExtracted(record, group.lastTimestamp);
      } catch (e) {
        if (!(e instanceof StreamsProcessingError) || this.processingHandler?.handle(e) !== 'CONTINUE') throw e;
        this.skippedByHandler++;
      }
      group.lastQueue!.processedOffset = record.offset;
      executor.punctuateStreamTime();
    }
    return n;
  }

  /** Fires the wall-clock punctuators that are due. */
  punctuateWallClock(): void {
    this.executor.punctuateWallClock();
  }

  /** `processed offset + 1` of every partition that advanced since its last commit. */
  committableOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const q of this.group.queues) {
      const next = q.processedOffset + 1;
      if (q.processedOffset >= 0 && next > q.committedOffset) out.push({ topic: q.topic, partition: q.partition, offset: next });
    }
    return out;
  }

  /** Records that `offsets` (from {@link committableOffsets}) are committed. */
  markCommitted(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) {
      const q = this.group.queue(o.topic, o.partition);
      if (q !== undefined && o.offset > q.committedOffset) q.committedOffset = o.offset;
    }
  }

  /** Closes the executor (processors, then stores). */
  async close(): Promise<void> {
    await this.executor.close();
  }
}
