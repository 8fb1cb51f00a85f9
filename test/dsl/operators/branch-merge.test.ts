import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Branched } from '../../../dsl/branched.js';
import { Consumed } from '../../../dsl/consumed.js';
import { Named } from '../../../dsl/named.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.int32();
const records = keyedRecords(fc, { keys: fc.constantFrom('a', 'b'), values: fc.integer({ min: -50, max: 50 }), maxDisorderMs: 30 });

function run(build: (b: StreamsBuilder) => void, input: { key: string; value: number; timestamp: number }[], topics: string[]) {
  const b = new StreamsBuilder();
  build(b);
  const driver = new TopologyTestDriver(b.build(), { defaultKeySerde: S, defaultValueSerde: I }, 0);
  const pipe = driver.createInputTopic('in', S, I);
  for (const r of input) pipe.pipeInput(r.key, r.value, r.timestamp);
  const out = Object.fromEntries(topics.map((t) => [t, driver.createOutputTopic(t, S, I).readValuesToList()]));
  driver.close();
  return out;
}

describe('dsl > operators > split / merge / peek / foreach', () => {
  it('property: split sends each record to its first matching branch, the rest to the default', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = run(
          (b) => {
            const branches = b
              .stream('in', Consumed.with(S, I))
              .split(Named.as('s-'))
              .branch((_k, v) => v < 0, Branched.as('neg'))
              .branch((_k, v) => v % 2 === 0, Branched.withConsumer((s) => s.to('even')))
              .defaultBranch(Branched.withFunction((s) => s.mapValues((v) => v * 10)));
            expect(Object.keys(branches)).toEqual(['s-neg', 's-0']);
            branches['s-neg']!.to('neg');
            branches['s-0']!.to('rest');
          },
          input,
          ['neg', 'even', 'rest'],
        );
        expect(out.neg).toEqual(input.filter((r) => r.value < 0).map((r) => r.value));
        expect(out.even).toEqual(input.filter((r) => r.value >= 0 && r.value % 2 === 0).map((r) => r.value));
        expect(out.rest).toEqual(input.filter((r) => r.value >= 0 && r.value % 2 !== 0).map((r) => r.value * 10));
      }),
    );
  });

  it('property: noDefaultBranch drops what no predicate accepts', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = run((b) => {
          const br = b.stream('in', Consumed.with(S, I)).split().branch((_k, v) => v > 10).noDefaultBranch();
          expect(Object.keys(br)).toEqual(['KSTREAM-BRANCH-00000000011']);
          br['KSTREAM-BRANCH-00000000011']!.to('big');
        }, input, ['big']);
        expect(out.big).toEqual(input.filter((r) => r.value > 10).map((r) => r.value));
      }),
    );
  });

  it('property: merge of two branches of one stream yields every record once, in input order', () => {
    fc.assert(
      fc.property(records, (input) => {
        const out = run((b) => {
          const s = b.stream('in', Consumed.with(S, I));
          s.filter((_k, v) => v >= 0).merge(s.filter((_k, v) => v < 0).mapValues((v) => -v)).to('abs');
        }, input, ['abs']);
        expect(out.abs).toEqual(input.map((r) => Math.abs(r.value)));
      }),
    );
  });

  it('property: peek and foreach see every record in order; peek passes it on unchanged', () => {
    fc.assert(
      fc.property(records, (input) => {
        const peeked: number[] = [];
        const each: string[] = [];
        const out = run((b) => {
          const s = b.stream('in', Consumed.with(S, I)).peek((_k, v) => peeked.push(v));
          s.foreach((k) => each.push(k));
          s.to('out');
        }, input, ['out']);
        expect(peeked).toEqual(input.map((r) => r.value));
        expect(each).toEqual(input.map((r) => r.key));
        expect(out.out).toEqual(peeked);
      }),
    );
  });
});
