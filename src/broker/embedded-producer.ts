/**
 * The producer of the built-in broker: validates a whole send, then appends one batch per partition.
 */
import { ClosedError, InvalidRecordError, InvalidTopicError, InvalidTxnStateError } from '../core/errors.js';
import type { GroupMetadata, Producer, ProducerOptions } from '../core/client.js';
import type { ProducedRecord, RecordMetadata, TopicPartitionOffset } from '../core/record.js';
import type { BrokerState } from './broker-state.js';
import type { LogRecordInput } from './log/partition-log.js';
import { partitionForKey } from './murmur2.js';
import type { ObservedPartitionLog } from './observed-partition-log.js';
import { checkCompactedKey, checkPartition, checkSize, checkTimestamp, recordSize, toBytes, toHeaders } from './record-validation.js';
import { validateTopicName } from './topic-name.js';
import type { TopicState } from './topic-registry.js';
import { ProducerSession, type SessionBatch } from './txn/producer-session.js';
import type { TransactionCoordinator } from './txn/transaction-coordinator.js';
import type { GroupCoordinator } from './group/group-coordinator.js';

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
  /** The topic's cleanup.policy: a compacted topic refuses records without a key. */
  cleanupPolicy: string | undefined;
  /** The sticky partition of this send's null-key records, -1 until one is needed. */
  sticky: number;
  batches: (PartitionBatch | undefined)[];
}

const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

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
 * - Idempotent (`idempotent: true`, implied by `transactionalId`): every batch carries the producer id,
 *   epoch and a per-partition sequence number; the broker writes a retried batch once (see ProducerSession).
 * - Transactional (`transactionalId`): `initTransactions()`, then `beginTransaction()`, sends and
 *   `sendOffsetsToTransaction`, then `commitTransaction()` / `abortTransaction()`; a newer producer with
 *   the same id fences this one (ProducerFencedError). Sends outside a transaction are InvalidTxnStateError.
 */
export class EmbeddedProducer implements Producer {
  private isClosed = false;
  /** Next sticky partition counter per topic (taken modulo the partition count). */
  private readonly stickyCounters = new Map<string, number>();
  /** Idempotence / transaction state; null for a plain producer (or a broker without a coordinator). */
  private readonly session: ProducerSession | null = null;

