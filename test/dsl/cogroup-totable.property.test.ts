import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();

/** Records of two topics, interleaved, with duplicate keys, null keys and null values. */
const mixed = fc.array(
  fc.record({
    topic: fc.constantFrom('left', 'right'),
    key: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null, freq: 6 }),
    value: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null, freq: 6 }),
    ts: fc.nat(500),
  }),
  { maxLength: 40 },
);

describe('dsl > cogroup, aggregate and toTable (property)', () => {
  it('property: cogroup with one aggregator per stream equals a Map model folding both, update by update', () => {
    fc.assert(
      fc.property(mixed, (records) => {
        const b = new StreamsBuilder();
        const left = b.stream('left', Consumed.with(S, I)).groupByKey();
        const right = b.stream('right', Consumed.with(S, I)).groupByKey();
        left
          .cogroup<string>((_k, v, agg) => `${agg}L${v}`)
          .cogroup(right, (_k, v, agg) => `${agg}R${v}`)
          .aggregate(() => '', Materialized.as<string, string>('both').withValueSerde(S).withCachingDisabled())
          .toStream()
          .to('out', Produced.with(S, S));
        const driver = new TopologyTestDriver(b.build(), {}, 0);
        const inputs = { left: driver.createInputTopic('left', S, I), right: driver.createInputTopic('right', S, I) };
        const model = new Map<string, string>();
        const expected: [string, string][] = [];
        for (const { topic, key, value, ts } of records) {
          inputs[topic].pipeInput(key as string, value as number, ts);
          if (key === null || value === null) continue;
          model.set(key, `${model.get(key) ?? ''}${topic === 'left' ? 'L' : 'R'}${value}`);
          expected.push([key, model.get(key)!]);
        }
        expect(driver.createOutputTopic('out', S, S).readKeyValuesToList().map((r) => [r.key, r.value])).toEqual(expected);
        const store = driver.getKeyValueStore<string, string>('both');
        for (const [k, v] of model) expect(store.get(k)).toBe(v);
        expect(driver.metrics()['dropped-records-total']).toBe(records.filter((r) => r.key === null || r.value === null).length);
        driver.close();
      }),
      { numRuns: 60 },
    );
  });

  it('property: KStream.toTable holds the latest value per key; tombstones delete; toStream replays every upsert', () => {
    fc.assert(
      fc.property(mixed, (records) => {
        const b = new StreamsBuilder();
        b.stream('left', Consumed.with(S, I))
          .toTable(Materialized.as<string, number>('latest').withCachingDisabled())
          .toStream()
          .to('out', Produced.with(S, I));
        const driver = new TopologyTestDriver(b.build(), {}, 0);
        const input = driver.createInputTopic('left', S, I);
        const model = new Map<string, number>();
        const expected: [string, number | null][] = [];
        for (const { key, value, ts } of records) {
          input.pipeInput(key as string, value as number, ts);
          if (key === null) continue;
          if (value === null) model.delete(key);
          else model.set(key, value);
          expected.push([key, value]);
        }
        expect(driver.createOutputTopic('out', S, I).readKeyValuesToList().map((r) => [r.key, r.value])).toEqual(expected);
        const rows = driver.getKeyValueStore<string, number>('latest').all();
        expect(new Map(rows.map((e) => [e.key, e.value]))).toEqual(model);
        driver.close();
      }),
      { numRuns: 60 },
    );
  });
});
