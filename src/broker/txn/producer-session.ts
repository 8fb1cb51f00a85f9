/**
 * The producer side of idempotence and transactions (Kafka's client TransactionManager): the producer
 * id and epoch, the next sequence number of each partition, and the transaction lifecycle.
 *
 * ```
 *   Uninitialized ──initTransactions──► Ready ──beginTransaction──► InTransaction
 *                                        ▲                            │    │
 *                                        └──── commit / abort done ───┘    │ fenced (any call)
 *                                                                          ▼
 *                                      Fenced (every later call: ProducerFencedError)
 * ```
 * Committing and Aborting sit between InTransaction and Ready while the coordinator works.
 */
import { InvalidTxnStateError, ProducerFencedError } from '../../core/errors.js';
import type { AppendBatch } from '../log/partition-log.js';
import type { ObservedPartitionLog } from '../observed-partition-log.js';
import type { AppendedRange } from './producer-state.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';

/** Lifecycle of a transactional producer. */
export type ProducerTxnPhase = 'Uninitialized' | 'Ready' | 'InTransaction' | 'Committing' | 'Aborting' | 'Fenced';

const PHASE_MOVES: Readonly<Record<ProducerTxnPhase, readonly ProducerTxnPhase[]>> = Object.freeze({
  Uninitialized: ['Ready', 'Fenced'],
  Ready: ['InTransaction', 'Ready', 'Fenced'],
  InTransaction: ['Committing', 'Aborting', 'Fenced'],
  Committing: ['Ready', 'Fenced', 'InTransaction'],
  Aborting: ['Ready', 'Fenced', 'InTransaction'],
  Fenced: ['Fenced'],
});

/** One batch about to be appended: where, and what. */
export interface SessionBatch {
  topic: string;
  partition: number;
  log: ObservedPartitionLog;
  batch: AppendBatch;
}

/** Idempotence and transaction state of one producer. */
export class ProducerSession {
  producerId = -1;
  epoch = -1;
  phase: ProducerTxnPhase = 'Uninitialized';
  private readonly nextSeq = new Map<string, number>();
  private readonly inTxn = new Set<string>();
  private fencedBy: Error | null = null;
  /** @internal The batches of the last send, with their sequences, for the lost-ack test hook. */
  lastSend: SessionBatch[] = [];

