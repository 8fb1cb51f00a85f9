import type { ConsumedRecord } from '../core/record.js';

/**
 * The buffered records of one input partition of a task, plus the offset of the last record the task
 * processed from it (what the next commit writes, +1).
 */
export class PartitionQueue {
  /** Records not yet processed are `records[head..]`. */
  records: ConsumedRecord[] = [];
  /** The timestamp each record is ordered and processed by (extracted when buffered); undefined: extract at processing. */
  timestamps: (number | undefined)[] = [];
  head = 0;
  /** Offset of the last processed record; -1 before any. */
  processedOffset = -1;
  /** Offset last committed for this partition (processedOffset + 1 at that commit); -1 before any. */
  committedOffset = -1;

  constructor(readonly topic: string, readonly partition: number) {}

  get size(): number {
    return this.records.length - this.head;
  }

  /** Appends a polled record with the timestamp it is to be ordered by. */
  push(record: ConsumedRecord, timestamp: number | undefined = record.timestamp): void {
    if (this.head > 0 && this.head === this.records.length) {
      // Drained: start fresh arrays instead of growing the old ones forever.
      this.records = [];
      this.timestamps = [];
      this.head = 0;
    }
    this.records.push(record);
    this.timestamps.push(timestamp);
  }

  /** Drops everything buffered (the partition moved away; the records will be re-fetched by the new owner). */
  clear(): void {
    this.records = [];
    this.timestamps = [];
    this.head = 0;
  }
}

/**
 * A task's input partitions (Kafka Streams' `PartitionGroup`): one queue per partition, and
 * `next()` picks the queue whose head record has the smallest timestamp — the extracted one, given
 * when the record is buffered, as Kafka's record queues extract on arrival — so a task that reads several
 * topics processes their records in timestamp order as far as the buffered data allows. Ties go to
 * the queue added first. (Kafka can also idle a task until every partition has data,
 * `max.task.idle.ms`; here a task processes whatever is buffered.)
 * @example
 * const group = new PartitionGroup();
 * group.add('clicks', 0).push(record);
 * const next = group.next(); // the record with the smallest timestamp among the queue heads
 */
export class PartitionGroup {
  readonly queues: PartitionQueue[] = [];
  #buffered = 0;
  /** The queue `next()` took its record from (to update its processed offset after processing). */
  lastQueue: PartitionQueue | undefined;
  /** The timestamp `next()`'s record was buffered with (undefined: extract it at processing). */
  lastTimestamp: number | undefined;

  /** Records buffered across all queues. */
  get buffered(): number {
    return this.#buffered;
  }

  /** The queue of `topic`/`partition`, added if missing. */
  add(topic: string, partition: number): PartitionQueue {
    const existing = this.queue(topic, partition);
    if (existing !== undefined) return existing;
    const queue = new PartitionQueue(topic, partition);
    this.queues.push(queue);
    return queue;
  }

  /** Removes a queue, dropping what it buffered; returns it (for its offsets) or undefined. */
  remove(topic: string, partition: number): PartitionQueue | undefined {
    const i = this.queues.findIndex((q) => q.topic === topic && q.partition === partition);
    if (i < 0) return undefined;
    const [queue] = this.queues.splice(i, 1);
    this.#buffered -= queue!.size;
    queue!.clear();
    return queue;
  }

  queue(topic: string, partition: number): PartitionQueue | undefined {
    for (const q of this.queues) if (q.topic === topic && q.partition === partition) return q;
    return undefined;
  }

  /** Buffers a polled record in its queue (which must exist), ordered by `timestamp` (the extracted one). */
  push(queue: PartitionQueue, record: ConsumedRecord, timestamp: number | undefined = record.timestamp): void {
    queue.push(record, timestamp);
    this.#buffered++;
  }

  /**
   * Takes the head record with the smallest (extracted) timestamp; undefined when nothing is buffered.
   * Its timestamp is left in {@link lastTimestamp}.
   */
  next(): ConsumedRecord | undefined {
    if (this.#buffered === 0) return undefined;
    const queues = this.queues;
    let best: PartitionQueue | undefined;
    let bestTs = Infinity;
    if (queues.length === 1) {
      best = queues[0];
    } else {
      for (let i = 0; i < queues.length; i++) {
        const q = queues[i]!;
        if (q.head < q.records.length) {
          const ts = q.timestamps[q.head] ?? q.records[q.head]!.timestamp;
          if (ts < bestTs) {
            bestTs = ts;
            best = q;
          }
        }
      }
    }
    const record = best!.records[best!.head]!;
    this.lastTimestamp = best!.timestamps[best!.head];
    best!.records[best!.head++] = undefined as unknown as ConsumedRecord; // let the record be collected
    this.#buffered--;
    this.lastQueue = best;
    return record;
  }
}
