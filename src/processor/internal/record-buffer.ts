import type { ConsumedRecord } from '../../core/record.js';

interface Queue {
  readonly records: ConsumedRecord[];
  readonly timestamps: number[];
  head: number;
}

/**
 * A task's input buffer: one FIFO queue per topic (a task reads one partition of each), and
 * `poll()` takes the head with the smallest timestamp — Kafka's choice of the next record, so
 * that records of co-partitioned topics interleave by event time. Ties go to the queue created
 * first.
 * @example
 * const buffer = new RecordBuffer();
 * buffer.add(record, record.timestamp);
 * const next = buffer.poll(); // { record, timestamp } | undefined
 */
export class RecordBuffer {
  readonly #queues: Queue[] = [];
  readonly #byTopic = new Map<string, Queue>();
  #size = 0;

  /** Records waiting. */
  get size(): number {
    return this.#size;
  }

  /** Appends a record with its (already extracted) timestamp to its topic's queue. */
  add(record: ConsumedRecord, timestamp: number): void {
    let queue = this.#byTopic.get(record.topic);
    if (queue === undefined) {
      queue = { records: [], timestamps: [], head: 0 };
      this.#byTopic.set(record.topic, queue);
      this.#queues.push(queue);
    }
    queue.records.push(record);
    queue.timestamps.push(timestamp);
    this.#size++;
  }

  /** Removes and returns the head with the smallest timestamp; `undefined` if empty. */
  poll(): { record: ConsumedRecord; timestamp: number } | undefined {
    let best: Queue | undefined;
    for (const q of this.#queues) {
      if (q.head < q.records.length && (best === undefined || q.timestamps[q.head]! < best.timestamps[best.head]!)) best = q;
    }
    if (best === undefined) return undefined;
    const i = best.head++;
    const out = { record: best.records[i]!, timestamp: best.timestamps[i]! };
    if (best.head === best.records.length) {
      best.records.length = 0;
      best.timestamps.length = 0;
      best.head = 0;
    }
    this.#size--;
    return out;
  }

  /** Drops everything (e.g. when the task closes or its partitions are revoked). */
  clear(): void {
    for (const q of this.#queues) {
      q.records.length = 0;
      q.timestamps.length = 0;
      q.head = 0;
    }
    this.#size = 0;
  }
}
