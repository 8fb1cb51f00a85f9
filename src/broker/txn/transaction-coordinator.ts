/**
 * The transaction coordinator of the embedded broker (KIP-98, one node): producer ids and epochs,
 * the state of every transactional id, commit and abort, timeouts, and recovery at open.
 *
 * Commit steps (`endTxn(commit)`) on a broker with a commit journal (one fdatasync in all):
 * 1. reserve a commit token, move Ongoing → PrepareCommit and append it, carrying the token, to
 *    `__transaction_state`;
 * 2. sync every dirty log sealing the token (`syncDirtySealing`): the records and the PrepareCommit go into
 *    one journal entry with the seal. That is the commit point, and only then is the commit acknowledged.
 *    A power cut may keep the PrepareCommit bytes in their segment file without the entry (and so without
 *    the records): recovery counts a PrepareCommit only if its token was sealed (`log/journaled-sync.ts`),
 *    and aborts the transaction otherwise — it was never acknowledged;
 * 3. in one synchronous step: a COMMIT marker in every partition, the group offsets, CompleteCommit.
 * Without tokens (in memory, fsync 'never', or after the journal failed) steps 1–2 are two syncs: the
 * records first, the transaction still Ongoing — a tokenless PrepareCommit counts wherever it is found,
 * so it must never reach the disk before the records — then check that no fencing or timeout ended the
 * transaction meanwhile, append PrepareCommit and sync again.
 * A fencing initProducerId that finds the commit between steps 1 and 3 finishes it, after fsyncing every
 * log (a checkpoint): the markers must never reach the disk before the records.
 * Abort is the same without the fsync (an abort lost in a crash is redone at open): PrepareAbort, ABORT
 * markers, the aborted-index record, CompleteAbort.
 * Open: replay `__transaction_state`, rebuild producer state from the logs' tails, abort every Ongoing /
 * PrepareAbort transaction and finish every PrepareCommit.
 */
import { ClosedError, ConcurrentTransactionsError, ProducerFencedError } from '../../core/errors.js';
import { EMPTY_HEADERS } from '../../core/record.js';
import type { BrokerCore, TransactionView } from '../broker-core.js';
import type { CommitToken } from '../log/journaled-sync.js';
import type { PartitionLog } from '../log/partition-log.js';
import { ProducerStateTable } from './producer-state.js';
import { type AbortedTxn, TxnIndex } from './txn-index.js';
import * as codec from './txn-log-codec.js';
import type { TxnMetadataRecord } from './txn-log-codec.js';
import { completeAbort, completeCommit } from './txn-markers.js';
import { transition } from './txn-state.js';
import { TxnRecovery } from './txn-recovery.js';

/** Where committed transactional offsets go (the group coordinator). */
export interface TxnOffsetSink {
  commitTransactionalOffsets(groupId: string, commits: readonly { topic: string; partition: number; offset: number }[]): void;
}

/** A producer id and epoch handed to a producer. */
export interface ProducerIdAndEpoch {
  producerId: number;
  producerEpoch: number;
}

/** Kafka's epoch is an int16; past this the coordinator hands out a new producer id instead. */
const MAX_EPOCH = 32_766;

/**
 * One broker's transaction coordinator; also owns the producer-state table (idempotence) and the
 * per-partition open/aborted transaction index (last stable offset, read_committed).
 *
 * @example
 * const txn = new TransactionCoordinator(core, groups);
 * txn.load();
 * const { producerId, producerEpoch } = txn.initProducerId('payments-1', 60_000);
 */
