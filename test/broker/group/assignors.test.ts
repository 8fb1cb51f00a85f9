import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Assignment, type MemberSubscription, tpKey } from '../../../src/broker/group/assignor.js';
import { CooperativeStickyAssignor, stickyAssign } from '../../../src/broker/group/cooperative-sticky-assignor.js';
import { RangeAssignor } from '../../../src/broker/group/range-assignor.js';
import { RoundRobinAssignor } from '../../../src/broker/group/round-robin-assignor.js';
import type { TopicPartition } from '../../../src/core/record.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const member = (memberId: string, topics: string[], owned: TopicPartition[] = []): MemberSubscription => ({ memberId, topics, owned });
const names = (a: Assignment, id: string) => a.get(id)!.map((x) => `${x.topic}-${x.partition}`);

/** Every partition of the subscribed topics assigned exactly once, to a member subscribed to its topic. */
function expectExactlyOnce(members: MemberSubscription[], counts: Map<string, number>, a: Assignment): void {
  const seen = new Map<string, string>();
  for (const [id, list] of a) {
    const m = members.find((x) => x.memberId === id)!;
    for (const p of list) {
      expect(m.topics).toContain(p.topic);
      expect(seen.has(tpKey(p.topic, p.partition))).toBe(false);
      seen.set(tpKey(p.topic, p.partition), id);
    }
  }
  const subscribed = new Set(members.flatMap((m) => m.topics));
  let total = 0;
  for (const [t, n] of counts) if (subscribed.has(t)) total += n;
  expect(seen.size).toBe(total);
}

function spread(a: Assignment): number {
  const sizes = [...a.values()].map((l) => l.length);
  return sizes.length === 0 ? 0 : Math.max(...sizes) - Math.min(...sizes);
}

/** Members with identical subscriptions over 1–3 topics. */
const sameSubscription = fc
  .record({
    members: fc.integer({ min: 1, max: 7 }),
    counts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ members, counts }) => {
    const topics = counts.map((_, i) => `t${i}`);
    return {
      members: Array.from({ length: members }, (_, i) => member(`m${i}`, topics)),
      counts: new Map(counts.map((n, i) => [`t${i}`, n])),
    };
  });

