/**
 * Partition assignors: given the members of a group (what each subscribes to and, for cooperative
 * protocols, what each owns now) and the partition count of every subscribed topic, decide who reads
 * what. The coordinator runs the assignor itself (Kafka runs it on the group leader; in one process the
 * result is the same and there is no leader election to get wrong).
 */
import type { AssignmentStrategy } from '../../core/client.js';
import type { TopicPartition } from '../../core/record.js';

/** One member as the assignor sees it. Members are passed sorted by memberId. */
export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
  /** Partitions the member owns right now (cooperative protocols only; eager members own nothing when they join). */
  owned: readonly TopicPartition[];
}

/** memberId → the partitions it gets, each list sorted by topic then partition. */
export type Assignment = Map<string, TopicPartition[]>;

export interface PartitionAssignor {
  readonly name: AssignmentStrategy;
  /** Eager assignors expect members to revoke everything before joining; cooperative ones do not. */
  readonly cooperative: boolean;
  /** `partitionsPerTopic` holds every subscribed topic that exists; topics missing from it are skipped. */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Assignment;
}

/** `topic` + `partition` as one Map key. The NUL byte cannot occur in a topic name. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Every partition of the topics in `topics` that exist, sorted by topic then partition. */
export function partitionsOf(topics: Iterable<string>, partitionsPerTopic: ReadonlyMap<string, number>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of [...new Set(topics)].sort()) {
    const n = partitionsPerTopic.get(topic);
    if (n === undefined) continue;
    for (let partition = 0; partition < n; partition++) out.push({ topic, partition });
  }
  return out;
}

/** An assignment with an empty list for every member, to be filled in. */
export function emptyAssignment(members: readonly MemberSubscription[]): Assignment {
  return new Map(members.map((m) => [m.memberId, [] as TopicPartition[]]));
}
