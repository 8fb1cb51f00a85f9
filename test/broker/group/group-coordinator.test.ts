import { describe, expect, it } from 'vitest';
import type { JoinRequest } from '../../../src/broker/group/consumer-group.js';
import { GroupCoordinator } from '../../../src/broker/group/group-coordinator.js';
import { OFFSETS_TOPIC } from '../../../src/broker/group/offsets-codec.js';
import { ManualClock } from '../../../src/core/clock.js';
import {
  CommitFailedError,
  GroupIdNotFoundError,
  IllegalGenerationError,
  NoOffsetForPartitionError,
  NonEmptyGroupError,
  UnknownMemberIdError,
} from '../../../src/core/errors.js';
import { FakeBrokerCore } from './fake-broker-core.js';

function setup(fsync: 'never' | 'commit' = 'never') {
  const clock = new ManualClock(1_000_000);
  const core = new FakeBrokerCore({ clock, fsync });
  core.createTopic('t', 4);
  const gc = new GroupCoordinator(core);
  gc.load();
  return { clock, core, gc };
}

const req = (memberId: string | null, over: Partial<JoinRequest> = {}): JoinRequest => ({
  memberId,
  clientId: 'c',
  topics: ['t'],
  owned: [],
  strategy: 'range',
  sessionTimeoutMs: 1000,
  rebalanceTimeoutMs: 5000,
  ...over,
});

