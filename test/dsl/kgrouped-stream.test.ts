import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { Named } from '../../dsl/named.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { TopologyError } from '../../src/core/errors.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const L = Serdes.long();

/** Kafka's describe() of `stream('in').groupByKey().count().toStream().to('out')`. */
const COUNT_GOLDEN = `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [in])
      --> KSTREAM-AGGREGATE-0000000002
    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])
      --> KTABLE-TOSTREAM-0000000003
      <-- KSTREAM-SOURCE-0000000000
    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])
      --> KSTREAM-SINK-0000000004
      <-- KSTREAM-AGGREGATE-0000000002
    Sink: KSTREAM-SINK-0000000004 (topic: out)
      <-- KTABLE-TOSTREAM-0000000003
`;

describe('dsl > KGroupedStream', () => {
  it('golden describe() of a count topology', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupByKey().count().toStream().to('out', Produced.with(S, L));
    expect(b.build().describe().toString().trim()).toBe(COUNT_GOLDEN.trim());
  });

  it('groupBy inserts the repartition with Kafka names (store n, aggregate n+1, sink/filter/source after)', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupBy((_k, v) => v).count().toStream().to('out', Produced.with(S, L));
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KSTREAM-KEY-SELECT-0000000001');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)');
    expect(text).toContain('Processor: KSTREAM-FILTER-0000000005');
    expect(text).toContain('Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])');
    expect(text).toContain('Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])');
    expect(text).toContain('Processor: KTABLE-TOSTREAM-0000000007');
  });

  it('ensureExplicitInternalNaming lists generated stores, changelogs and repartition topics', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupBy((_k, v) => v).count();
    const build = () => b.build({ ensureExplicitInternalNaming: true });
    expect(build).toThrow(/state store "KSTREAM-AGGREGATE-STATE-STORE-0000000002"/);
    expect(build).toThrow(/changelog topic "KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog"/);
    expect(build).toThrow(/repartition topic "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition"/);
    const named = new StreamsBuilder();
    named.stream('in', Consumed.with(S, S)).groupBy((_k, v) => v, Grouped.as('by-v')).count(Materialized.as('counts'));
    expect(() => named.build({ ensureExplicitInternalNaming: true })).not.toThrow();
    const unlogged = new StreamsBuilder();
    unlogged.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.with(S, L).withLoggingDisabled());
    expect(() => unlogged.build({ ensureExplicitInternalNaming: true })).toThrow(TopologyError);
    expect(() => unlogged.build({ ensureExplicitInternalNaming: true })).not.toThrow(/changelog/);
  });

  it('count, reduce and aggregate: outputs, null keys and null values dropped and counted, timestamps = max of inputs', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', Consumed.with(S, I)).groupByKey();
    grouped.count(Named.as('count'), Materialized.as<string, number>('c').withCachingDisabled()).toStream().to('count-out', Produced.with(S, L));
    grouped.reduce((a, v) => a + v, Materialized.as<string, number>('r').withCachingDisabled()).toStream().to('reduce-out', Produced.with(S, I));
    grouped
      .aggregate(() => '', (k, v, agg) => `${agg}${k}${v}`, Materialized.as<string, string>('a').withValueSerde(S).withCachingDisabled())
      .toStream()
      .to('agg-out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('x', 1, 10);
    input.pipeInput(null as unknown as string, 2, 11);
    input.pipeInput('x', null as unknown as number, 12);
    input.pipeInput('x', 3, 5); // out of order: the result keeps timestamp 10
    input.pipeInput('y', 4, 20);
    const read = (topic: string, serde: typeof S | typeof I | typeof L) =>
      driver.createOutputTopic(topic, S, serde as typeof S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
    expect(read('count-out', L)).toEqual([['x', 1, 10], ['x', 2, 10], ['y', 1, 20]]);
    expect(read('reduce-out', I)).toEqual([['x', 1, 10], ['x', 4, 10], ['y', 4, 20]]);
    expect(read('agg-out', S)).toEqual([['x', 'x1', 10], ['x', 'x1x3', 10], ['y', 'y4', 20]]);
    // Three aggregations each dropped the null-key and the null-value record.
    expect(driver.metrics()['dropped-records-total']).toBe(6);
    expect(driver.getKeyValueStore<string, number>('c').get('x')).toBe(2);
  });

  it('with caching on, the driver still emits one update per input record', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).groupByKey().count().toStream().to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('in', S, I);
    input.pipeInput('x', 1, 1);
    input.pipeInput('x', 1, 2);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([{ key: 'x', value: 1 }, { key: 'x', value: 2 }]);
  });

  it('aggregate without a value serde fails with a message naming the store', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).groupByKey().aggregate(() => 0, (_k, v, a) => a + v);
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    expect(() => driver.createInputTopic('in', S, I).pipeInput('x', 1, 1)).toThrow(/KSTREAM-AGGREGATE-STATE-STORE-0000000001.*Materialized\.with/s);
  });

  it('cogroup folds several grouped streams into one aggregate per key', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', Consumed.with(S, I)).groupByKey();
    const buys = b.stream('buys', Consumed.with(S, I)).groupByKey();
    clicks
      .cogroup<number>((_k, _v, agg) => agg + 1)
      .cogroup(buys, (_k, v, agg) => agg + 100 * v)
      .aggregate(() => 0, Materialized.as<string, number>('activity').withValueSerde(I).withCachingDisabled())
      .toStream()
      .to('out', Produced.with(S, I));
    const topology = b.build();
    const text = topology.describe().toString();
    expect(text).toMatch(/COGROUPKSTREAM-AGGREGATE-\d{10} \(stores: \[activity\]\)/);
    expect(text).toMatch(/COGROUPKSTREAM-MERGE-\d{10}/);
    const driver = new TopologyTestDriver(topology, {}, 0);
    driver.createInputTopic('clicks', S, I).pipeInput('u', 7, 1);
    driver.createInputTopic('buys', S, I).pipeInput('u', 2, 2);
    driver.createInputTopic('clicks', S, I).pipeInput('v', 7, 3);
    expect(driver.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'u', value: 1 }, { key: 'u', value: 201 }, { key: 'v', value: 1 },
    ]);
    expect(driver.getKeyValueStore<string, number>('activity').get('u')).toBe(201);
  });
});
