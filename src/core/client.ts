/**
 * Transport-neutral client interfaces. The embedded broker implements them directly; the wire-protocol
 * client (to a real Kafka cluster) implements them too, so the streams runtime runs on either unchanged.
 * The shapes of API.md are the contract; the extra members are what a stream processor needs.
 */
import type { ConsumedRecord, ProducedRecord, RecordMetadata, TopicPartition, TopicPartitionOffset } from './record.js';

export type IsolationLevel = 'read_committed' | 'read_uncommitted';
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';
/** `range` and `roundrobin` are eager (revoke everything, then reassign); `cooperative-sticky` moves only what must move. */
export type AssignmentStrategy = 'range' | 'roundrobin' | 'cooperative-sticky';

export interface ProducerOptions {
  transactionalId?: string;
  idempotent?: boolean;
  clientId?: string;
  /** A transaction left open longer than this is aborted by the coordinator (default 60 000). */
  transactionTimeoutMs?: number;
}

export interface Producer {
  /** Appends the records; resolves once they are durable per the broker's fsync policy. */
  send(records: ProducedRecord[]): Promise<RecordMetadata[]>;
  initTransactions(): Promise<void>;
  beginTransaction(): void;
  /**
   * Adds consumed offsets to the open transaction. With `groupMetadata` (KIP-447, the consumer's
   * `groupMetadata()`), the coordinator first checks that this member is still in the group at that
   * generation and fails with `CommitFailedError` otherwise — how a zombie whose partitions moved to
   * another instance (with another transactional id) is kept from committing them.
   */
  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string, groupMetadata?: GroupMetadata): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  close(): Promise<void>;
}

/** Called around rebalances, inside `poll()`, before the new assignment is used. */
export interface RebalanceListener {
  /** Partitions taken away cleanly: commit what was processed for them now. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions lost without a clean revoke (this member was evicted): do not commit for them. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/** One member's subscription as a client-side assignor sees it (Kafka's `ConsumerPartitionAssignor.Subscription`). */
export interface AssignorSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** What the member's assignor put in its join (`subscriptionUserData`), or null. */
  readonly userData: Buffer | null;
}

/** What a client-side assignor gives one member: its partitions, and bytes only the assignor reads. */
export interface AssignorAssignment {
  readonly partitions: readonly TopicPartition[];
  readonly userData: Buffer | null;
}

/**
 * A partition assignor the client supplies (Kafka's `ConsumerPartitionAssignor`), for protocols that
 * need more than topics and partition counts — Kafka Streams' task assignment with standby replicas.
 * It is eager: members revoke everything before they rejoin.
 *
 * 1. every member's join carries `subscriptionUserData(topics)`;
 * 2. once all members joined, the group leader's assignor runs `assign` over every member's
 *    subscription (on the embedded broker the coordinator calls the leader's assignor in-process; a
 *    wire-protocol client would run it in the leader's SyncGroup, as Kafka does);
 * 3. each member gets its partitions and userData: `onAssignment` runs before the rebalance
 *    listener's `onPartitionsAssigned`. A throw in `assign` fails every member's next `poll()`.
 * All members of a group must use an assignor of the same `name`.
 * @example
 * const consumer = broker.consumer({ groupId: 'app', assignor: myAssignor });
 */
export interface ConsumerPartitionAssignor {
  /** The protocol name; members of one group must agree on it. */
  readonly name: string;
  subscriptionUserData(topics: readonly string[]): Buffer | null;
  /** memberId → assignment; a member missing from the map gets nothing. */
  assign(members: readonly AssignorSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, AssignorAssignment>;
  onAssignment(assignment: AssignorAssignment, generation: number): void;
}

export interface ConsumerOptions {
  groupId?: string;
  isolationLevel?: IsolationLevel;
  /** Where to start when a partition has no committed offset (Kafka's default: latest). */
  autoOffsetReset?: AutoOffsetReset;
  clientId?: string;
  /** Commit consumed positions automatically (before each rebalance and every autoCommitIntervalMs). Default true, as in Kafka. */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxPollIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  maxPollRecords?: number;
  partitionAssignmentStrategy?: AssignmentStrategy;
  /** A client-side assignor; when set it replaces `partitionAssignmentStrategy` (see {@link ConsumerPartitionAssignor}). */
  assignor?: ConsumerPartitionAssignor;
}

export interface GroupMetadata {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface Consumer {
  subscribe(topics: string[], listener?: RebalanceListener): Promise<void>;
  unsubscribe(): Promise<void>;
  assign(parts: TopicPartition[]): void;
  assignment(): TopicPartition[];
  poll(opts?: { maxRecords?: number; timeoutMs?: number }): Promise<ConsumedRecord[]>;
  seek(topic: string, partition: number, offset: number): void;
  seekToBeginning(parts: TopicPartition[]): void;
  seekToEnd(parts: TopicPartition[]): void;
  /** Next offset poll() will return for the partition. */
  position(topic: string, partition: number): number;
  /** Earliest offset whose timestamp is >= timestamp, or null when there is none. */
  offsetsForTimes(query: { topic: string; partition: number; timestamp: number }[]): Promise<(number | null)[]>;
  committed(parts: TopicPartition[]): Promise<(number | null)[]>;
  /** Commits the given offsets, or every assigned partition's position when none are given. */
  commit(offsets?: TopicPartitionOffset[]): Promise<void>;
  pause(parts: TopicPartition[]): void;
  resume(parts: TopicPartition[]): void;
  paused(): TopicPartition[];
  /** Current group generation and member id, for `sendOffsetsToTransaction` fencing. */
  groupMetadata(): GroupMetadata | null;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  config?: Record<string, string>;
}

export interface PartitionDescription {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
}

export interface TopicDescription {
  name: string;
  partitions: PartitionDescription[];
  config: Record<string, string>;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocol?: string;
  generationId?: number;
  members: { memberId: string; clientId?: string; assignment: TopicPartition[] }[];
  offsets: { topic: string; partition: number; committed: number; lag: number }[];
}

export type OffsetResetSpec =
  | { earliest: true }
  | { latest: true }
  | { offset: number }
  | { shiftBy: number }
  | { timestamp: number };

export interface Admin {
  createTopics(t: TopicSpec[]): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  listTopics(): Promise<string[]>;
  describeTopic(name: string): Promise<TopicDescription>;
  /** Grows a topic to `totalPartitions` (never shrinks; Kafka's CreatePartitions). */
  createPartitions(topic: string, totalPartitions: number): Promise<void>;
  listGroups(): Promise<string[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Resets a group's committed offsets on every partition of a topic. The group must have no active members. */
  resetOffsets(groupId: string, topic: string, to: OffsetResetSpec): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<void>;
  /**
   * Deletes the records of one partition below `beforeOffset` (-1: the high watermark), as Kafka's
   * DeleteRecords: the log start offset moves there and whole segments below it are removed; consumers
   * behind it reset per `autoOffsetReset`. For purging consumed repartition data. Resolves with the new
   * log start offset (Kafka's low watermark). An offset above the high watermark is OffsetOutOfRangeError.
   */
  deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<{ lowWatermark: number }>;
}
