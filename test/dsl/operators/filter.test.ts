import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import type { ProcessorContext } from '../../../src/processor/processor-context.js';
import type { Record } from '../../../src/processor/record.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { runTopology } from '../../../src/testing/run-topology.js';

const S = Serdes.string();
const I = Serdes.int32();
const records = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', 'c'), values: fc.integer({ min: -1000, max: 1000 }), maxDisorderMs: 100 });
const io = { inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: S, valueSerde: I } };

function topology(negate: boolean, threshold: number) {
  const builder = new StreamsBuilder();
  const s = builder.stream('in', Consumed.with(S, I));
  (negate ? s.filterNot((_k, v) => v > threshold) : s.filter((_k, v) => v > threshold)).to('out');
  return builder.build();
}

describe('dsl > operators > filter / filterNot', () => {
  it('property: filter through the driver equals Array.filter, keys, order and timestamps kept', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: -1000, max: 1000 }), (input, threshold) => {
        const out = runTopology(() => topology(false, threshold), input, io);
        const model = input.filter((r) => r.value > threshold);
        expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual(model.map((r) => [r.key, r.value, r.timestamp]));
      }),
    );
  });

  it('property: filterNot keeps exactly what filter drops', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: -1000, max: 1000 }), (input, threshold) => {
        const kept = runTopology(() => topology(false, threshold), input, io);
        const dropped = runTopology(() => topology(true, threshold), input, io);
        expect(kept.length + dropped.length).toBe(input.length);
        expect(dropped.map((r) => r.value)).toEqual(input.filter((r) => !(r.value > threshold)).map((r) => r.value));
      }),
    );
  });

  it('forwards the same record object when it keeps it (no copy)', () => {
    const seen: Record<string, number>[][] = [[], []];
    const capture = (slot: number) => () => ({
      ctx: undefined as ProcessorContext<string, number> | undefined,
      init(ctx: ProcessorContext<string, number>) {
        this.ctx = ctx;
      },
      process(record: Record<string, number>) {
        seen[slot]!.push(record);
        this.ctx!.forward(record);
      },
    });
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, I)).process(capture(0)).filter(() => true).process(capture(1)).to('out', Produced.with(S, I));
    const out = runTopology(() => builder.build(), [{ key: 'a', value: 1 }], io);
    expect(out).toEqual([{ key: 'a', value: 1, timestamp: 0, headers: {} }]);
    expect(seen[1]![0]).toBe(seen[0]![0]);
  });
});
