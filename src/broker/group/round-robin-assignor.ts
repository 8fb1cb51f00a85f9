import { type Assignment, type MemberSubscription, type PartitionAssignor, emptyAssignment, partitionsOf } from './assignor.js';

/**
 * Kafka's RoundRobinAssignor (eager): every partition of every subscribed topic, sorted by topic and
 * partition, dealt in turn to the members (sorted by member id), skipping a member that does not
 * subscribe to the partition's topic. With identical subscriptions every member's count is within one.
 *
 * @example
 * new RoundRobinAssignor().assign(members, new Map([['orders', 6], ['payments', 3]]));
 */
export class RoundRobinAssignor implements PartitionAssignor {
  readonly name = 'roundrobin' as const;
  readonly cooperative = false;

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Assignment {
    const result = emptyAssignment(members);
    const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    if (sorted.length === 0) return result;
    const subscribed = sorted.map((m) => new Set(m.topics));
    const all = partitionsOf(
      sorted.flatMap((m) => m.topics),
      partitionsPerTopic,
    );
    let cursor = 0;
    for (const tp of all) {
      // Some member subscribes to tp.topic (it came from a subscription), so this loop ends.
      while (!subscribed[cursor % sorted.length]!.has(tp.topic)) cursor++;
      result.get(sorted[cursor % sorted.length]!.memberId)!.push(tp);
      cursor++;
    }
    return result;
  }
}
