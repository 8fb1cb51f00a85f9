import type { TopicPartition } from '../../core/record.js';
import {
  type Assignment,
  type MemberSubscription,
  type PartitionAssignor,
  compareTp,
  emptyAssignment,
  partitionsOf,
  tpKey,
} from './assignor.js';

/**
 * Kafka's CooperativeStickyAssignor (KIP-429): members keep the partitions they own, and only what must
 * move to restore balance moves.
 *
 * A rebalance takes two rounds when partitions move:
 * 1. `stickyAssign` computes the balanced target, keeping owned partitions wherever balance allows.
 * 2. `withholdMoving` removes from the target every partition still owned by *another* member, so the
 *    round never hands out a partition before its owner let it go. The owner sees it missing from its
 *    assignment, revokes just those partitions (onPartitionsRevoked), and rejoins.
 * 3. That rejoin starts a second round in which the partitions are free, and they reach their new owner.
 *
 * @example
 * new CooperativeStickyAssignor().assign(
 *   [{ memberId: 'a', topics: ['t'], owned: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] },
 *    { memberId: 'b', topics: ['t'], owned: [] }],
 *   new Map([['t', 2]]),
 * ); // a keeps t-0; t-1 is withheld this round (a still owns it); the next round gives it to b
 */
export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = 'cooperative-sticky' as const;
  readonly cooperative = true;

  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Assignment {
    return withholdMoving(members, stickyAssign(members, partitionsPerTopic));
  }
}

/**
 * The balanced target assignment that moves as few owned partitions as possible.
 *
 * Keeps every owned partition that still exists and is still subscribed (a partition claimed by two
 * members — which the coordinator never allows — goes to the first), gives each free partition to the
 * least-loaded eligible member, then moves partitions one at a time from the most-loaded member to an
 * eligible member holding at least two fewer. With identical subscriptions this ends balanced within one,
 * and every move is forced: a member only loses partitions while it holds two more than someone else.
 */
export function stickyAssign(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Assignment {
  const result = emptyAssignment(members);
  const ids = members.map((m) => m.memberId).sort();
  const subscribed = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const all = partitionsOf(
    members.flatMap((m) => m.topics),
    partitionsPerTopic,
  );
  const exists = new Set(all.map((tp) => tpKey(tp.topic, tp.partition)));
  const taken = new Set<string>();

  for (const id of ids) {
    const member = members.find((m) => m.memberId === id)!;
    for (const tp of [...member.owned].sort(compareTp)) {
      const key = tpKey(tp.topic, tp.partition);
      if (!exists.has(key) || taken.has(key) || !subscribed.get(id)!.has(tp.topic)) continue;
      taken.add(key);
      result.get(id)!.push({ topic: tp.topic, partition: tp.partition });
    }
  }

  const leastLoaded = (topic: string, except?: string): string | undefined => {
    let best: string | undefined;
    for (const id of ids) {
      if (id === except || !subscribed.get(id)!.has(topic)) continue;
      if (best === undefined || result.get(id)!.length < result.get(best)!.length) best = id;
    }
    return best;
  };

  for (const tp of all) {
    if (taken.has(tpKey(tp.topic, tp.partition))) continue;
    result.get(leastLoaded(tp.topic)!)!.push(tp);
  }

  // Termination: each move lowers the sum of squared counts.
  for (let moved = true; moved; ) {
    moved = false;
    const byLoad = [...ids].sort((a, b) => result.get(b)!.length - result.get(a)!.length || (a < b ? -1 : 1));
    search: for (const source of byLoad) {
      const list = result.get(source)!;
      list.sort(compareTp);
      for (let i = list.length - 1; i >= 0; i--) {
        const tp = list[i]!;
        const target = leastLoaded(tp.topic, source);
        if (target !== undefined && result.get(target)!.length <= list.length - 2) {
          list.splice(i, 1);
          result.get(target)!.push(tp);
          moved = true;
          break search;
        }
      }
    }
  }
  for (const list of result.values()) list.sort(compareTp);
  return result;
}

/** Drops from `target` every partition that another member of this round still owns (step 2 above). */
export function withholdMoving(members: readonly MemberSubscription[], target: Assignment): Assignment {
  const owner = new Map<string, string>();
  for (const m of members) {
    for (const tp of m.owned) {
      const key = tpKey(tp.topic, tp.partition);
      if (!owner.has(key)) owner.set(key, m.memberId);
    }
  }
  const out: Assignment = new Map();
  for (const [id, list] of target) {
    out.set(
      id,
      list.filter((tp: TopicPartition) => {
        const o = owner.get(tpKey(tp.topic, tp.partition));
        return o === undefined || o === id;
      }),
    );
  }
  return out;
}
