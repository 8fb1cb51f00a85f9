import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { TributaryError } from '../../src/core/errors.js';
import { StreamsPartitionAssignor } from '../../src/runtime/streams-partition-assignor.js';
import { assignTasks, type ClientTaskState, type ClientTasks } from '../../src/runtime/task-assignor.js';
import { TopologyMetadata } from '../../src/runtime/topology-metadata.js';
import { Serdes } from '../../src/serdes/serdes.js';

const fresh = (id: string): ClientTaskState => ({ id, previousActive: new Set(), taskOffsets: new Map() });
const client = (id: string, active: string[], standby: Record<string, number> = {}): ClientTaskState => ({
  id,
  previousActive: new Set(active),
  taskOffsets: new Map(Object.entries(standby)),
});
const tasks = (n: number) => Array.from({ length: n }, (_, p) => `0_${p}`);
const plain = (m: Map<string, ClientTasks>) => Object.fromEntries([...m].map(([id, t]) => [id, { active: [...t.active].sort(), standby: [...t.standby].sort() }]));

/** The invariants every assignment keeps, whatever came before. */
function checkInvariants(result: Map<string, ClientTasks>, all: readonly string[], stateful: ReadonlySet<string>, replicas: number): void {
  const owners = new Map<string, string[]>();
  const standbyHolders = new Map<string, string[]>();
  for (const [id, t] of result) {
    for (const task of t.active) owners.set(task, [...(owners.get(task) ?? []), id]);
    for (const task of t.standby) standbyHolders.set(task, [...(standbyHolders.get(task) ?? []), id]);
    expect(new Set(t.standby).size).toBe(t.standby.length);
  }
  // Every task has exactly one active.
  for (const task of all) expect(owners.get(task)).toHaveLength(1);
  expect([...owners.keys()].sort()).toEqual([...all].sort());
  for (const task of all) {
    const holders = standbyHolders.get(task) ?? [];
    // A standby never sits with its active, and a task has as many standbys as instances allow.
    expect(holders).not.toContain(owners.get(task)![0]);
    expect(holders).toHaveLength(stateful.has(task) ? Math.min(replicas, result.size - 1) : 0);
  }
  // Actives are balanced within one.
  const loads = [...result.values()].map((t) => t.active.length);
  if (loads.length > 0) expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
}

