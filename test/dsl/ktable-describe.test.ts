import { describe, expect, expectTypeOf, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import type { KGroupedStream } from '../../dsl/kgrouped-stream.js';
import type { KGroupedTable } from '../../dsl/kgrouped-table.js';
import { KeyValue } from '../../dsl/key-value.js';
import type { KStream } from '../../dsl/kstream.js';
import type { KTable } from '../../dsl/ktable.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';

const S = Serdes.string();

describe('dsl > KTable > names and types', () => {
  it("builder.table names nodes as Kafka: a store name is generated first, the source, then KTABLE-SOURCE; no store unless needed", () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, S)).toStream().to('out');
    expect(b.build().describe().toString()).toContain(
      [
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [in])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [])',
        '      --> KTABLE-TOSTREAM-0000000003',
      ].join('\n'),
    );
  });

  it('a named Materialized uses no counter value and makes the table queryable', () => {
    const b = new StreamsBuilder();
    const table = b.table('in', Consumed.with(S, S), Materialized.as('users'));
    expect(table.queryableStoreName).toBe('users');
    expect(b.build().describe().toString()).toContain('Processor: KTABLE-SOURCE-0000000001 (stores: [users])');
  });

  it('groupBy forces the source to materialize under its generated store name, and names select, repartition and aggregate like Kafka', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, S)).groupBy((k, v) => KeyValue.pair(v, k), Grouped.with(S, S)).count();
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KTABLE-SOURCE-0000000002 (stores: [in-STATE-STORE-0000000000])');
    expect(text).toContain('Processor: KTABLE-SELECT-0000000003 (stores: [])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])');
    expect(text).toContain('Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])');
    expect(() => b.build({ ensureExplicitInternalNaming: true })).toThrow(/state store "in-STATE-STORE-0000000000"/);
  });

  it('types: grouping and aggregating change only what they should', () => {
    const b = new StreamsBuilder();
    const stream = b.stream('in', Consumed.with(S, Serdes.int32()));
    expectTypeOf(stream.groupByKey()).toEqualTypeOf<KGroupedStream<string, number>>();
    expectTypeOf(stream.groupBy((_k, v) => v > 0)).toEqualTypeOf<KGroupedStream<boolean, number>>();
    expectTypeOf(stream.groupByKey().count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(stream.groupByKey().aggregate(() => [] as number[], (_k, v, agg) => [...agg, v])).toEqualTypeOf<KTable<string, number[]>>();
    const table = stream.toTable();
    expectTypeOf(table.mapValues((v) => String(v))).toEqualTypeOf<KTable<string, string>>();
    expectTypeOf(table.toStream()).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(table.groupBy((k, v) => KeyValue.pair(v, k))).toEqualTypeOf<KGroupedTable<number, string>>();
  });
});
