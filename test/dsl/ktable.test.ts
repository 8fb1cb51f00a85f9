import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { KeyValue } from '../../dsl/key-value.js';
import { Materialized } from '../../dsl/materialized.js';
import { Named } from '../../dsl/named.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const L = Serdes.long();

function drive(builder: StreamsBuilder, inputs: readonly [string | null, number | null, number][], out = 'out') {
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' }, 0);
  const input = driver.createInputTopic('in', S, I);
  for (const [k, v, ts] of inputs) input.pipeInput(k as string, v as number, ts);
  const output = driver.createOutputTopic(out, S, I).readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, output };
}

describe('dsl > KTable', () => {
  it('builder.table: upserts, a tombstone deletes the row (store and stream), a null key is dropped and counted', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, I), Materialized.as<string, number>('t').withCachingDisabled()).toStream().to('out', Produced.with(S, I));
    const { driver, output } = drive(b, [['a', 1, 1], ['b', 2, 2], ['a', 3, 3], [null, 9, 4], ['a', null, 5]]);
    expect(output).toEqual([['a', 1, 1], ['b', 2, 2], ['a', 3, 3], ['a', null, 5]]);
    const store = driver.getKeyValueStore<string, number>('t');
    expect(store.all()).toEqual([{ key: 'b', value: 2 }]);
    expect(driver.getTimestampedKeyValueStore<string, number>('t').get('b')).toEqual({ value: 2, timestamp: 2 });
    expect(driver.metrics()['dropped-records-total']).toBe(1);
    expect(driver.createOutputTopic('app-t-changelog', S, Serdes.bytes()).readRecordsToList().map((r) => r.key)).toEqual(['a', 'b', 'a', 'a']);
  });

  it('filter without old values forwards a tombstone for every rejected update (Kafka: even for keys never seen)', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, I)).filter((_k, v) => v > 0).toStream().to('out', Produced.with(S, I));
    const { output } = drive(b, [['a', 1, 1], ['a', -1, 2], ['b', -5, 3], ['b', 4, 4]]);
    expect(output).toEqual([['a', 1, 1], ['a', null, 2], ['b', null, 3], ['b', 4, 4]]);
  });

  it('filter with old values: a row that stops matching is deleted, an update matching neither before nor after is not forwarded', () => {
    const b = new StreamsBuilder();
    // groupBy needs old values, so it asks the filter (and forces the source to materialize).
    b.table('in', Consumed.with(S, I))
      .filter((_k, v) => v > 0)
      .groupBy((k, v) => KeyValue.pair('all', v), Grouped.with(S, I))
      .reduce((agg, v) => agg + v, (agg, v) => agg - v, Materialized.as<string, number>('sum').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(S, I));
    const { output } = drive(b, [['a', 5, 1], ['b', -1, 2], ['a', -2, 3], ['a', 7, 4]]);
    // b=-1 never matched: nothing. a: 5 -> rejected => retract 5 (sum 0) -> 7 (sum 7).
    expect(output).toEqual([['all', 5, 1], ['all', 0, 3], ['all', 7, 4]]);
  });

  it('a materialized filter keeps only matching rows, queryable by name', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, I)).filterNot((_k, v) => v % 2 === 0, Materialized.as<string, number>('odd').withCachingDisabled());
    const { driver } = drive(b, [['a', 1, 1], ['b', 2, 2], ['c', 3, 3], ['a', 4, 4]]);
    expect(driver.getKeyValueStore<string, number>('odd').all()).toEqual([{ key: 'c', value: 3 }]);
  });

  it('mapValues maps values and passes tombstones on without calling the mapper', () => {
    const b = new StreamsBuilder();
    const seen: (number | null)[] = [];
    b.table('in', Consumed.with(S, I))
      .mapValues((v, k) => {
        seen.push(v);
        return v * 10 + k.length;
      }, Named.as('times-ten'))
      .toStream()
      .to('out', Produced.with(S, I));
    const { output, driver } = drive(b, [['a', 1, 1], ['a', null, 2], ['bb', 2, 3]]);
    expect(output).toEqual([['a', 11, 1], ['a', null, 2], ['bb', 22, 3]]);
    expect(seen).toEqual([1, 2]);
    expect(driver.producedTopicNames().some((t) => t.endsWith('-changelog'))).toBe(false);
  });

  it('KStream.toTable: a stream of upserts as a queryable table', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).toTable(Materialized.as<string, number>('latest')).toStream().to('out', Produced.with(S, I));
    const { driver, output } = drive(b, [['a', 1, 1], ['a', 2, 2], ['b', 3, 3], ['b', null, 4]]);
    expect(output).toEqual([['a', 1, 1], ['a', 2, 2], ['b', 3, 3], ['b', null, 4]]);
    expect(driver.getKeyValueStore<string, number>('latest').all()).toEqual([{ key: 'a', value: 2 }]);
  });

  it('KStream.toTable after a key change repartitions through <name>-repartition', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).selectKey((k) => k.toUpperCase()).toTable(Named.as('upper'), Materialized.with(S, I));
    const text = b.build().describe().toString();
    expect(text).toContain('(topic: upper-repartition)');
    expect(text).toContain('Processor: upper (stores: [])');
  });

  it('groupBy moves a row between groups: the old group loses it first, then the new group gains it', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, I))
      .groupBy((_k, v) => KeyValue.pair(v % 2 === 0 ? 'even' : 'odd', v), Grouped.with(S, I))
      .count(Materialized.as<string, number>('parity').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'app' }, 0);
    const input = driver.createInputTopic('in', S, I);
    const out = driver.createOutputTopic('out', S, L);
    input.pipeInput('a', 1, 10);
    input.pipeInput('a', 3, 20); // stays in "odd": one update, subtract and add in one step
    input.pipeInput('a', 4, 15); // moves: odd loses it, then even gains it
    input.pipeInput('a', null, 30); // deleted: even loses it
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['odd', 1, 10],
      ['odd', 1, 20],
      ['odd', 0, 20], // timestamp = max(15, 20): the max of the inputs that contributed
      ['even', 1, 15],
      ['even', 0, 30],
    ]);
    expect(driver.getKeyValueStore<string, number>('parity').all()).toEqual([{ key: 'even', value: 0 }, { key: 'odd', value: 0 }]);
  });

  it('KGroupedTable.aggregate with adder and subtractor, and its repartition topic name', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, I))
      .groupBy((k, v) => KeyValue.pair(k.slice(0, 1), v), Grouped.with(S, I).withName('by-initial'))
      .aggregate(() => 0, (_k, v, agg) => agg + v, (_k, v, agg) => agg - v, Materialized.with(S, I))
      .toStream()
      .to('out', Produced.with(S, I));
    const { driver, output } = drive(b, [['ab', 1, 1], ['ac', 2, 2], ['ab', 5, 3], ['bz', 7, 4]]);
    expect(output).toEqual([['a', 1, 1], ['a', 3, 2], ['a', 7, 3], ['b', 7, 4]]);
    expect(driver.producedTopicNames()).toContain('app-by-initial-repartition');
  });

  it('an aggregation result sends old values to a downstream groupBy: a histogram of counts', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I))
      .groupByKey()
      .count(Materialized.as<string, number>('per-key').withCachingDisabled())
      .groupBy((_k, n) => KeyValue.pair(String(n), 1), Grouped.with(S, I))
      .count(Materialized.as<string, number>('histogram').withCachingDisabled());
    const { driver } = drive(b, [['a', 0, 1], ['b', 0, 2], ['a', 0, 3]]);
    // a=2, b=1: one key counted once, one counted twice; the "1" bucket lost a when it moved to "2".
    const histogram = driver.getKeyValueStore<string, number>('histogram');
    expect(histogram.all()).toEqual([{ key: '1', value: 1 }, { key: '2', value: 1 }]);
  });
});
