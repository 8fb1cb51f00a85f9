import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Named } from '../../dsl/named.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { StreamsProcessingError } from '../../src/core/errors.js';
import type { Serde } from '../../src/serdes/serde.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();

function failure(run: () => void): StreamsProcessingError {
  try {
    run();
  } catch (e) {
    if (e instanceof StreamsProcessingError) return e;
    throw e;
  }
  throw new Error('expected a StreamsProcessingError');
}

describe('testing > error attribution', () => {
  it('names the node whose code threw, not its parent or child', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .peek(() => {}, Named.as('before'))
      .filter((_k, v) => {
        if (v === 'boom') throw new RangeError('bad value');
        return true;
      }, Named.as('picky'))
      .peek(() => {}, Named.as('after'))
      .to('out');
    const driver = new TopologyTestDriver(builder.build(), {}, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'fine', 1);
    const e = failure(() => input.pipeInput('k', 'boom', 2));
    expect(e.processorName).toBe('picky');
    expect(e.offset).toBe(1);
    expect(e.cause).toBeInstanceOf(RangeError);
    expect(e.message).toContain('processor "picky" in task 0_0 failed for record in-0@1: bad value');
  });

  it('attributes a serializer failure to the sink node', () => {
    const failing: Serde<string> = {
      serialize: () => {
        throw new Error('cannot encode');
      },
      deserialize: (b) => (b === null ? null : b.toString()),
    };
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, failing).withName('writer'));
    const driver = new TopologyTestDriver(builder.build(), {}, 0);
    const e = failure(() => driver.createInputTopic('in', S, S).pipeInput('k', 'v', 1));
    expect(e.processorName).toBe('writer');
  });

  it('attributes a punctuator failure to the scheduling processor, with no record position', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).process(
      () => ({
        init: (ctx) => void ctx.schedule(5, 'WALL_CLOCK_TIME', () => {
          throw new Error('tick failed');
        }),
        process: () => {},
      }),
      Named.as('ticker'),
    );
    const driver = new TopologyTestDriver(builder.build(), {}, 0);
    const e = failure(() => driver.advanceWallClockTime(5));
    expect(e).toMatchObject({ processorName: 'ticker', topic: null, partition: -1, offset: -1 });
    expect(e.message).toContain('during a punctuation');
  });

  it('uses the timestamp extractor given with Consumed', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S).withTimestampExtractor((r) => Number(r.value!.toString().split('@')[1])))
      .to('out');
    const driver = new TopologyTestDriver(builder.build(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    driver.createInputTopic('in', S, S).pipeInput('k', 'event@1234', 1);
    expect(driver.createOutputTopic('out', S, S).readRecord().timestamp).toBe(1234);
  });
});
