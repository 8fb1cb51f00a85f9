import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Grouped } from '../../../dsl/grouped.js';
import { KeyValue } from '../../../dsl/key-value.js';
import { Materialized } from '../../../dsl/materialized.js';
import { Named } from '../../../dsl/named.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
type Kind = 'join' | 'leftJoin' | 'outerJoin';
type In = readonly ['L' | 'R', string | null, string | null, number];
const joiner = (l: string | null, r: string | null) => `[${l}, ${r}]`;

function build(kind: Kind, named?: Named) {
  const b = new StreamsBuilder();
  const left = b.table('left', Consumed.with(S, S));
  const right = b.table('right', Consumed.with(S, S));
  const call = left[kind] as (o: typeof right, j: typeof joiner, n?: Named, m?: Materialized<string, string>) => typeof left;
  call.call(left, right, joiner, named, Materialized.as<string, string>('joined').withValueSerde(S).withCachingDisabled()).toStream().to('out', Produced.with(S, S));
  return b;
}

function run(kind: Kind, inputs: readonly In[]) {
  const driver = new TopologyTestDriver(build(kind).build(), { applicationId: 'app' }, 0);
  const topics = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
  const out = driver.createOutputTopic('out', S, S);
  const perInput = inputs.map(([side, k, v, ts]) => {
    topics[side].pipeInput(k as string, v as string, ts);
    return out.readRecordsToList().map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
  });
  return { driver, perInput };
}

// Kafka's developer guide, "Semantics of table-table equi-joins" (one key, timestamp order).
const GUIDE: In[] = [
  ['L', 'k', null, 1], ['R', 'k', null, 2], ['L', 'k', 'A', 3], ['R', 'k', 'a', 4], ['L', 'k', 'B', 5], ['R', 'k', 'b', 6],
  ['L', 'k', null, 7], ['R', 'k', null, 8], ['L', 'k', 'C', 9], ['R', 'k', 'c', 10], ['R', 'k', null, 11], ['L', 'k', null, 12],
  ['R', 'k', null, 13], ['R', 'k', 'd', 14], ['L', 'k', 'D', 15],
];
const rows = (r: Record<number, string | null>) => GUIDE.map((_, i) => (i + 1 in r ? [r[i + 1] ?? null] : []));

describe('dsl > KTable table–table joins', () => {
  it("reproduces the developer guide's table for join, leftJoin and outerJoin (tombstones as null)", () => {
    const values = (kind: Kind) => run(kind, GUIDE).perInput.map((o) => o.map((r) => r.value));
    expect(values('join')).toEqual(rows({ 4: '[A, a]', 5: '[B, a]', 6: '[B, b]', 7: null, 10: '[C, c]', 11: null, 15: '[D, d]' }));
    expect(values('leftJoin')).toEqual(rows({ 3: '[A, null]', 4: '[A, a]', 5: '[B, a]', 6: '[B, b]', 7: null, 9: '[C, null]', 10: '[C, c]', 11: '[C, null]', 12: null, 15: '[D, d]' }));
    expect(values('outerJoin')).toEqual(rows({
      3: '[A, null]', 4: '[A, a]', 5: '[B, a]', 6: '[B, b]', 7: '[null, b]', 8: null, 9: '[C, null]', 10: '[C, c]', 11: '[C, null]', 12: null, 14: '[null, d]', 15: '[D, d]',
    }));
  });

  it('stamps results with the max of both rows and keeps the result queryable', () => {
    const { driver, perInput } = run('join', [['R', 'k', 'late-ts', 50], ['L', 'k', 'A', 10]]);
    expect(perInput[1]).toEqual([{ key: 'k', value: '[A, late-ts]', timestamp: 50 }]);
    expect(driver.getKeyValueStore<string, string>('joined').get('k')).toBe('[A, late-ts]');
  });

  it("names nodes as Kafka (KTABLE-MERGE- first, then JOINTHIS/JOINOTHER; or <name>-join-this)", () => {
    const text = build('join').build().describe().toString();
    for (const s of ['Processor: KTABLE-JOINTHIS-0000000007 (stores: [right-STATE-STORE-0000000003])',
      'Processor: KTABLE-JOINOTHER-0000000008 (stores: [left-STATE-STORE-0000000000])', 'Processor: KTABLE-MERGE-0000000006 (stores: [joined])'])
      expect(text).toContain(s);
    const named = build('leftJoin', Named.as('j')).build().describe().toString();
    for (const s of ['Processor: j-join-this', 'Processor: j-join-other', 'Processor: j (stores: [joined])']) expect(named).toContain(s);
  });

  it('forwards old values to a downstream aggregation, so updates and deletes retract the old joined row', () => {
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S));
    const right = b.table('right', Consumed.with(S, S));
    left.join(right, (l, r) => `${l}${r}`)
      .groupBy((_k, v) => KeyValue.pair(v, v), Grouped.with(S, S))
      .count(Materialized.as<string, number>('counts').withCachingDisabled());
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const l = driver.createInputTopic('left', S, S);
    const r = driver.createInputTopic('right', S, S);
    l.pipeInput('a', 'x', 1); r.pipeInput('a', 'y', 2); l.pipeInput('b', 'x', 3); r.pipeInput('b', 'y', 4);
    const counts = driver.getKeyValueStore<string, number>('counts');
    expect(counts.get('xy')).toBe(2);
    l.pipeInput('a', 'z', 5); // xy -> zy
    r.pipeInput('b', null, 6); // xy deleted
    expect([counts.get('xy'), counts.get('zy')]).toEqual([0, 1]);
  });

  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`property: ${kind} — applying the emitted updates after every input gives the join of the current tables`, () => {
      const recs = keyedRecords(fc, {
        keys: fc.constantFrom<string | null>('a', 'b', null),
        values: fc.record({ left: fc.boolean(), v: fc.option(fc.constantFrom('1', '2'), { freq: 3 }) }),
        maxDisorderMs: 5,
        maxLength: 30,
      });
      fc.assert(
        fc.property(recs, (records) => {
          const driver = new TopologyTestDriver(build(kind).build(), {}, 0);
          const topics = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
          const out = driver.createOutputTopic('out', S, S);
          const l = new Map<string, string>();
          const r = new Map<string, string>();
          const applied = new Map<string, string>();
          for (const rec of records) {
            topics[rec.value.left ? 'L' : 'R'].pipeInput(rec.key as string, rec.value.v as string, rec.timestamp);
            const side = rec.value.left ? l : r;
            if (rec.key !== null) rec.value.v === null ? side.delete(rec.key) : side.set(rec.key, rec.value.v);
            for (const o of out.readRecordsToList()) o.value === null ? applied.delete(o.key!) : applied.set(o.key!, o.value);
            const expected = new Map<string, string>();
            for (const k of new Set([...l.keys(), ...r.keys()])) {
              const [lv, rv] = [l.get(k) ?? null, r.get(k) ?? null];
              if ((lv !== null && rv !== null) || (kind === 'leftJoin' && lv !== null) || kind === 'outerJoin') expected.set(k, joiner(lv, rv));
            }
            expect(new Map([...applied].sort())).toEqual(new Map([...expected].sort()));
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});
