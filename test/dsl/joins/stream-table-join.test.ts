import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Joined } from '../../../dsl/joined.js';
import { Materialized } from '../../../dsl/materialized.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { TopologyError } from '../../../src/core/errors.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
type In = readonly ['S' | 'T', string | null, string | null, number];

function build(left: boolean, joined?: Joined<string, string, string>) {
  const b = new StreamsBuilder();
  const stream = b.stream('stream', Consumed.with(S, S));
  const table = b.table('table', Consumed.with(S, S));
  const joiner = (v: string, t: string | null) => `[${v}, ${t}]`;
  (left ? stream.leftJoin(table, joiner, joined) : stream.join(table, joiner, joined)).to('out', Produced.with(S, S));
  return b;
}

function run(left: boolean, inputs: readonly In[]) {
  const driver = new TopologyTestDriver(build(left).build(), { applicationId: 'app' }, 0);
  const topics = { S: driver.createInputTopic('stream', S, S), T: driver.createInputTopic('table', S, S) };
  const out = driver.createOutputTopic('out', S, S);
  const perInput = inputs.map(([side, k, v, ts]) => {
    topics[side].pipeInput(k as string, v as string, ts);
    return out.readRecordsToList().map((r) => `${r.value}@${r.timestamp}`);
  });
  return { driver, perInput };
}

// Kafka's developer guide, "Semantics of stream-table joins" (one key, timestamp order).
const GUIDE: In[] = [
  ['S', 'k', null, 1], ['T', 'k', null, 2], ['S', 'k', 'A', 3], ['T', 'k', 'a', 4], ['S', 'k', 'B', 5], ['T', 'k', 'b', 6],
  ['S', 'k', null, 7], ['T', 'k', null, 8], ['S', 'k', 'C', 9], ['T', 'k', 'c', 10], ['T', 'k', null, 11], ['S', 'k', null, 12],
  ['T', 'k', null, 13], ['T', 'k', 'd', 14], ['S', 'k', 'D', 15],
];

describe('dsl > KStream stream–table joins', () => {
  it("reproduces the developer guide's table (inner and left); output timestamps are the stream record's", () => {
    const inner = run(false, GUIDE).perInput;
    const left = run(true, GUIDE).perInput;
    const at = (rows: Record<number, string>) => GUIDE.map((_, i) => (rows[i + 1] === undefined ? [] : [rows[i + 1]!]));
    expect(inner).toEqual(at({ 5: '[B, a]@5', 15: '[D, d]@15' }));
    expect(left).toEqual(at({ 3: '[A, null]@3', 5: '[B, a]@5', 9: '[C, null]@9', 15: '[D, d]@15' }));
  });

  it('drops null values (both) and null keys (inner) and counts them; a left join passes a null key with null (KIP-962)', () => {
    const inner = run(false, [['T', 'k', 'x', 1], ['S', null, 'A', 2], ['S', 'k', null, 3]]);
    expect(inner.perInput).toEqual([[], [], []]);
    expect(inner.driver.metrics()['dropped-records-total']).toBe(2);
    const left = run(true, [['S', null, 'A', 2], ['S', 'k', null, 3]]);
    expect(left.perInput).toEqual([['[A, null]@2'], []]);
    expect(left.driver.metrics()['dropped-records-total']).toBe(1);
  });

  it('materializes the source table and names the join node KSTREAM-JOIN- / the Joined name; repartitions a re-keyed stream', () => {
    const text = build(false).build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-JOIN-0000000004 (stores: [table-STATE-STORE-0000000001])');
    const b = new StreamsBuilder();
    const table = b.table('table', Consumed.with(S, S));
    b.stream('stream', Consumed.with(S, S)).selectKey((_k, v) => v).leftJoin(table, (v, t) => `${v}:${t}`, Joined.with(S, S, S).withName('enrich')).to('out', Produced.with(S, S));
    const d = b.build().describe().toString();
    expect(d).toContain('enrich-repartition');
    expect(d).toContain('Processor: enrich (stores: [table-STATE-STORE-0000000000])');
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('table', S, S).pipeInput('x', 'X', 1);
    driver.createInputTopic('stream', S, S).pipeInput('any', 'x', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'x', value: 'x:X' }]);
  });

  it('joins a materialized filter result; refuses a table that keeps no store', () => {
    const b = new StreamsBuilder();
    const t = b.table('table', Consumed.with(S, S));
    const s = b.stream('stream', Consumed.with(S, S));
    expect(() => s.join(t.filter((_k, v) => v !== 'no'), (v, r) => v + r)).toThrow(TopologyError);
    s.join(t.filter((_k, v) => v !== 'no', Materialized.as<string, string>('ok').withValueSerde(S)), (v, r) => v + r).to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const table = driver.createInputTopic('table', S, S);
    const stream = driver.createInputTopic('stream', S, S);
    table.pipeInput('a', 'yes', 1);
    table.pipeInput('b', 'no', 1);
    stream.pipeInput('a', 'A', 2);
    stream.pipeInput('b', 'B', 3);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['Ayes']);
  });

  for (const left of [false, true]) {
    it(`property: ${left ? 'leftJoin' : 'join'} equals a lookup of the latest table row per stream record (table updates never emit)`, () => {
      const recs = keyedRecords(fc, {
        keys: fc.constantFrom<string | null>('a', 'b', null),
        values: fc.record({ table: fc.boolean(), v: fc.option(fc.constantFrom('1', '2'), { freq: 4 }) }),
        maxDisorderMs: 5,
        maxLength: 40,
      });
      fc.assert(
        fc.property(recs, (records) => {
          const rows = new Map<string, string>();
          const expected: string[] = [];
          let dropped = 0;
          for (const r of records) {
            if (r.value.table) {
              if (r.key === null) dropped++;
              else if (r.value.v === null) rows.delete(r.key);
              else rows.set(r.key, r.value.v);
              continue;
            }
            if (r.value.v === null || (r.key === null && !left)) { dropped++; continue; }
            const row = r.key === null ? undefined : rows.get(r.key);
            if (row !== undefined || left) expected.push(`${r.key}:[${r.value.v}, ${row ?? null}]@${r.timestamp}`);
          }
          const driver = new TopologyTestDriver(build(left).build(), {}, 0);
          const topics = { S: driver.createInputTopic('stream', S, S), T: driver.createInputTopic('table', S, S) };
          for (const r of records) topics[r.value.table ? 'T' : 'S'].pipeInput(r.key as string, r.value.v as string, r.timestamp);
          const out = driver.createOutputTopic('out', S, S).readRecordsToList().map((o) => `${o.key}:${o.value}@${o.timestamp}`);
          expect(out).toEqual(expected);
          expect(driver.metrics()['dropped-records-total']).toBe(dropped);
        }),
        { numRuns: 100 },
      );
    });
  }
});
