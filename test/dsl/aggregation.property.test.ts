import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { KeyValue } from '../../dsl/key-value.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const L = Serdes.long();

/** Stream records with duplicate keys, null keys and null values. */
const streamRecords = fc.array(
  fc.record({
    key: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null, freq: 6 }),
    value: fc.option(fc.integer({ min: -20, max: 20 }), { nil: null, freq: 6 }),
    ts: fc.integer({ min: 0, max: 1000 }),
  }),
  { maxLength: 40 },
);

interface Row {
  readonly group: string;
  readonly amount: number;
}
/** Table updates: a few row keys (and null), rows or tombstones. */
const tableUpdates = fc.array(
  fc.record({
    key: fc.option(fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'), { nil: null, freq: 8 }),
    row: fc.option(fc.record({ group: fc.constantFrom('g0', 'g1', 'g2'), amount: fc.integer({ min: -9, max: 9 }) }), { nil: null, freq: 4 }),
    ts: fc.integer({ min: 0, max: 1000 }),
  }),
  { maxLength: 40 },
);

type Emitted = [string, number, number][];

describe('dsl > aggregations (property)', () => {
  for (const keyChanging of [false, true]) {
    it(`property: stream count and reduce equal a Map model, update by update (${keyChanging ? 'groupBy, repartitioned' : 'groupByKey'})`, () => {
      fc.assert(
        fc.property(streamRecords, (records) => {
          const b = new StreamsBuilder();
          const stream = b.stream('in', Consumed.with(S, I));
          const grouped = keyChanging
            ? stream.groupBy((k, v) => (v === null ? k : `${k ?? 'none'}-${Math.abs(v) % 2}`), Grouped.with(S, I))
            : stream.groupByKey();
          grouped.count(Materialized.as<string, number>('count').withCachingDisabled()).toStream().to('count', Produced.with(S, L));
          grouped.reduce((a, v) => a + v, Materialized.as<string, number>('sum').withCachingDisabled()).toStream().to('sum', Produced.with(S, I));
          const driver = new TopologyTestDriver(b.build(), {}, 0);
          const input = driver.createInputTopic('in', S, I);
          const counts = new Map<string, [number, number]>();
          const sums = new Map<string, [number, number]>();
          const expectCounts: Emitted = [];
          const expectSums: Emitted = [];
          let dropped = 0;
          for (const { key, value, ts } of records) {
            input.pipeInput(key as string, value as number, ts);
            const k = keyChanging ? (value === null ? key : `${key ?? 'none'}-${Math.abs(value) % 2}`) : key;
            if (k === null || value === null) {
              // Null keys before a repartition are filtered out by the repartition, not counted.
              if (!keyChanging || k !== null) dropped += 2;
              continue;
            }
            const [c, cts] = counts.get(k) ?? [0, -1];
            counts.set(k, [c + 1, Math.max(cts, ts)]);
            expectCounts.push([k, c + 1, Math.max(cts, ts)]);
            const prev = sums.get(k);
            const sum: [number, number] = prev === undefined ? [value, ts] : [prev[0] + value, Math.max(prev[1], ts)];
            sums.set(k, sum);
            expectSums.push([k, sum[0], sum[1]]);
          }
          const read = (topic: string, serde: typeof L) =>
            driver.createOutputTopic(topic, S, serde).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
          expect(read('count', L)).toEqual(expectCounts);
          expect(read('sum', I)).toEqual(expectSums);
          const store = driver.getKeyValueStore<string, number>('count');
          for (const [k, [c]] of counts) expect(store.get(k)).toBe(c);
          expect(store.approximateNumEntries()).toBe(counts.size);
          expect(driver.metrics()['dropped-records-total']).toBe(dropped);
          driver.close();
        }),
        { numRuns: 60 },
      );
    });
  }

  it('property: table groupBy aggregate (adder/subtractor) and count equal the model recomputed from the latest rows', () => {
    fc.assert(
      fc.property(tableUpdates, (updates) => {
        const b = new StreamsBuilder();
        const table = b.table('rows', Consumed.with(S, Serdes.json<Row>()));
        table
          .groupBy((_k, row) => KeyValue.pair(row.group, row.amount), Grouped.with(S, I))
          .aggregate(() => 0, (_g, v, agg) => agg + v, (_g, v, agg) => agg - v, Materialized.as<string, number>('sums').withValueSerde(I).withCachingDisabled());
        table.groupBy((_k, row) => KeyValue.pair(row.group, row), Grouped.with(S, Serdes.json<Row>())).count(Materialized.as('counts'));
        const driver = new TopologyTestDriver(b.build(), {}, 0);
        const input = driver.createInputTopic('rows', S, Serdes.json<Row>());
        const latest = new Map<string, Row>();
        const groupsSeen = new Set<string>();
        const sums = driver.getKeyValueStore<string, number>('sums');
        const counts = driver.getKeyValueStore<string, number>('counts');
        for (const { key, row, ts } of updates) {
          input.pipeInput(key as string, row as Row, ts);
          if (key === null) continue;
          if (row === null) latest.delete(key);
          else {
            latest.set(key, row);
            groupsSeen.add(row.group);
          }
          for (const g of groupsSeen) {
            const rows = [...latest.values()].filter((r) => r.group === g);
            expect(sums.get(g)).toBe(rows.reduce((s, r) => s + r.amount, 0));
            expect(counts.get(g)).toBe(rows.length);
          }
          expect(sums.approximateNumEntries()).toBe(groupsSeen.size);
        }
        driver.close();
      }),
      { numRuns: 60 },
    );
  });

  it('property: a source table, a filtered table and a mapped table hold exactly the model rows; the last update per key matches', () => {
    fc.assert(
      fc.property(tableUpdates, (updates) => {
        const b = new StreamsBuilder();
        const table = b.table('rows', Consumed.with(S, Serdes.json<Row>()), Materialized.as('all'));
        const positive = table.filter((_k, r) => r.amount > 0, Materialized.as('positive'));
        positive.toStream().to('positive-out', Produced.with(S, Serdes.json<Row>()));
        table.mapValues((r) => r.amount * 2, Materialized.as<string, number>('doubled').withValueSerde(I));
        const driver = new TopologyTestDriver(b.build(), {}, 0);
        const input = driver.createInputTopic('rows', S, Serdes.json<Row>());
        const latest = new Map<string, Row>();
        for (const { key, row, ts } of updates) {
          input.pipeInput(key as string, row as Row, ts);
          if (key === null) continue;
          if (row === null) latest.delete(key);
          else latest.set(key, row);
        }
        const sorted = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b2]) => (a < b2 ? -1 : 1)).map(([key, value]) => ({ key, value }));
        expect(driver.getKeyValueStore('all').all()).toEqual(sorted(latest));
        const pos = new Map([...latest].filter(([, r]) => r.amount > 0));
        expect(driver.getKeyValueStore('positive').all()).toEqual(sorted(pos));
        expect(driver.getKeyValueStore('doubled').all()).toEqual(sorted(new Map([...latest].map(([k, r]) => [k, r.amount * 2]))));
        const last = driver.createOutputTopic('positive-out', S, Serdes.json<Row>()).readKeyValuesToMap();
        for (const [k, v] of last) expect(v).toEqual(pos.get(k) ?? null);
        for (const k of pos.keys()) expect(last.has(k)).toBe(true);
        driver.close();
      }),
      { numRuns: 60 },
    );
  });
});