  constructor(
    private readonly txn: TransactionCoordinator,
    readonly transactionalId: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** Which producer this is, for error messages. */
  get name(): string {
    return this.transactionalId === undefined ? `idempotent producer ${this.producerId}` : `transactionalId "${this.transactionalId}"`;
  }

  async initTransactions(): Promise<void> {
    if (this.transactionalId === undefined) throw new InvalidTxnStateError('initTransactions: this producer has no transactionalId; create it with producer({ transactionalId })');
    this.assertNotFenced();
    if (this.phase !== 'Uninitialized') throw new InvalidTxnStateError(`initTransactions: ${this.name} is already initialized (${this.phase})`);
    const { producerId, producerEpoch } = this.txn.initProducerId(this.transactionalId, this.timeoutMs);
    this.producerId = producerId;
    this.epoch = producerEpoch;
    this.move('Ready');
  }

  beginTransaction(): void {
    this.requirePhase('beginTransaction', 'Ready');
    this.guard(() => this.txn.assertCurrent(this.transactionalId!, this.producerId, this.epoch));
    this.inTxn.clear();
    this.move('InTransaction');
  }

  /**
   * Before a send's appends: checks the phase (a transactional producer sends only inside a
   * transaction), gets a producer id for an idempotent one, and adds new partitions to the transaction.
   */
  prepareSend(parts: readonly { topic: string; partition: number }[]): void {
    if (this.transactionalId === undefined) {
      if (this.producerId < 0) {
        this.producerId = this.txn.allocateProducerId();
        this.epoch = 0;
      }
      return;
    }
    this.requirePhase('send', 'InTransaction');
    const added = parts.filter((p) => !this.inTxn.has(`${p.topic}\u0000${p.partition}`));
    this.guard(() => {
      if (added.length > 0) this.txn.addPartitions(this.transactionalId!, this.producerId, this.epoch, added);
      else this.txn.assertCurrent(this.transactionalId!, this.producerId, this.epoch);
    });
    for (const p of added) this.inTxn.add(`${p.topic}\u0000${p.partition}`);
  }

  /**
   * Stamps every batch with the producer id, epoch and next sequence, checks them all against the
   * broker's producer state (all or nothing), then appends the new ones. A retried batch gets its
   * original offsets. Returns the offsets of each batch, in order.
   */
  appendAll(batches: SessionBatch[], stamp: boolean): AppendedRange[] {
    const producers = this.txn.producers;
    if (stamp) {
      for (const b of batches) {
        b.batch.producerId = this.producerId;
        b.batch.producerEpoch = this.epoch;
        b.batch.baseSequence = this.nextSeq.get(`${b.topic}\u0000${b.partition}`) ?? 0;
        b.batch.isTransactional = this.transactionalId !== undefined;
      }
    }
    const known = batches.map((b) =>
      producers.check(b.topic, b.partition, this.producerId, this.epoch, b.batch.baseSequence!, b.batch.records.length),
    );
    const out = batches.map((b, i) => {
      const dup = known[i];
      if (dup !== null && dup !== undefined) return dup;
      const range = b.log.append(b.batch);
      producers.record(b.topic, b.partition, this.producerId, this.epoch, b.batch.baseSequence!, range);
      this.nextSeq.set(`${b.topic}\u0000${b.partition}`, b.batch.baseSequence! + b.batch.records.length);
      return range;
    });
    this.lastSend = batches;
    return out;
  }

  /** `checkMember` (KIP-447's group-generation check) runs after the fencing and phase checks, just before the offsets join the transaction. */
  async sendOffsets(offsets: readonly { topic: string; partition: number; offset: number }[], groupId: string, checkMember?: () => void): Promise<void> {
    this.requirePhase('sendOffsetsToTransaction', 'InTransaction');
    checkMember?.();
    this.guard(() => this.txn.addOffsets(this.transactionalId!, this.producerId, this.epoch, groupId, offsets));
  }

  async end(commit: boolean): Promise<void> {
    const what = commit ? 'commitTransaction' : 'abortTransaction';
    this.requirePhase(what, 'InTransaction');
    this.move(commit ? 'Committing' : 'Aborting');
    try {
      await this.txn.endTxn(this.transactionalId!, this.producerId, this.epoch, commit);
    } catch (err) {
      if (err instanceof ProducerFencedError) this.fence(err);
      // An fsync failure after the commit point: the coordinator has already ended the transaction (its
      // records are visible, durability unknown), so the producer may begin the next one; otherwise retry or abort.
      else this.move(this.txn.txns.get(this.transactionalId!)?.state === 'Ongoing' ? 'InTransaction' : 'Ready');
      throw err;
    }
    this.move('Ready');
  }

  /** At producer close: aborts an open transaction rather than leaving it to the timeout. */
  async closeQuietly(): Promise<void> {
    if (this.phase !== 'InTransaction') return;
    await this.txn.endTxn(this.transactionalId!, this.producerId, this.epoch, false).catch(() => undefined);
  }

  /** @internal Test hook: moves the partition's next sequence on by `count`, as if a batch was lost. */
  skipSequence(topic: string, partition: number, count: number): void {
    const k = `${topic}\u0000${partition}`;
    this.nextSeq.set(k, (this.nextSeq.get(k) ?? 0) + count);
  }

  /** Throws the ProducerFencedError that fenced this producer, if one did. */
  assertNotFenced(): void {
    if (this.fencedBy !== null) throw new ProducerFencedError(this.fencedBy.message);
  }

  private requirePhase(what: string, phase: ProducerTxnPhase): void {
    if (this.transactionalId === undefined) throw new InvalidTxnStateError(`${what}: this producer has no transactionalId; create it with producer({ transactionalId })`);
    this.assertNotFenced();
    // A fenced producer learns it on its next call, whatever the call: fencing beats a state mistake.
    if (this.phase !== 'Uninitialized') this.guard(() => this.txn.assertCurrent(this.transactionalId!, this.producerId, this.epoch));
    if (this.phase !== phase) {
      const hint = this.phase === 'Uninitialized' ? '; call initTransactions() first' : '';
      throw new InvalidTxnStateError(`${what}: ${this.name} is ${this.phase}, expected ${phase}${hint}`);
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof ProducerFencedError) this.fence(err);
      throw err;
    }
  }

  private fence(err: Error): void {
    this.fencedBy = err;
    this.phase = 'Fenced';
  }

  private move(to: ProducerTxnPhase): void {
    if (!PHASE_MOVES[this.phase].includes(to)) throw new InvalidTxnStateError(`${this.name}: cannot move from ${this.phase} to ${to}`);
    this.phase = to;
  }
}
