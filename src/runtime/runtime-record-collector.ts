import type { Admin, Producer } from '../core/client.js';
import { TributaryError } from '../core/errors.js';
import type { Headers, ProducedRecord } from '../core/record.js';
import type { StreamPartitioner } from '../processor/node-options.js';
import type { RecordCollector } from '../processor/record-collector.js';

/** A record whose partition a sink's custom partitioner chooses once the topic's partition count is known. */
interface PendingPartition {
  readonly record: ProducedRecord;
  readonly partitioner: StreamPartitioner<unknown, unknown>;
  readonly key: unknown;
  readonly value: unknown;
}

/** Sends allowed in flight before a flush waits for the oldest. */
const MAX_IN_FLIGHT = 4;

/**
 * The runtime's {@link RecordCollector}, shared by all tasks of an instance: sinks call `send`
 * synchronously (it only buffers); `flush()` hands the buffer to the producer as ONE `send` batch
 * per loop iteration; `awaitSends()` (before a commit) waits for every send in flight and rethrows
 * the first failure. A sink with a custom partitioner gets the topic's partition count, looked up
 * once per topic through the admin client at flush time.
 * @example
 * const collector = new RuntimeRecordCollector(producer, admin);
 * task.process(record);        // sinks call collector.send(...)
 * await collector.flush();     // one producer.send for the iteration
 * await collector.awaitSends(); // before committing offsets
 */
export class RuntimeRecordCollector implements RecordCollector {
  #buffer: ProducedRecord[] = [];
  #pendingPartitions: PendingPartition[] = [];
  readonly #inFlight: Promise<unknown>[] = [];
  readonly #partitionCounts = new Map<string, number | null>();
  #error: unknown = undefined;
  /** Records handed to the producer so far. */
  sent = 0;

  constructor(
    private readonly producer: Producer,
    private readonly admin: Admin,
  ) {}

  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
    partitioner?: StreamPartitioner<unknown, unknown>,
    keyObject?: unknown,
    valueObject?: unknown,
  ): void {
    // The same shape as sendToPartition's records: the producer's loop over a batch stays monomorphic.
    const record: ProducedRecord = { topic, partition: undefined, key, value, timestamp, headers };
    this.#buffer.push(record);
    if (partitioner !== undefined) this.#pendingPartitions.push({ record, partitioner, key: keyObject, value: valueObject });
  }

  /** Buffers a record for a partition known up front (changelogs: the task's); the producer checks it exists. */
  sendToPartition(topic: string, partition: number, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.#buffer.push({ topic, partition, key, value, timestamp, headers });
  }

  /** Records buffered since the last flush. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Sends what the tasks buffered as one batch (waiting first if too many sends are in flight). */
  async flush(): Promise<void> {
    this.#throwIfFailed();
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    if (this.#pendingPartitions.length > 0) await this.#choosePartitions();
    while (this.#inFlight.length >= MAX_IN_FLIGHT) await this.#inFlight.shift();
    this.#throwIfFailed();
    this.sent += batch.length;
    const sending = this.producer.send(batch).then(
      () => undefined,
      (e: unknown) => {
        this.#error ??= e;
      },
    );
    this.#inFlight.push(sending);
  }

  /** Flushes, then waits until every send has been acknowledged; rethrows the first failure. */
  async awaitSends(): Promise<void> {
    await this.flush();
    while (this.#inFlight.length > 0) await this.#inFlight.shift();
    this.#throwIfFailed();
  }

  /** Drops what is buffered and not sent (a failed or migrated task's output). */
  discard(): void {
    this.#buffer = [];
    this.#pendingPartitions = [];
  }

  async #choosePartitions(): Promise<void> {
    const pending = this.#pendingPartitions;
    this.#pendingPartitions = [];
    for (const p of pending) {
      const topic = p.record.topic;
      if (!this.#partitionCounts.has(topic)) {
        // null: the topic does not exist yet; the producer creates it and partitions by key.
        const count = await this.admin.describeTopic(topic).then(
          (d) => d.partitions.length,
          () => null,
        );
        this.#partitionCounts.set(topic, count);
      }
      const n = this.#partitionCounts.get(topic);
      if (n === null || n === undefined) continue;
      const chosen = p.partitioner(topic, p.key, p.value, n);
      if (chosen === undefined) continue;
      if (!Number.isInteger(chosen) || chosen < 0 || chosen >= n) {
        throw new TributaryError('INVALID_PARTITION', `the sink partitioner for topic "${topic}" returned partition ${String(chosen)}; the topic has ${n} partitions`);
      }
      p.record.partition = chosen;
    }
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