export class TransactionCoordinator implements TransactionView {
  readonly producers = new ProducerStateTable();
  readonly index = new TxnIndex();
  /** @internal transactional id → metadata; shared with TxnRecovery. */
  readonly txns = new Map<string, TxnMetadataRecord>();
  /** @internal The log each partition of an open transaction was in when it was added (this run only). */
  readonly writtenTo = new WeakMap<object, PartitionLog>();
  /** @internal next producer id to hand out. */
  nextProducerId = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Transactions in the first sync of a tokenless commit (still Ongoing): a second endTxn must not start another. */
  private readonly committing = new WeakSet<TxnMetadataRecord>();
  /** Transactions whose PrepareCommit waits for its token's seal. */
  private readonly sealing = new WeakSet<TxnMetadataRecord>();

  constructor(
    readonly core: BrokerCore,
    readonly offsetSink: TxnOffsetSink,
    private readonly checkIntervalMs = 100,
  ) {}

  /** Replays `__transaction_state` and recovers unfinished transactions; starts the timeout sweep. */
  load(): void {
    new TxnRecovery(this).run();
    this.timer = setInterval(() => this.abortExpired(), this.checkIntervalMs);
    this.timer.unref();
  }

  lastStableOffset(topic: string, partition: number): number {
    return this.index.lastStableOffset(this.core.getLog(topic, partition), topic, partition);
  }

  abortedTransactions(topic: string, partition: number): readonly AbortedTxn[] {
    return this.index.aborted(this.core.getLog(topic, partition), topic, partition);
  }

  /** A fresh producer id (epoch 0) for an idempotent producer; persisted before it is returned. */
  allocateProducerId(): number {
    this.assertOpen();
    const id = this.nextProducerId++;
    this.persist(codec.encodePidRecord(this.nextProducerId));
    return id;
  }