describe('broker > group > RangeAssignor', () => {
  it('gives contiguous ranges, the first members one extra', () => {
    const a = new RangeAssignor().assign([member('b', ['t']), member('a', ['t']), member('c', ['t'])], new Map([['t', 7]]));
    expect(names(a, 'a')).toEqual(['t-0', 't-1', 't-2']);
    expect(names(a, 'b')).toEqual(['t-3', 't-4']);
    expect(names(a, 'c')).toEqual(['t-5', 't-6']);
  });

  it('co-partitions: partition N of every topic goes to the same member', () => {
    const a = new RangeAssignor().assign([member('a', ['x', 'y']), member('b', ['x', 'y'])], new Map([['x', 4], ['y', 4]]));
    expect(names(a, 'a')).toEqual(['x-0', 'x-1', 'y-0', 'y-1']);
    expect(names(a, 'b')).toEqual(['x-2', 'x-3', 'y-2', 'y-3']);
  });

  it('property: every partition exactly once, balanced within one per topic', () => {
    fc.assert(
      fc.property(sameSubscription, ({ members, counts }) => {
        const a = new RangeAssignor().assign(members, counts);
        expectExactlyOnce(members, counts, a);
        for (const t of counts.keys()) {
          const perTopic = new Map([...a].map(([id, l]) => [id, l.filter((p) => p.topic === t)]));
          expect(spread(perTopic)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe('broker > group > RoundRobinAssignor', () => {
  it('deals partitions in turn and skips members not subscribed to a topic', () => {
    const a = new RoundRobinAssignor().assign([member('a', ['x', 'y']), member('b', ['y'])], new Map([['x', 2], ['y', 3]]));
    expect(names(a, 'a')).toEqual(['x-0', 'x-1', 'y-1']);
    expect(names(a, 'b')).toEqual(['y-0', 'y-2']);
  });

  it('property: every partition exactly once, balanced within one overall', () => {
    fc.assert(
      fc.property(sameSubscription, ({ members, counts }) => {
        const a = new RoundRobinAssignor().assign(members, counts);
        expectExactlyOnce(members, counts, a);
        expect(spread(a)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('broker > group > CooperativeStickyAssignor', () => {
  it('keeps owned partitions and withholds the one that must move while its owner still holds it', () => {
    const members = [member('a', ['t'], [tp('t', 0), tp('t', 1), tp('t', 2), tp('t', 3)]), member('b', ['t'])];
    const target = stickyAssign(members, new Map([['t', 4]]));
    expect(names(target, 'a')).toEqual(['t-0', 't-1']);
    expect(names(target, 'b')).toEqual(['t-2', 't-3']);
    const round1 = new CooperativeStickyAssignor().assign(members, new Map([['t', 4]]));
    expect(names(round1, 'a')).toEqual(['t-0', 't-1']);
    expect(names(round1, 'b')).toEqual([]); // a still owns t-2 and t-3
    // a revokes t-2, t-3 and rejoins: round 2 hands them to b
    const round2 = new CooperativeStickyAssignor().assign(
      [member('a', ['t'], [tp('t', 0), tp('t', 1)]), member('b', ['t'])],
      new Map([['t', 4]]),
    );
    expect(names(round2, 'a')).toEqual(['t-0', 't-1']);
    expect(names(round2, 'b')).toEqual(['t-2', 't-3']);
  });

  it('drops owned partitions of topics the member no longer subscribes to', () => {
    const a = stickyAssign([member('a', ['y'], [tp('x', 0)]), member('b', ['x'])], new Map([['x', 1], ['y', 1]]));
    expect(names(a, 'a')).toEqual(['y-0']);
    expect(names(a, 'b')).toEqual(['x-0']);
  });

  const withOwnership = sameSubscription.chain(({ members, counts }) => {
    const all = [...counts].flatMap(([t, n]) => Array.from({ length: n }, (_, p) => tp(t, p)));
    // Each partition owned by one member or by nobody (a member that left, or a new partition).
    return fc.array(fc.integer({ min: -1, max: members.length - 1 }), { minLength: all.length, maxLength: all.length }).map((owners) => ({
      counts,
      members: members.map((m, i) => member(m.memberId, [...m.topics], all.filter((_, k) => owners[k] === i))),
    }));
  });

  it('property: target is exactly once, balanced within one, and moves the minimum number of owned partitions', () => {
    fc.assert(
      fc.property(withOwnership, ({ members, counts }) => {
        const target = stickyAssign(members, counts);
        expectExactlyOnce(members, counts, target);
        expect(spread(target)).toBeLessThanOrEqual(1);
        // Minimum moves: with n partitions over m members, at most n % m members may hold ceil(n/m);
        // a member keeps min(owned, its quota), so the best possible keeps the largest such total.
        const n = [...counts.values()].reduce((x, y) => x + y, 0);
        const m = members.length;
        const floor = Math.floor(n / m);
        const owned = members.map((x) => x.owned.length).sort((x, y) => y - x);
        const bestKept = owned.reduce((sum, o, i) => sum + Math.min(o, i < n % m ? floor + 1 : floor), 0);
        let kept = 0;
        for (const x of members) {
          const mine = new Set(target.get(x.memberId)!.map((p) => tpKey(p.topic, p.partition)));
          kept += x.owned.filter((p) => mine.has(tpKey(p.topic, p.partition))).length;
        }
        expect(kept).toBe(bestKept);
      }),
    );
  });

  it('property: a round never gives a partition to a member other than its current owner', () => {
    fc.assert(
      fc.property(withOwnership, ({ members, counts }) => {
        const a = new CooperativeStickyAssignor().assign(members, counts);
        const owner = new Map(members.flatMap((m) => m.owned.map((p) => [tpKey(p.topic, p.partition), m.memberId] as const)));
        for (const [id, list] of a) {
          for (const p of list) expect([undefined, id]).toContain(owner.get(tpKey(p.topic, p.partition)));
        }
      }),
    );
  });

  it('property: with mixed subscriptions every partition still goes once to a subscriber', () => {
    const mixed = fc
      .record({
        subs: fc.array(fc.subarray(['a', 'b', 'c'], { minLength: 1 }), { minLength: 1, maxLength: 5 }),
        counts: fc.tuple(fc.nat(6), fc.nat(6), fc.nat(6)),
      })
      .map(({ subs, counts }) => ({
        members: subs.map((topics, i) => member(`m${i}`, topics)),
        counts: new Map([['a', counts[0]], ['b', counts[1]], ['c', counts[2]]]),
      }));
    fc.assert(
      fc.property(mixed, ({ members, counts }) => {
        const subscribed = new Set(members.flatMap((m) => m.topics));
        const relevant = new Map([...counts].filter(([t]) => subscribed.has(t)));
        expectExactlyOnce(members, relevant, stickyAssign(members, counts));
        expectExactlyOnce(members, relevant, new RoundRobinAssignor().assign(members, counts));
        expectExactlyOnce(members, relevant, new RangeAssignor().assign(members, counts));
      }),
    );
  });
});