describe('runtime > task assignment with standby replicas (assignTasks)', () => {
  it.each([
    {
      name: 'one instance runs everything and keeps no standby',
      clients: [fresh('a')],
      expected: { a: { active: ['0_0', '0_1', '0_2'], standby: [] } },
    },
    {
      name: 'two fresh instances split the tasks and each keeps the other\'s as standbys',
      clients: [fresh('b'), fresh('a')],
      expected: { a: { active: ['0_0', '0_2'], standby: ['0_1'] }, b: { active: ['0_1'], standby: ['0_0', '0_2'] } },
    },
    {
      name: 'actives stay where they ran (sticky), standbys stay warm',
      clients: [client('a', ['0_2'], { '0_0': 5, '0_1': 5 }), client('b', ['0_0', '0_1'], { '0_2': 9 })],
      expected: { a: { active: ['0_2'], standby: ['0_0', '0_1'] }, b: { active: ['0_0', '0_1'], standby: ['0_2'] } },
    },
    {
      name: 'the failed instance\'s task goes to the instance holding its standby, and a new standby is made on the free one',
      // a ran 0_0 and left; b ran 0_1 and kept 0_0's standby; c ran 0_2 and kept 0_1's.
      clients: [client('b', ['0_1'], { '0_0': 40 }), client('c', ['0_2'], { '0_1': 40 })],
      expected: { b: { active: ['0_0', '0_1'], standby: ['0_2'] }, c: { active: ['0_2'], standby: ['0_0', '0_1'] } },
    },
    {
      name: 'among standby holders the most caught-up one gets the task',
      clients: [client('a', []), client('b', [], { '0_0': 10 }), client('c', [], { '0_0': 30 })],
      // c (30) gets 0_0; 0_0's standby goes to the other warm holder, b.
      expected: { a: { active: ['0_1'], standby: ['0_2'] }, b: { active: ['0_2'], standby: ['0_0'] }, c: { active: ['0_0'], standby: ['0_1'] } },
    },
  ])('$name', ({ clients, expected }) => {
    const all = tasks(3);
    const s = new Set(all);
    const result = assignTasks(clients, all, s, 1);
    expect(plain(result)).toEqual(expected);
    checkInvariants(result, all, s, 1);
  });

  it('stateless tasks get no standby, and there are never more standbys than other instances', () => {
    const all = tasks(4);
    const result = assignTasks([fresh('a'), fresh('b')], all, new Set(['0_0', '0_1']), 3);
    checkInvariants(result, all, new Set(['0_0', '0_1']), 3);
    expect([...result.values()].flatMap((t) => t.standby).sort()).toEqual(['0_0', '0_1']);
  });

  it('property: over any sequence of joins and leaves, standbys never share an instance with their active, every task has one active, actives stay balanced and sticky', () => {
    const event = fc.oneof(fc.record({ join: fc.integer({ min: 0, max: 5 }) }), fc.record({ leave: fc.integer({ min: 0, max: 5 }) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.array(event, { minLength: 1, maxLength: 15 }),
        (taskCount, replicas, statefulFlags, events) => {
          const all = tasks(taskCount);
          const stateful = new Set(all.filter((_, i) => statefulFlags[i]));
          const present = new Set<string>(['c0']);
          let last = new Map<string, ClientTasks>();
          let offset = 0;
          for (const e of [{ join: 0 }, ...events]) {
            if ('join' in e) present.add(`c${e.join}`);
            else if (present.size > 1) present.delete(`c${e.leave}`);
            // What each present instance reports: its last actives, and its standbys' positions.
            const clients = [...present].map((id) => {
              const prev = last.get(id);
              return { id, previousActive: new Set(prev?.active ?? []), taskOffsets: new Map((prev?.standby ?? []).map((t) => [t, ++offset])) };
            });
            const result = assignTasks(clients, all, stateful, replicas);
            checkInvariants(result, all, stateful, replicas);
            // Sticky: an instance that ran no more than its fair share keeps every task it ran.
            const base = Math.floor(all.length / present.size);
            for (const c of clients) {
              if (c.previousActive.size <= base) for (const t of c.previousActive) expect(result.get(c.id)!.active).toContain(t);
            }
            last = result;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('runtime > StreamsPartitionAssignor', () => {
  const S = Serdes.string();
  /** Two sub-topologies: 0 reads 'words' (stateless, writes the repartition topic), 1 counts (stateful). */
  function meta() {
    const builder = new StreamsBuilder();
    builder.stream('words', Consumed.with(S, S)).groupBy((_k, v) => v, Grouped.with(S, S).withName('by-word')).count(Materialized.as<string, number>('counts'));
    return TopologyMetadata.of(builder.build(), 'app');
  }
  const logger = { warned: [] as string[], warn(m: string) { this.warned.push(m); } };

  it('gives each member the input partitions of its active tasks, and its task ids in the userData', () => {
    const m = meta();
    const repartition = m.subtopology(1)!.sourceTopics[0]!;
    const counts = new Map([['words', 2], [repartition, 2]]);
    const a = new StreamsPartitionAssignor(m, 1, () => new Map(), logger);
    const b = new StreamsPartitionAssignor(m, 1, () => new Map(), logger);
    const result = a.assign(
      [{ memberId: 'a', topics: m.allSourceTopics, userData: a.subscriptionUserData() }, { memberId: 'b', topics: m.allSourceTopics, userData: b.subscriptionUserData() }],
      counts,
    );
    a.onAssignment(result.get('a')!, 1);
    b.onAssignment(result.get('b')!, 1);
    const all = [...a.assignment.active, ...b.assignment.active].sort();
    expect(all).toEqual(['0_0', '0_1', '1_0', '1_1']);
    for (const [x, r] of [[a, result.get('a')!], [b, result.get('b')!]] as const) {
      const expected = x.assignment.active.map((t) => {
        const [sub, p] = t.split('_').map(Number) as [number, number];
        return { topic: m.subtopology(sub)!.sourceTopics[0]!, partition: p };
      });
      expect([...r.partitions].sort((p, q) => (p.topic + p.partition < q.topic + q.partition ? -1 : 1))).toEqual(
        expected.sort((p, q) => (p.topic + p.partition < q.topic + q.partition ? -1 : 1)),
      );
      // Only the stateful sub-topology (1) has standbys, and never beside its active.
      for (const t of x.assignment.standby) {
        expect(t.startsWith('1_')).toBe(true);
        expect(x.assignment.active).not.toContain(t);
      }
    }
    expect([...a.assignment.standby, ...b.assignment.standby].sort()).toEqual(['1_0', '1_1']);
  });

  it('reports its standby state at the next join, so the leader moves a failed task to it', () => {
    const m = meta();
    const repartition = m.subtopology(1)!.sourceTopics[0]!;
    const counts = new Map([['words', 1], [repartition, 1]]);
    const warm = new StreamsPartitionAssignor(m, 1, () => new Map([['1_0', 1234]]), logger);
    const cold = new StreamsPartitionAssignor(m, 1, () => new Map(), logger);
    // Two tasks (0_0 stateless, 1_0 stateful), two members: the warm one gets 1_0.
    const result = cold.assign(
      [{ memberId: 'a-cold', topics: [], userData: cold.subscriptionUserData() }, { memberId: 'b-warm', topics: [], userData: warm.subscriptionUserData() }],
      counts,
    );
    warm.onAssignment(result.get('b-warm')!, 3);
    expect(warm.assignment.active).toEqual(['1_0']);
  });

  it('a member whose userData cannot be read is assigned as a fresh instance, with a warning', () => {
    const m = meta();
    const a = new StreamsPartitionAssignor(m, 0, () => new Map(), logger);
    const result = a.assign([{ memberId: 'x', topics: [], userData: Buffer.from('not json') }], new Map([['words', 1]]));
    expect(result.get('x')!.partitions).toEqual([{ topic: 'words', partition: 0 }]);
    expect(logger.warned.some((w) => w.includes('member x'))).toBe(true);
  });

  it('an assignment it cannot read is a TributaryError naming the generation', () => {
    const a = new StreamsPartitionAssignor(meta(), 0, () => new Map(), logger);
    expect(() => a.onAssignment({ partitions: [], userData: Buffer.from('{"version":99}') }, 7)).toThrow(TributaryError);
    expect(() => a.onAssignment({ partitions: [], userData: null }, 7)).toThrow(/generation 7/);
  });
});