  constructor(
    private readonly broker: BrokerState,
    readonly options: ProducerOptions = {},
    txn?: TransactionCoordinator,
    /** Checks the consumer-group member behind `sendOffsetsToTransaction(..., groupMetadata)`. */
    private readonly groups?: GroupCoordinator,
  ) {
    const { transactionalId, transactionTimeoutMs = DEFAULT_TRANSACTION_TIMEOUT_MS } = options;
    if (transactionalId !== undefined && (typeof transactionalId !== 'string' || transactionalId === '')) {
      throw new TypeError(`producer: transactionalId must be a non-empty string, got ${JSON.stringify(transactionalId)}`);
    }
    if (!Number.isSafeInteger(transactionTimeoutMs) || transactionTimeoutMs < 1) {
      throw new RangeError(`producer: transactionTimeoutMs must be an integer >= 1, got ${transactionTimeoutMs}`);
    }
    if (txn !== undefined && (options.idempotent === true || transactionalId !== undefined)) {
      this.session = new ProducerSession(txn, transactionalId, transactionTimeoutMs);
    }
  }

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
      checkCompactedKey(key, target.cleanupPolicy, topic, partition, i);
      checkSize(recordSize(key, value, headers), target.maxMessageBytes, topic, partition, i);
      const timestamp =
        target.logAppendTime || record.timestamp === undefined ? now : checkTimestamp(record.timestamp, topic, i);
      let batch = target.batches[partition];
      if (batch === undefined) target.batches[partition] = batch = { topic, partition, records: [], baseOffset: 0 };
      positions[i] = batch.records.push({ timestamp, key, value, headers }) - 1;
      slots[i] = batch;
    }

    // Step 2: create the auto-created topics, then append one batch per partition (an idempotent or
    // transactional producer stamps and checks them all first: see ProducerSession.appendAll).
    const touched: ObservedPartitionLog[] = [];
    const appends: SessionBatch[] = [];
    const placed: PartitionBatch[] = [];
    for (const t of targets.values()) {
      const state =
        t.state ?? this.broker.registry.create(t.name, { partitions: t.partitions, config: {}, internal: false });
      for (const batch of t.batches) {
        if (batch === undefined) continue;
        const log = state.logs[batch.partition]!;
        appends.push({ topic: t.name, partition: batch.partition, log, batch: { records: batch.records } });
        placed.push(batch);
        touched.push(log);
      }
      if (t.sticky >= 0) this.stickyCounters.set(t.name, t.sticky + 1);
    }
    if (this.session === null) {
      for (let i = 0; i < appends.length; i++) placed[i]!.baseOffset = appends[i]!.log.append(appends[i]!.batch).baseOffset;
    } else {
      this.session.prepareSend(appends);
      const ranges = this.session.appendAll(appends, true);
      for (let i = 0; i < appends.length; i++) placed[i]!.baseOffset = ranges[i]!.baseOffset;
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
    await this.requireSession('initTransactions').initTransactions();
  }

  beginTransaction(): void {
    this.assertUsable();
    this.requireSession('beginTransaction').beginTransaction();
  }

  async sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string, groupMetadata?: GroupMetadata): Promise<void> {
    this.assertUsable();
    if (typeof groupId !== 'string' || groupId === '') throw new TypeError(`sendOffsetsToTransaction: groupId must be a non-empty string`);
    if (!Array.isArray(offsets)) throw new TypeError('sendOffsetsToTransaction: offsets must be an array');
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new RangeError(`sendOffsetsToTransaction: offset ${o.offset} for ${o.topic}-${o.partition} (group "${groupId}") must be an integer >= 0`);
      }
    }
    const session = this.requireSession('sendOffsetsToTransaction');
    if (groupMetadata === undefined || groupMetadata === null) return session.sendOffsets(offsets, groupId);
    if (groupMetadata.groupId !== groupId) throw new TypeError(`sendOffsetsToTransaction: groupMetadata is of group "${groupMetadata.groupId}", not "${groupId}"`);
    // KIP-447: the member must still hold its generation; checked after the producer's own fencing
    // check and in the same synchronous step as the offsets join the transaction.
    const what = `transactional offsets ${offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')}`;
    await session.sendOffsets(offsets, groupId, () => this.groups?.validateMember(groupId, groupMetadata.memberId, groupMetadata.generationId, what));
  }

  async commitTransaction(): Promise<void> {
    this.assertUsable();
    await this.requireSession('commitTransaction').end(true);
  }

  async abortTransaction(): Promise<void> {
    this.assertUsable();
    await this.requireSession('abortTransaction').end(false);
  }

  /**
   * @internal Test hook: sends the batches of the last send again, with the same producer id, epoch and
   * sequence numbers — what a client does when an acknowledgement was lost. Returns each batch's offsets.
   */
  resendLastSendForTest(): { topic: string; partition: number; baseOffset: number }[] {
    this.assertUsable();
    const session = this.requireSession('resendLastSendForTest');
    const batches = session.lastSend;
    return session.appendAll(batches, false).map((r, i) => ({ topic: batches[i]!.topic, partition: batches[i]!.partition, baseOffset: r.baseOffset }));
  }

  /** @internal Test hook: skips `count` sequence numbers on a partition, as if a batch had been lost. */
  skipSequenceForTest(topic: string, partition: number, count: number): void {
    this.requireSession('skipSequenceForTest').skipSequence(topic, partition, count);
  }

  /** Idempotent. Sends already resolved stay written; later calls fail with ClosedError. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.session !== null && !this.broker.closed) await this.session.closeQuietly();
  }

  private assertUsable(): void {
    this.broker.assertOpen('broker');
    if (this.isClosed) throw new ClosedError('producer');
  }

  private requireSession(what: string): ProducerSession {
    if (this.session === null) {
      throw new InvalidTxnStateError(`${what}: this producer is neither transactional nor idempotent; create it with producer({ transactionalId })`);
    }
    return this.session;
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
        cleanupPolicy: state.config['cleanup.policy'],
        sticky: -1,
        batches: [],
      };
    } else {
      const { autoCreateTopics, defaultPartitions, maxMessageBytes } = this.broker.settings;
      if (!autoCreateTopics) this.broker.registry.require(topic); // throws TopicNotFoundError
      target = { name: topic, state: undefined, partitions: defaultPartitions, maxMessageBytes, logAppendTime: false, cleanupPolicy: undefined, sticky: -1, batches: [] };
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
