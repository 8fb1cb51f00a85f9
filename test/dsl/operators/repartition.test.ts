import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Produced } from '../../../dsl/produced.js';
import { Repartitioned } from '../../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { runTopology } from '../../../src/testing/run-topology.js';

const S = Serdes.string();
const I = Serdes.int32();

describe('dsl > operators > repartition', () => {
  it('property: selectKey + repartition delivers every non-null-key record once, in order', () => {
    const records = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', 'c'), values: fc.integer({ min: 0, max: 99 }), maxDisorderMs: 50 });
    fc.assert(
      fc.property(records, (input) => {
        const out = runTopology(() => {
          const b = new StreamsBuilder();
          b.stream('in', Consumed.with(S, I))
            .selectKey((_k, v) => (v % 10 === 0 ? (null as unknown as string) : String(v % 4)))
            .repartition(Repartitioned.with(S, I).withName('by-mod').withNumberOfPartitions(4))
            .to('out', Produced.with(S, I));
          return b.build();
        }, input, { inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: S, valueSerde: I } });
        const model = input.filter((r) => r.value % 10 !== 0).map((r) => [String(r.value % 4), r.value, r.timestamp]);
        expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual(model);
      }),
    );
  });

  it('records the partition count on the internal topic and marks it internal', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, I)).repartition(Repartitioned.as<string, number>('r').withNumberOfPartitions(3)).to('out');
    const topology = b.build();
    expect(topology.internalTopics().get('r-repartition')).toEqual({ numberOfPartitions: 3 });
    expect(topology.decorateTopic('r-repartition', 'app')).toBe('app-r-repartition');
    expect(topology.decorateTopic('out', 'app')).toBe('out');
  });
});
