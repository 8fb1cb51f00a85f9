import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { KeyValue } from '../../../dsl/key-value.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { runTopology } from '../../../src/testing/run-topology.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const records = keyedRecords(fc, { keys: fc.string({ maxLength: 3 }), values: fc.integer({ min: -1e6, max: 1e6 }), maxDisorderMs: 20 });

describe('dsl > operators > map / mapValues / selectKey', () => {
  it('property: filter + mapValues + map through the driver equal the array pipeline', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = runTopology(
          () => {
            const b = new StreamsBuilder();
            b.stream('in', Consumed.with(S, I))
              .filter((_k, v) => v % 3 !== 0)
              .mapValues((v, k) => `${k}=${v}`)
              .map((k, v) => KeyValue.pair(v.length, `${k}!`))
              .to('out', Produced.with(I, S));
            return b.build();
          },
          input,
          { inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: S, valueSerde: I, outputKeySerde: I, outputValueSerde: S } },
        );
        const model = input
          .filter((r) => r.value % 3 !== 0)
          .map((r) => ({ ...r, value: `${r.key}=${r.value}` }))
          .map((r) => ({ key: r.value.length, value: `${r.key}!`, timestamp: r.timestamp }));
        expect(out.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }))).toEqual(model);
      }),
    );
  });

  it('property: selectKey changes only keys', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = runTopology(
          () => {
            const b = new StreamsBuilder();
            b.stream('in', Consumed.with(S, I)).selectKey((k, v) => `${k}/${v >= 0}`).to('out', Produced.with(S, I));
            return b.build();
          },
          input,
          { inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: S, valueSerde: I } },
        );
        expect(out.map((r) => [r.key, r.value])).toEqual(input.map((r) => [`${r.key}/${r.value >= 0}`, r.value]));
      }),
    );
  });

  it('keeps timestamp and headers through mapValues', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).mapValues((v) => v.length).to('out', Produced.with(S, I));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('in', S, S).pipeInput('k', 'abc', 42, { trace: 't-1' });
    const [r] = driver.createOutputTopic('out', S, I).readRecordsToList();
    expect(r!.value).toBe(3);
    expect(r!.timestamp).toBe(42);
    expect(r!.headers.trace!.toString()).toBe('t-1');
  });
});
