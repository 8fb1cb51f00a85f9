/**
 * The producer of the built-in broker: validates a whole send, then appends one batch per partition.
 */
import { ClosedError, InvalidRecordError, InvalidTopicError, InvalidTxnStateError } from '../core/errors.js';
import type { Producer, ProducerOptions } from '../core/client.js';
import type { ProducedRecord, RecordMetadata, TopicPartitionOffset } from '../core/record.js';
import type { BrokerState } from './broker-state.js';
import type { LogRecordInput } from './log/partition-log.js';
import { partitionForKey } from './murmur2.js';
import type { ObservedPartitionLog } from './observed-partition-log.js';
import { checkPartition, checkSize, checkTimestamp, recordSize, toBytes, toHeaders } from './record-validation.js';
import { validateTopicName } from './topic-name.js';
import type { TopicState } from './topic-registry.js';

/** The records of one send bound for one partition: appended as one batch. */
interface PartitionBatch {
  topic: string;
  partition: number;
  records: LogRecordInput[];
  baseOffset: number;
}

/** What one send knows about one of its topics. */
interface SendTarget {
  name: string;
  /** undefined: the topic does not exist yet and is auto-created once the whole send has validated. */
  state: TopicState | undefined;
  partitions: number;
  maxMessageBytes: number;
  logAppendTime: boolean;
  /** The sticky partition of this send's null-key records, -1 until one is needed. */
  sticky: number;
  batches: (PartitionBatch | undefined)[];
}

const TXN_UNSUPPORTED = 'transactional producers are not supported by this broker yet';

/**
 * Implements `Producer` against a broker in the same process.
 *
 * - Validation is all-or-nothing: every record of a send is checked (topic name, topic existence,
 *   partition, key/value/header types, size) before any is appended, so a bad batch changes nothing.
 * - Partitioning, as Kafka's default partitioner: an explicit `partition` wins; a non-null key goes to
 *   `murmur2(keyBytes) % partitions`; null keys are sticky — every null-key record of one send to a
 *   topic lands in one partition, and the next send moves to the next partition (round robin, from a
 *   random start per producer so that producers do not pile onto partition 0).
 * - One `append` per partition per send; timestamps default to the broker clock at the send.
 * - `send` resolves after the fsync of every touched log under `fsync: 'always'`, at once otherwise.
 * - Idempotence and transactions are not implemented yet: the transaction methods throw
 *   InvalidTxnStateError. `idempotent: true` is accepted (an in-process broker never retries a batch).
 */
export class EmbeddedProducer implements Producer {
  private isClosed = false;
  /** Next sticky partition counter per topic (taken modulo the partition count). */
  private readonly stickyCounters = new Map<string, number>();

  constructor(
    private readonly broker: BrokerState,
    readonly options: ProducerOptions = {},
  ) {}

