import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const piped = fc.array(fc.record({ topic: fc.constantFrom('a', 'b'), value: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 40 });

function runWith(build: (b: StreamsBuilder) => void, input: { topic: string; value: number }[]) {
  const b = new StreamsBuilder();
  build(b);
  const driver = new TopologyTestDriver(b.build(), { defaultKeySerde: S, defaultValueSerde: I }, 0);
  const topics = { a: driver.createInputTopic('a', S, I), b: driver.createInputTopic('b', S, I) };
  input.forEach((r, i) => topics[r.topic as 'a' | 'b'].pipeInput(r.topic, r.value, i));
  const out = driver.createOutputTopic('out', S, I).readKeyValuesToList();
  driver.close();
  return out;
}

describe('dsl > operators > multi-topic sources and merge', () => {
  it('property: one source over two topics and a merge of two sources both see every record in pipe order', () => {
    fc.assert(
      fc.property(piped, (input) => {
        const model = input.map((r) => ({ key: r.topic, value: r.value }));
        const oneSource = runWith((b) => b.stream(['a', 'b'], Consumed.with(S, I)).to('out'), input);
        const merged = runWith((b) => b.stream('a', Consumed.with(S, I)).merge(b.stream('b', Consumed.with(S, I))).to('out'), input);
        expect(oneSource).toEqual(model);
        expect(merged).toEqual(model);
      }),
    );
  });

  it('puts both topics of one source in the same sub-topology, and merged sources too', () => {
    const b = new StreamsBuilder();
    b.stream('a', Consumed.with(S, I)).merge(b.stream('b', Consumed.with(S, I))).to('out');
    const subs = b.build().subtopologies();
    expect(subs).toHaveLength(1);
    expect(subs[0]!.sourceTopics).toEqual(['a', 'b']);
  });
});