  /**
   * Registers a transactional producer: the first gets a new producer id, each later one the same id
   * with the next epoch, which fences the previous one; the previous one's open transaction is aborted
   * (or finished, if it had reached PrepareCommit).
   */
  initProducerId(transactionalId: string, timeoutMs: number): ProducerIdAndEpoch {
    this.assertOpen();
    let meta = this.txns.get(transactionalId);
    if (meta === undefined) {
      meta = { producerId: this.allocateProducerId(), producerEpoch: 0, state: 'Empty', timeoutMs, startedAt: 0, txnNumber: 0, partitions: [], offsets: [] };
      this.txns.set(transactionalId, meta);
    } else {
      this.finishOpen(transactionalId, meta);
      this.bumpEpoch(meta);
      meta.state = transition(transactionalId, meta.state, 'Empty');
      meta.timeoutMs = timeoutMs;
    }
    this.persistMeta(transactionalId, meta);
    return { producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  /** Throws ProducerFencedError unless `producerId`/`epoch` is the current producer of `transactionalId`. */
  assertCurrent(transactionalId: string, producerId: number, epoch: number): TxnMetadataRecord {
    this.assertOpen();
    const meta = this.txns.get(transactionalId);
    if (meta === undefined || meta.producerId !== producerId || meta.producerEpoch !== epoch) {
      const now = meta === undefined ? 'unknown' : `producerId ${meta.producerId} epoch ${meta.producerEpoch}`;
      throw new ProducerFencedError(
        `transactionalId "${transactionalId}": producerId ${producerId} epoch ${epoch} is fenced (current: ${now}) — ` +
          `another producer called initTransactions with this id, or its transaction timed out; close this producer`,
      );
    }
    return meta;
  }

  /** Adds partitions to the producer's transaction (starting it if needed), noting each one's first offset. */
  addPartitions(transactionalId: string, producerId: number, epoch: number, parts: readonly { topic: string; partition: number }[]): void {
    const meta = this.beginIfNeeded(transactionalId, this.assertCurrent(transactionalId, producerId, epoch));
    let changed = false;
    for (const { topic, partition } of parts) {
      if (meta.partitions.some((p) => p.topic === topic && p.partition === partition)) continue;
      const log = this.core.getLog(topic, partition);
      const firstOffset = log.logEndOffset;
      const added = { topic, partition, firstOffset };
      meta.partitions.push(added);
      this.writtenTo.set(added, log);
      this.index.begin(log, topic, partition, producerId, firstOffset);
      changed = true;
    }
    if (changed) this.persistMeta(transactionalId, meta);
  }

  /** Adds consumer-group offsets to the transaction: they reach the group only if it commits. */
  addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string, offsets: readonly { topic: string; partition: number; offset: number }[]): void {
    const meta = this.assertCurrent(transactionalId, producerId, epoch);
    for (const o of offsets) this.core.getLog(o.topic, o.partition); // TopicNotFoundError / PartitionNotFoundError
    this.beginIfNeeded(transactionalId, meta);
    let entry = meta.offsets.find((e) => e.groupId === groupId);
    if (entry === undefined) meta.offsets.push((entry = { groupId, offsets: [] }));
    for (const o of offsets) {
      const at = entry.offsets.findIndex((e) => e.topic === o.topic && e.partition === o.partition);
      const copy = { topic: o.topic, partition: o.partition, offset: o.offset };
      if (at >= 0) entry.offsets[at] = copy;
      else entry.offsets.push(copy);
    }
    this.persistMeta(transactionalId, meta);
  }

  /** Commits or aborts the producer's transaction (see the steps above). A no-op when nothing was added. */
  async endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<void> {
    const meta = this.assertCurrent(transactionalId, producerId, epoch);
    assertNotCompleting(transactionalId, meta);
    if (this.committing.has(meta)) {
      throw new ConcurrentTransactionsError(`transactionalId "${transactionalId}": a commit of this transaction is already under way`);
    }
    if (meta.state !== 'Ongoing') return;
    if (!commit) {
      this.abort(transactionalId, meta, false);
      return;
    }
    const txnNumber = meta.txnNumber;
    const token = this.core.commitTokens?.reserve() ?? null;
    if (token !== null && this.core.syncDirtySealing !== undefined) return this.commitSealed(transactionalId, meta, token, this.core.syncDirtySealing.bind(this.core));
    this.committing.add(meta);
    try {
      await this.core.syncDirty(); // Step 1
    } finally {
      this.committing.delete(meta);
    }
    // A fencing initProducerId or the timeout aborted it meanwhile (and bumped the epoch): ProducerFencedError.
    this.assertCurrent(transactionalId, producerId, epoch);
    if (meta.state !== 'Ongoing' || meta.txnNumber !== txnNumber) {
      throw new ProducerFencedError(`transactionalId "${transactionalId}": transaction ${txnNumber} was ended while its records were being synced`);
    }
    meta.state = transition(transactionalId, meta.state, 'PrepareCommit');
    this.persistMeta(transactionalId, meta);
    try {
      await this.core.syncDirty();
    } finally {
      if (this.preparing(meta, txnNumber)) this.completeCommit(transactionalId, meta); // Step 3
    }
  }

  /** Steps 1–3 of a commit with a commit token (see the file header): one journal sync. */
  private async commitSealed(transactionalId: string, meta: TxnMetadataRecord, token: CommitToken, syncSealing: (token: CommitToken) => Promise<boolean>): Promise<void> {
    const txnNumber = meta.txnNumber;
    meta.state = transition(transactionalId, meta.state, 'PrepareCommit'); // Step 1
    this.persistMeta(transactionalId, { ...meta, commitToken: token });
    this.sealing.add(meta);
    try {
      const sealed = await syncSealing(token); // Step 2
      if (!sealed && this.preparing(meta, txnNumber)) {
        // The journal failed before the seal: commit the tokenless way (records durable, then the decision).
        await this.core.syncDirty();
        this.assertOpen();
        this.persistMeta(transactionalId, meta);
        await this.core.syncDirty();
      } else if (!sealed && this.closed) {
        // Closed before the seal: recovery will not count this PrepareCommit, so it must not be acknowledged.
        throw new ClosedError(`transaction coordinator (commit of transactionalId "${transactionalId}")`);
      }
    } finally {
      this.sealing.delete(meta);
      if (this.preparing(meta, txnNumber)) this.completeCommit(transactionalId, meta); // Step 3
    }
  }

  /** Still in PrepareCommit of transaction `txnNumber`: no fencing initProducerId (or close) finished it meanwhile. */
  private preparing(meta: TxnMetadataRecord, txnNumber: number): boolean {
    return !this.closed && meta.state === 'PrepareCommit' && meta.txnNumber === txnNumber;
  }

  /** Aborts every Ongoing transaction older than its timeout, bumping its epoch so the producer is fenced. */
  abortExpired(): number {
    if (this.closed || this.core.closed) return 0;
    const now = this.core.clock.now();
    let n = 0;
    for (const [id, meta] of this.txns) {
      if (meta.state === 'Ongoing' && now - meta.startedAt >= meta.timeoutMs) {
        this.abort(id, meta, true);
        n++;
      }
    }
    return n;
  }

  /** Stops the timeout sweep; open transactions stay open and are aborted at the next open. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** @internal Ends whatever transaction `meta` has open: aborts Ongoing/PrepareAbort, finishes PrepareCommit. */
  finishOpen(transactionalId: string, meta: TxnMetadataRecord): void {
    if (meta.state === 'PrepareCommit') {
      // Its seal is not durable yet: make everything durable first, so the commit counts wherever its markers land.
      if (this.sealing.has(meta)) this.core.commitTokens?.checkpoint();
      this.completeCommit(transactionalId, meta);
    }
    else if (meta.state === 'Ongoing' || meta.state === 'PrepareAbort') this.abort(transactionalId, meta, false);
  }

  /** @internal Step 3 of a commit (see txn-markers.ts). */
  completeCommit(transactionalId: string, meta: TxnMetadataRecord): void {
    completeCommit(this, transactionalId, meta);
  }

  /** @internal Aborts the transaction (see txn-markers.ts); `bumpEpoch` fences its producer. */
  abort(transactionalId: string, meta: TxnMetadataRecord, bumpEpoch: boolean): void {
    completeAbort(this, transactionalId, meta);
    if (bumpEpoch) this.bumpEpoch(meta);
    this.persistMeta(transactionalId, meta);
  }

  private beginIfNeeded(transactionalId: string, meta: TxnMetadataRecord): TxnMetadataRecord {
    if (meta.state === 'Ongoing') return meta;
    assertNotCompleting(transactionalId, meta);
    meta.state = transition(transactionalId, meta.state, 'Ongoing');
    meta.txnNumber++;
    meta.startedAt = this.core.clock.now();
    meta.partitions = [];
    meta.offsets = [];
    return meta;
  }

  /** @internal */
  bumpEpoch(meta: TxnMetadataRecord): void {
    if (meta.producerEpoch >= MAX_EPOCH) {
      meta.producerId = this.allocateProducerId();
      meta.producerEpoch = 0;
    } else meta.producerEpoch++;
  }

  /** @internal */
  persistMeta(transactionalId: string, meta: TxnMetadataRecord): void {
    this.persist(codec.encodeTxnRecord(transactionalId, meta));
  }

  /** @internal Appends one record to `__transaction_state`. */
  persist(rec: { key: Buffer; value: Buffer | null }): void {
    this.core.ensureInternalTopic(codec.TXN_TOPIC, codec.TXN_TOPIC_PARTITIONS, { ...codec.TXN_TOPIC_CONFIG });
    this.core.getLog(codec.TXN_TOPIC, 0).append({ records: [{ timestamp: this.core.clock.now(), key: rec.key, value: rec.value, headers: EMPTY_HEADERS }] });
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('transaction coordinator');
    this.core.assertOpen('broker');
  }
}

function assertNotCompleting(transactionalId: string, meta: TxnMetadataRecord): void {
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
    throw new ConcurrentTransactionsError(`transactionalId "${transactionalId}": the previous transaction is still completing (${meta.state})`);
  }
}