describe('broker > group > GroupCoordinator', () => {
  it('a single member joins, takes the whole topic, and the group is Stable', () => {
    const { gc } = setup();
    const a = gc.join('g', req(null));
    expect(gc.describeGroup('g').state).toBe('CompletingRebalance');
    expect(gc.heartbeat('g', a)).toBe('sync');
    const s = gc.sync('g', a);
    expect(s.generation).toBe(1);
    expect(s.assignment.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(gc.heartbeat('g', a)).toBe('stable');
    const d = gc.describeGroup('g');
    expect(d.state).toBe('Stable');
    expect(d.members).toHaveLength(1);
    expect(d.members[0]!.assignment).toHaveLength(4);
    gc.close();
  });

  it('a second join moves the group to PreparingRebalance until every member rejoined', () => {
    const { gc } = setup();
    const a = gc.join('g', req(null));
    gc.sync('g', a);
    const b = gc.join('g', req(null));
    expect(gc.describeGroup('g').state).toBe('PreparingRebalance');
    expect(gc.heartbeat('g', b)).toBe('waiting');
    expect(gc.heartbeat('g', a)).toBe('rejoin');
    gc.join('g', req(a));
    expect(gc.describeGroup('g').state).toBe('CompletingRebalance');
    const sa = gc.sync('g', a);
    expect(gc.describeGroup('g').state).toBe('CompletingRebalance');
    const sb = gc.sync('g', b);
    expect(gc.describeGroup('g').state).toBe('Stable');
    expect(sa.generation).toBe(2);
    expect(sa.assignment.length + sb.assignment.length).toBe(4);
    expect(sa.assignment.length).toBe(2);
    gc.close();
  });

  it('evicts a member whose heartbeats stop after sessionTimeoutMs and gives its partitions to the others', () => {
    const { gc, clock } = setup();
    const a = gc.join('g', req(null));
    const b = gc.join('g', req(null));
    gc.join('g', req(a));
    gc.sync('g', a);
    gc.sync('g', b);
    clock.advance(600);
    expect(gc.heartbeat('g', a)).toBe('stable');
    clock.advance(600); // b silent for 1200 ms > 1000
    expect(gc.heartbeat('g', a)).toBe('rejoin');
    expect(gc.heartbeat('g', b)).toBe('unknown');
    gc.join('g', req(a));
    expect(gc.sync('g', a).assignment).toHaveLength(4);
    expect(gc.describeGroup('g').members.map((m) => m.memberId)).toEqual([a]);
    gc.close();
  });

  it('removes members that do not rejoin within the rebalance timeout', () => {
    const { gc, clock } = setup();
    const a = gc.join('g', req(null, { rebalanceTimeoutMs: 2000 }));
    gc.sync('g', a);
    const b = gc.join('g', req(null, { rebalanceTimeoutMs: 2000 }));
    // a keeps heartbeating (its session stays alive) but never rejoins: a stuck poll loop
    for (let i = 0; i < 4; i++) {
      clock.advance(500);
      expect(gc.heartbeat('g', b)).toBe('waiting');
      expect(gc.heartbeat('g', a)).toBe('rejoin');
    }
    clock.advance(1);
    expect(gc.heartbeat('g', a)).toBe('unknown');
    expect(gc.heartbeat('g', b)).toBe('sync');
    expect(gc.sync('g', b).assignment).toHaveLength(4);
    gc.close();
  });

  it('the last member leaving makes the group Empty; a group with offsets is still listed', async () => {
    const { gc } = setup();
    const a = gc.join('g', req(null));
    const { generation } = gc.sync('g', a);
    await gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 0 }], { memberId: a, generation });
    gc.leave('g', a);
    expect(gc.describeGroup('g').state).toBe('Empty');
    expect(gc.listGroups()).toEqual(['g']);
    gc.close();
  });

  it('refuses commits from a stale generation, an evicted member, or an outsider into a live group', async () => {
    const { gc, core } = setup();
    core.produce('t', 0, ['a', 'b', 'c']);
    const a = gc.join('g', req(null));
    const g1 = gc.sync('g', a).generation;
    const b = gc.join('g', req(null));
    gc.join('g', req(a));
    gc.sync('g', a);
    gc.sync('g', b);
    const stale = () => gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 2 }], { memberId: a, generation: g1 });
    expect(stale).toThrow(CommitFailedError);
    try {
      stale();
    } catch (err) {
      expect((err as Error).message).toMatch(/t-0@2.*group "g".*re-delivered/);
      expect((err as Error).cause).toBeInstanceOf(IllegalGenerationError);
    }
    gc.leave('g', b);
    expect(() => gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 2 }], { memberId: b, generation: g1 + 1 })).toThrow(
      CommitFailedError,
    );
    expect(() => gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 2 }], null)).toThrow(/active member/);
    expect(gc.committed('g', 't', 0)).toBeUndefined();
    gc.leave('g', a);
    await gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 2 }], null); // empty group: generation -1 is fine
    expect(gc.committed('g', 't', 0)).toBe(2);
    gc.close();
  });

  it('rejects a join with an unknown member id', () => {
    const { gc } = setup();
    expect(() => gc.join('g', req('ghost'))).toThrow(UnknownMemberIdError);
    gc.close();
  });

  it('stores offsets in __consumer_offsets and a new coordinator rebuilds them (tombstones included)', async () => {
    const { gc, core } = setup('commit');
    core.produce('t', 1, ['x', 'y', 'z']);
    await gc.commitOffsets('g1', [{ topic: 't', partition: 1, offset: 3 }], null);
    await gc.commitOffsets('g1', [{ topic: 't', partition: 2, offset: 0 }], null);
    await gc.commitOffsets('g2', [{ topic: 't', partition: 1, offset: 1 }], null);
    expect(core.syncCalls).toBe(3);
    await gc.deleteGroups(['g2']);
    expect(core.getLog(OFFSETS_TOPIC, 0).logEndOffset).toBe(4);
    gc.close();

    const again = new GroupCoordinator(core);
    again.load();
    expect(again.listGroups()).toEqual(['g1']);
    expect(again.committed('g1', 't', 1)).toBe(3);
    expect(again.committed('g2', 't', 1)).toBeUndefined();
    const d = again.describeGroup('g1');
    expect(d.state).toBe('Empty');
    expect(d.offsets).toEqual([
      { topic: 't', partition: 1, committed: 3, lag: 0 },
      { topic: 't', partition: 2, committed: 0, lag: 0 },
    ]);
    expect(() => again.describeGroup('g2')).toThrow(GroupIdNotFoundError);
    again.close();
  });

  it('describeGroup reports lag = high watermark - committed', async () => {
    const { gc, core } = setup();
    core.produce('t', 0, ['1', '2', '3', '4', '5']);
    await gc.commitOffsets('g', [{ topic: 't', partition: 0, offset: 2 }], null);
    expect(gc.describeGroup('g').offsets).toEqual([{ topic: 't', partition: 0, committed: 2, lag: 3 }]);
    gc.close();
  });

  it('resetOffsets: earliest, latest, clamped offset, clamped shiftBy, timestamp', async () => {
    const { gc, core, clock } = setup();
    for (let p = 0; p < 4; p++) core.produce('t', p, ['a', 'b', 'c', 'd'], 100 * (p + 1));
    core.produce('t', 0, ['e'], 1000);
    core.getLog('t', 1).deleteRecordsBefore(2);
    const committed = () => [0, 1, 2, 3].map((p) => gc.committed('g', 't', p));
    await gc.resetOffsets('g', 't', { earliest: true });
    expect(committed()).toEqual([0, 2, 0, 0]);
    await gc.resetOffsets('g', 't', { latest: true });
    expect(committed()).toEqual([5, 4, 4, 4]);
    await gc.resetOffsets('g', 't', { offset: 1 });
    expect(committed()).toEqual([1, 2, 1, 1]);
    await gc.resetOffsets('g', 't', { shiftBy: 10 });
    expect(committed()).toEqual([5, 4, 4, 4]);
    await gc.resetOffsets('g', 't', { shiftBy: -3 });
    expect(committed()).toEqual([2, 2, 1, 1]);
    await gc.resetOffsets('g', 't', { timestamp: 250 });
    expect(committed()).toEqual([4, 4, 0, 0]);
    await expect(gc.resetOffsets('fresh', 't', { shiftBy: 1 })).rejects.toThrow(NoOffsetForPartitionError);
    void clock;
    gc.close();
  });

  it('refuses to reset or delete a group with active members', async () => {
    const { gc } = setup();
    gc.join('g', req(null));
    await expect(gc.resetOffsets('g', 't', { earliest: true })).rejects.toThrow(NonEmptyGroupError);
    await expect(gc.deleteGroups(['g'])).rejects.toThrow(/group "g" has 1 active member/);
    await expect(gc.deleteGroups(['nope'])).rejects.toThrow(GroupIdNotFoundError);
    gc.close();
  });

  it('cooperative-sticky: a joiner gets moved partitions only after their owner revoked them', () => {
    const { gc } = setup();
    const coop = { strategy: 'cooperative-sticky' as const };
    const a = gc.join('g', req(null, coop));
    const aOwned = gc.sync('g', a).assignment;
    expect(aOwned).toHaveLength(4);
    const b = gc.join('g', req(null, coop));
    gc.join('g', req(a, { ...coop, owned: aOwned }));
    const round1a = gc.sync('g', a).assignment;
    const round1b = gc.sync('g', b).assignment;
    expect(round1a.map((p) => p.partition)).toEqual([0, 1]);
    expect(round1b).toEqual([]); // a still owns 2 and 3
    gc.join('g', req(a, { ...coop, owned: round1a })); // a revoked 2, 3 and rejoins
    expect(gc.heartbeat('g', b)).toBe('rejoin');
    gc.join('g', req(b, coop));
    expect(gc.sync('g', a).assignment.map((p) => p.partition)).toEqual([0, 1]);
    expect(gc.sync('g', b).assignment.map((p) => p.partition)).toEqual([2, 3]);
    expect(gc.describeGroup('g').state).toBe('Stable');
    gc.close();
  });

  it('a member asking for a different strategy than the group uses is refused', () => {
    const { gc } = setup();
    gc.join('g', req(null));
    expect(() => gc.join('g', req(null, { strategy: 'roundrobin' }))).toThrow(/"range".*"roundrobin"/);
    gc.close();
  });

  it('a topic growing partitions triggers a rebalance (sweep)', async () => {
    const clock = new ManualClock(0);
    const core = new FakeBrokerCore({ clock });
    core.createTopic('t', 1);
    const gc = new GroupCoordinator(core);
    gc.load();
    const a = gc.join('g', req(null, { sessionTimeoutMs: 40, rebalanceTimeoutMs: 40 }));
    expect(gc.sync('g', a).assignment).toHaveLength(1);
    core.createTopic('t', 3);
    await new Promise((r) => setTimeout(r, 40));
    expect(gc.heartbeat('g', a)).toBe('rejoin');
    gc.join('g', req(a, { sessionTimeoutMs: 40, rebalanceTimeoutMs: 40 }));
    expect(gc.sync('g', a).assignment).toHaveLength(3);
    gc.close();
  });
});
