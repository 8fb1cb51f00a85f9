import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { KeyValue } from '../../../dsl/key-value.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { runTopology } from '../../../src/testing/run-topology.js';

const S = Serdes.string();
const records = keyedRecords(fc, { keys: fc.constantFrom('x', 'y'), values: fc.string({ maxLength: 12 }), maxDisorderMs: 10 });
const io = { inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: S, valueSerde: S } };

describe('dsl > operators > flatMap / flatMapValues', () => {
  it('property: flatMapValues equals Array.flatMap over values, each output keeping key and timestamp', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = runTopology(() => {
          const b = new StreamsBuilder();
          b.stream('in', Consumed.with(S, S)).flatMapValues((v) => v.split('a')).to('out', Produced.with(S, S));
          return b.build();
        }, input, io);
        const model = input.flatMap((r) => r.value.split('a').map((part) => [r.key, part, r.timestamp]));
        expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual(model);
      }),
    );
  });

  it('property: flatMap equals Array.flatMap over key-value pairs (zero or more per record)', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = runTopology(() => {
          const b = new StreamsBuilder();
          b.stream('in', Consumed.with(S, S))
            .flatMap((k, v) => [...v].filter((c) => c !== ' ').map((c) => KeyValue.pair(c, k)))
            .to('out', Produced.with(S, S));
          return b.build();
        }, input, io);
        const model = input.flatMap((r) => [...r.value].filter((c) => c !== ' ').map((c) => [c, r.key]));
        expect(out.map((r) => [r.key, r.value])).toEqual(model);
      }),
    );
  });

  it('accepts any iterable, e.g. a generator', () => {
    const out = runTopology(() => {
      const b = new StreamsBuilder();
      b.stream('in', Consumed.with(S, S)).flatMapValues(function* (v) {
        yield v;
        yield v + v;
      }).to('out', Produced.with(S, S));
      return b.build();
    }, [{ key: 'k', value: 'a' }], io);
    expect(out.map((r) => r.value)).toEqual(['a', 'aa']);
  });
});
