/**
 * Where a broker keeps its topics: the seam between the topic registry (what topics exist) and the
 * medium (segment files under a data directory, or memory). The registry decides; a storage only makes
 * the decision durable and opens the partition logs.
 */
import { InMemoryPartitionLog } from './log/in-memory-partition-log.js';
import type { CommitToken } from './log/journaled-sync.js';
import type { PartitionLog } from './log/partition-log.js';

/** What a broker remembers about a topic besides its records. */
export interface TopicMeta {
  partitions: number;
  /** The keys set explicitly at creation (not the defaults). */
  config: Record<string, string>;
  /** Created by the broker itself (`__consumer_offsets`, ...): hidden from listTopics, not writable by producers. */
  internal: boolean;
}

/** A topic found in storage at open, with its logs. */
export interface StoredTopic extends TopicMeta {
  name: string;
  /** One open log per partition, index = partition number. */
  logs: PartitionLog[];
}

/** The medium a broker keeps topics in; implemented in memory and under a data directory. */
export interface TopicStorage {
  /** Topics that already exist in the medium, with their logs open (a durable broker's restart). */
  loadTopics(): StoredTopic[];
  /** Makes a new topic durable and returns its open logs. Nothing of it survives a failure half way. */
  createTopic(name: string, meta: TopicMeta): PartitionLog[];
  /** Opens logs for partitions `fromPartition .. meta.partitions - 1` and records the new count. */
  addPartitions(name: string, meta: TopicMeta, fromPartition: number): PartitionLog[];
  /** Removes a topic whose logs the caller has already closed. */
  deleteTopic(name: string): void;
  /**
   * Makes everything appended to `logs` (logs this storage opened) durable. Optional: without it each
   * log's own `sync()` does. A durable storage goes through its commit journal (one fdatasync in all).
   */
  syncLogs?(logs: readonly PartitionLog[], seals?: readonly CommitToken[]): Promise<boolean>;
  /** Commit tokens: one durable step per transactional commit (a storage with a commit journal only). */
  readonly commitTokens?: CommitTokens;
  /** Finishes background work (removal of deleted topics) and releases the medium. */
  close(): Promise<void>;
}

/**
 * The commit tokens of a storage with a commit journal (`log/journaled-sync.ts`): a PrepareCommit record
 * carries one, `syncLogs(logs, [token])` seals it, and at open recovery counts only sealed ones.
 */
export interface CommitTokens {
  /** A token for the next commit; null when the storage cannot seal one (use the two-sync protocol). */
  reserve(): CommitToken | null;
  /** At open: whether the commit that wrote `token` was durable before the broker went down. */
  sealed(token: CommitToken): boolean;
  /** At open, once recovery judged every token: starts the journal's next generation (`syncAll`: fsyncs every log first). */
  finishRecovery(syncAll: boolean): void;
  /** Fsyncs every log now, on this thread, and starts a new generation: every token so far counts as durable. */
  checkpoint(): void;
}

/** Topics held in memory only: `Broker.inMemory()`. */
export class InMemoryTopicStorage implements TopicStorage {
  loadTopics(): StoredTopic[] {
    return [];
  }

  createTopic(name: string, meta: TopicMeta): PartitionLog[] {
    return this.addPartitions(name, meta, 0);
  }

  addPartitions(name: string, meta: TopicMeta, fromPartition: number): PartitionLog[] {
    const logs: PartitionLog[] = [];
    // Only an explicit `segment.bytes` rolls memory segments (the broker default is not known here).
    const segmentBytes = meta.config['segment.bytes'] === undefined ? undefined : Number(meta.config['segment.bytes']);
    for (let p = fromPartition; p < meta.partitions; p++) logs.push(new InMemoryPartitionLog(`${name}-${p}`, { segmentBytes }));
    return logs;
  }

  deleteTopic(): void {}

  async close(): Promise<void> {}
}