  async send(records: ProducedRecord[]): Promise<RecordMetadata[]> {
    this.assertUsable();
    if (!Array.isArray(records)) throw new TypeError(`producer.send: records must be an array, got ${typeof records}`);
    const n = records.length;
    if (n === 0) return [];
    const now = this.broker.clock.now();
    const targets = new Map<string, SendTarget>();
    const slots: PartitionBatch[] = new Array<PartitionBatch>(n);
    const positions: number[] = new Array<number>(n);
    let target: SendTarget | undefined;

    // Step 1: validate and place every record; nothing is written yet.
    for (let i = 0; i < n; i++) {
      const record = records[i] as ProducedRecord | null | undefined;
      if (record === null || typeof record !== 'object') {
        throw new InvalidRecordError(`record ${i} of the send is not an object (got ${record === null ? 'null' : typeof record})`);
      }
      const topic = record.topic;
      if (target === undefined || target.name !== topic) target = targets.get(topic) ?? this.resolveTarget(targets, topic);
      const key = record.key === undefined ? null : toBytes(record.key, 'key', topic, i);
      const value = toBytes(record.value, 'value', topic, i);
      const headers = toHeaders(record.headers, topic, i);
      let partition: number;
      if (record.partition !== undefined) partition = checkPartition(record.partition, target.partitions, topic, i);
      else if (key !== null) partition = partitionForKey(key, target.partitions);
      else partition = target.sticky >= 0 ? target.sticky : this.pickSticky(target);
      checkSize(recordSize(key, value, headers), target.maxMessageBytes, topic, partition, i);
      const timestamp =
        target.logAppendTime || record.timestamp === undefined ? now : checkTimestamp(record.timestamp, topic, i);
      let batch = target.batches[partition];
      if (batch === undefined) target.batches[partition] = batch = { topic, partition, records: [], baseOffset: 0 };
      positions[i] = batch.records.push({ timestamp, key, value, headers }) - 1;
      slots[i] = batch;
    }

    // Step 2: create the auto-created topics, then append one batch per partition.
    const touched: ObservedPartitionLog[] = [];
    for (const t of targets.values()) {
      const state =
        t.state ?? this.broker.registry.create(t.name, { partitions: t.partitions, config: {}, internal: false });
      for (const batch of t.batches) {
        if (batch === undefined) continue;
        const log = state.logs[batch.partition]!;
        batch.baseOffset = log.append({ records: batch.records }).baseOffset;
        touched.push(log);
      }
      if (t.sticky >= 0) this.stickyCounters.set(t.name, t.sticky + 1);
    }

    // Step 3: metadata in input order; under 'always', only after the fsync.
    const out: RecordMetadata[] = new Array<RecordMetadata>(n);
    for (let i = 0; i < n; i++) {
      const batch = slots[i]!;
      out[i] = { topic: batch.topic, partition: batch.partition, offset: batch.baseOffset + positions[i]! };
    }
    if (this.broker.fsync === 'always') await this.broker.registry.syncLogs(touched);
    return out;
  }

  async initTransactions(): Promise<void> {
    this.assertUsable();
    throw new InvalidTxnStateError(`initTransactions: ${TXN_UNSUPPORTED}`);
  }

  beginTransaction(): void {
    this.assertUsable();
    throw new InvalidTxnStateError(`beginTransaction: ${TXN_UNSUPPORTED}`);
  }

  async sendOffsetsToTransaction(_offsets: TopicPartitionOffset[], _groupId: string): Promise<void> {
    this.assertUsable();
    throw new InvalidTxnStateError(`sendOffsetsToTransaction: ${TXN_UNSUPPORTED}`);
  }

  async commitTransaction(): Promise<void> {
    this.assertUsable();
    throw new InvalidTxnStateError(`commitTransaction: ${TXN_UNSUPPORTED}`);
  }

  async abortTransaction(): Promise<void> {
    this.assertUsable();
    throw new InvalidTxnStateError(`abortTransaction: ${TXN_UNSUPPORTED}`);
  }

  /** Idempotent. Sends already resolved stay written; later calls fail with ClosedError. */
  async close(): Promise<void> {
    this.isClosed = true;
  }

  private assertUsable(): void {
    this.broker.assertOpen('broker');
    if (this.isClosed) throw new ClosedError('producer');
  }

  private resolveTarget(targets: Map<string, SendTarget>, topic: string): SendTarget {
    validateTopicName(topic);
    const state = this.broker.registry.get(topic);
    let target: SendTarget;
    if (state !== undefined) {
      if (state.internal) throw new InvalidTopicError(`topic "${topic}" is internal to the broker; producers cannot write to it`);
      target = {
        name: topic,
        state,
        partitions: state.logs.length,
        maxMessageBytes: state.maxMessageBytes,
        logAppendTime: state.logAppendTime,
        sticky: -1,
        batches: [],
      };
    } else {
      const { autoCreateTopics, defaultPartitions, maxMessageBytes } = this.broker.settings;
      if (!autoCreateTopics) this.broker.registry.require(topic); // throws TopicNotFoundError
      target = { name: topic, state: undefined, partitions: defaultPartitions, maxMessageBytes, logAppendTime: false, sticky: -1, batches: [] };
    }
    targets.set(topic, target);
    return target;
  }

  private pickSticky(target: SendTarget): number {
    let counter = this.stickyCounters.get(target.name);
    if (counter === undefined) counter = Math.floor(Math.random() * target.partitions);
    target.sticky = counter % target.partitions;
    return target.sticky;
  }
}
