import type { GroupMetadata, Producer } from '../core/client.js';
import { CommitFailedError, InvalidProducerEpochError, ProducerFencedError, TaskMigratedError } from '../core/errors.js';
import type { ProducedRecord, RecordMetadata, TopicPartitionOffset } from '../core/record.js';

/**
 * Kafka Streams' transaction timeout under exactly-once (`transaction.timeout.ms` = 10 s): how long
 * a crashed instance's open transaction may hold back `read_committed` readers when no restart with
 * the same transactional id aborts it sooner.
 */
export const EOS_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * True for the errors that say another producer with our transactional id took over (this
 * instance is a zombie): the broker's `ProducerFencedError` / `InvalidProducerEpochError`, or the
 * `TaskMigratedError` the runtime translates them to.
 */
export function isFenced(error: unknown): boolean {
  if (error instanceof TaskMigratedError) return isFenced(error.cause);
  return error instanceof ProducerFencedError || error instanceof InvalidProducerEpochError;
}

/**
 * Translates at the runtime boundary (STYLE.md): fencing, and a `CommitFailedError` of the KIP-447
 * group check (this instance left the group — a stall past its session or poll timeout — and its
 * tasks may run elsewhere), become `TaskMigratedError`; everything else passes through.
 */
function translate(error: unknown, transactionalId: string, during: string): unknown {
  if (error instanceof CommitFailedError) {
    return new TaskMigratedError(
      `producer "${transactionalId}": ${during} failed because the consumer group rebalanced without this instance ` +
        `(its generation is stale or it was removed); its tasks may run elsewhere now, so the transaction is aborted and the instance rejoins`,
      { cause: error },
    );
  }
  if (!(error instanceof ProducerFencedError || error instanceof InvalidProducerEpochError)) return error;
  return new TaskMigratedError(
    `producer "${transactionalId}" was fenced during ${during}: another instance started with the same transactional id ` +
      `(same applicationId and instanceId); this instance's tasks are closed without committing`,
    { cause: error },
  );
}

/**
 * The one transactional producer of an instance under `exactly_once_v2` (KIP-447: one producer
 * per thread, not per task). It keeps a transaction open whenever records are being processed:
 * the first `send` of a commit interval begins one lazily, `commit(offsets, groupId)` ends it with
 * the consumed offsets inside it. Fencing errors come out as `TaskMigratedError` (cause: the broker
 * error). Transaction states, per instance:
 *
 * ```
 *   idle --send / commit--> open --commitTransaction--> idle
 *                            \--abortTransaction-----> idle
 * ```
 * @example
 * const eos = new EosProducer(broker.producer({ transactionalId: 'app-a' }), 'app-a');
 * await eos.initTransactions();
 * await eos.send(records);                                 // begins the transaction
 * await eos.commit([{ topic: 'in', partition: 0, offset: 42 }], 'app');
 */
export class EosProducer implements Producer {
  #open = false;
  /** Transactions committed and aborted (for metrics and tests). */
  committed = 0;
  aborted = 0;

  constructor(
    private readonly inner: Producer,
    readonly transactionalId: string,
  ) {}

  /** True while a transaction is open. */
  get inTransaction(): boolean {
    return this.#open;
  }

  /** Registers the id with the coordinator, fencing an older producer with it and aborting its open transaction. */
  async initTransactions(): Promise<void> {
    await this.inner.initTransactions().catch((e: unknown) => Promise.reject(translate(e, this.transactionalId, 'initTransactions')));
  }

  beginTransaction(): void {
    if (this.#open) return;
    try {
      this.inner.beginTransaction();
    } catch (e) {
      throw translate(e, this.transactionalId, 'beginTransaction');
    }
    this.#open = true;
  }

  send(records: ProducedRecord[]): Promise<RecordMetadata[]> {
    try {
      this.beginTransaction();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inner.send(records).catch((e: unknown) => Promise.reject(translate(e, this.transactionalId, 'send')));
  }

  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string, groupMetadata?: GroupMetadata): Promise<void> {
    return this.inner.sendOffsetsToTransaction(offsets, groupId, groupMetadata).catch((e: unknown) => Promise.reject(translate(e, this.transactionalId, 'sendOffsetsToTransaction')));
  }

  /**
   * Ends the interval: `offsets` (consumed offset + 1) go into the transaction, then it commits.
   * With `groupMetadata` (the consumer's) the coordinator refuses the offsets of a member that is no
   * longer in the group at that generation (`TaskMigratedError`). Nothing happens when no
   * transaction is open and there is nothing to commit.
   */
  async commit(offsets: TopicPartitionOffset[], groupId: string, groupMetadata?: GroupMetadata): Promise<void> {
    if (!this.#open && offsets.length === 0) return;
    this.beginTransaction();
    if (offsets.length > 0) await this.sendOffsetsToTransaction(offsets, groupId, groupMetadata);
    await this.commitTransaction();
  }

  async commitTransaction(): Promise<void> {
    try {
      await this.inner.commitTransaction();
      this.#open = false;
      this.committed++;
    } catch (e) {
      // Fenced: the coordinator aborted it already. Otherwise it stays open, for the caller to abort.
      if (isFenced(e)) this.#open = false;
      throw translate(e, this.transactionalId, 'commitTransaction');
    }
  }

  /** Aborts the open transaction if any. Fenced: the coordinator already aborted it, so that is not an error. */
  async abortTransaction(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      await this.inner.abortTransaction();
      this.aborted++;
    } catch (e) {
      if (!isFenced(e)) throw e;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
