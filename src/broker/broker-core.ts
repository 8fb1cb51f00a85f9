/**
 * The services a Broker gives its own producers, consumers, admin and group coordinator.
 * Internal to src/broker: the public face is `Broker` and the client interfaces of src/core/client.ts.
 */
import type { Clock } from '../core/clock.js';
import type { CommitToken } from './log/journaled-sync.js';
import type { PartitionLog } from './log/partition-log.js';
import type { CommitTokens } from './topic-storage.js';
import type { AbortedTxn } from './txn/txn-index.js';

export type FsyncPolicy = 'always' | 'commit' | 'never';

export interface BrokerCore {
  readonly clock: Clock;
  readonly fsync: FsyncPolicy;
  /** Throws ClosedError (naming `what`) once the broker is closed. */
  assertOpen(what: string): void;
  readonly closed: boolean;
  hasTopic(topic: string): boolean;
  /** Throws TopicNotFoundError for an unknown topic. */
  partitionCount(topic: string): number;
  /** Throws TopicNotFoundError / PartitionNotFoundError. */
  getLog(topic: string, partition: number): PartitionLog;
  /** Topic names; internal topics (`__consumer_offsets`, ...) only when asked. */
  topicNames(includeInternal?: boolean): string[];
  /** Creates an internal topic (name starting with `__`) if it does not exist yet. */
  ensureInternalTopic(name: string, partitions: number, config?: Record<string, string>): void;
  /**
   * Resolves on the next append to any partition, after `timeoutMs`, or when the broker closes —
   * whichever comes first. Long-polling consumers wait on this.
   */
  waitForAppend(timeoutMs: number): Promise<void>;
  /** Fsyncs every log written since its last sync. Called at commits under 'always' and 'commit'. */
  syncDirty(): Promise<void>;
  /**
   * Commit tokens: one durable step per transactional commit (`log/journaled-sync.ts`). Absent in a core
   * without a commit journal; its `reserve` gives null when a commit cannot use one (fsync 'never').
   */
  readonly commitTokens?: CommitTokens;
  /** `syncDirty` that also seals `token`: true once the token is durable (see CommitTokens). */
  syncDirtySealing?(token: CommitToken): Promise<boolean>;
  /** Reports a recovered problem (torn tail truncated, stale lock taken over, ...). */
  warn(message: string): void;
  /**
   * What `read_committed` readers need from the transaction coordinator. Absent in a core without one
   * (unit-test fakes): there every offset is stable and no transaction is aborted.
   */
  readonly transactions?: TransactionView;
}

/** The last stable offset and the aborted transactions of each partition. */
export interface TransactionView {
  /** First offset of the earliest open transaction in the partition, else its log end offset. */
  lastStableOffset(topic: string, partition: number): number;
  /** The partition's aborted transactions, sorted by first offset. */
  abortedTransactions(topic: string, partition: number): readonly AbortedTxn[];
}
