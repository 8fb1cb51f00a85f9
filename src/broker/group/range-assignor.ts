import { type Assignment, type MemberSubscription, type PartitionAssignor, compareTp, emptyAssignment } from './assignor.js';

/**
 * Kafka's RangeAssignor (eager): topic by topic, the members subscribed to it (sorted by member id) get
 * contiguous ranges of its partitions; the first `partitions % members` members get one extra. Balanced
 * within one per topic — but not across topics, which is why co-partitioned topics land together (partition
 * N of every topic goes to the same member), the property Kafka Streams joins rely on.
 *
 * @example
 * new RangeAssignor().assign(members, new Map([['orders', 6]]));
 */
export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range' as const;
  readonly cooperative = false;

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Assignment {
    const result = emptyAssignment(members);
    const subscribers = new Map<string, string[]>();
    for (const m of members) {
      for (const topic of new Set(m.topics)) {
        if (!partitionsPerTopic.has(topic)) continue;
        let list = subscribers.get(topic);
        if (list === undefined) subscribers.set(topic, (list = []));
        list.push(m.memberId);
      }
    }
    for (const topic of [...subscribers.keys()].sort()) {
      const ids = subscribers.get(topic)!.sort();
      const n = partitionsPerTopic.get(topic)!;
      const per = Math.floor(n / ids.length);
      const extra = n % ids.length;
      let next = 0;
      for (let i = 0; i < ids.length; i++) {
        const count = per + (i < extra ? 1 : 0);
        const list = result.get(ids[i]!)!;
        for (let k = 0; k < count; k++) list.push({ topic, partition: next++ });
      }
    }
    for (const list of result.values()) list.sort(compareTp);
    return result;
  }
}

