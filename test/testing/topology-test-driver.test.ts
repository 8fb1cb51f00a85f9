import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { RecordDeserializationError, StreamsProcessingError, TopologyError } from '../../src/core/errors.js';
import { DEAD_LETTER_HEADERS } from '../../src/processor/deserialization-exception-handler.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const silent = { warn: () => {} };

function upperNonEmpty() {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).filter((_k, v) => v.length > 0).mapValues((v) => v.toUpperCase()).to('out');
  return builder.build();
}

/** Forwards "<count>" on each punctuation, recording the times it was called with. */
class Ticker implements Processor<string, string, string, string> {
  constructor(readonly type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', readonly calls: number[]) {}
  init(ctx: ProcessorContext<string, string>): void {
    ctx.schedule(10, this.type, (ts) => {
      this.calls.push(ts);
      ctx.forward(new Record('tick', String(ts), ts));
    });
  }
  process(): void {}
}

function tickerTopology(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', calls: number[]) {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).process(() => new Ticker(type, calls)).to('ticks', undefined);
  return builder.build();
}

describe('testing > TopologyTestDriver', () => {
  it('makes each record visible as soon as pipeInput returns (flush per record)', () => {
    const driver = new TopologyTestDriver(upperNonEmpty(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    const input = driver.createInputTopic('in', S, S);
    const output = driver.createOutputTopic('out', S, S);
    input.pipeInput('a', 'x', 7);
    expect(output.getQueueSize()).toBe(1);
    expect(output.readRecord()).toEqual({ key: 'a', value: 'X', timestamp: 7, headers: {} });
    input.pipeInput('b', '', 8);
    expect(output.isEmpty()).toBe(true);
    input.pipeInput('c', 'y', 9);
    expect(output.readKeyValue()).toEqual({ key: 'c', value: 'Y' });
    expect(() => output.readRecord()).toThrow(/Empty topic: out/);
    expect(driver.createOutputTopic('never-written', S, S).readRecordsToList()).toEqual([]);
    expect(driver.producedTopicNames()).toEqual(['out']);
    driver.close();
  });

  it('auto-advances timestamps of records piped without one', () => {
    const driver = new TopologyTestDriver(upperNonEmpty(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    const input = driver.createInputTopic('in', S, S, { startTimestampMs: 100, autoAdvanceMs: 5 });
    const output = driver.createOutputTopic('out', S, S);
    input.pipeValueList(['a', 'b']);
    input.pipeInput('k', 'c', 1);
    input.pipeKeyValueList([{ key: 'k', value: 'd' }]);
    expect(output.readRecordsToList().map((r) => [r.key, r.timestamp])).toEqual([[null, 100], [null, 105], ['k', 1], ['k', 110]]);
  });

  it('rejects an unknown input topic and reports unknown stores', () => {
    const driver = new TopologyTestDriver(upperNonEmpty(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    expect(() => driver.createInputTopic('nope', S, S)).toThrow(TopologyError);
    expect(() => driver.getKeyValueStore('counts')).toThrow('no store named counts in this topology');
  });

  it('fires wall-clock punctuators only when the wall clock advances, skipping missed intervals', () => {
    const calls: number[] = [];
    const driver = new TopologyTestDriver(tickerTopology('WALL_CLOCK_TIME', calls), { defaultKeySerde: S, defaultValueSerde: S }, 1000);
    const ticks = driver.createOutputTopic('ticks', S, S);
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 999_999);
    expect(calls).toEqual([]);
    driver.advanceWallClockTime(9);
    expect(calls).toEqual([]);
    driver.advanceWallClockTime(1);
    expect(calls).toEqual([1010]);
    driver.advanceWallClockTime(35); // 1045: fires once, next due 1050
    expect(calls).toEqual([1010, 1045]);
    driver.advanceWallClockTime(5);
    expect(calls).toEqual([1010, 1045, 1050]);
    expect(ticks.readValuesToList()).toEqual(['1010', '1045', '1050']);
  });

  it('fires stream-time punctuators after the record that advances stream time, aligned to 0', () => {
    const calls: number[] = [];
    const driver = new TopologyTestDriver(tickerTopology('STREAM_TIME', calls), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    const input = driver.createInputTopic('in', S, S);
    driver.advanceWallClockTime(1000);
    expect(calls).toEqual([]);
    input.pipeInput('k', 'v', 3); // due at 0: fires at stream time 3, next due 10
    input.pipeInput('k', 'v', 9);
    input.pipeInput('k', 'v', 2); // out of order: stream time stays 9
    expect(calls).toEqual([3]);
    input.pipeInput('k', 'v', 47); // fires once for the missed 10..40, next due 50
    input.pipeInput('k', 'v', 50);
    expect(calls).toEqual([3, 47, 50]);
  });

  it('logAndFail: throws RecordDeserializationError naming topic, partition and offset', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.int32())).to('out', undefined);
    const driver = new TopologyTestDriver(builder.build(), { defaultKeySerde: S, defaultValueSerde: Serdes.int32(), logger: silent }, 0);
    const raw = driver.createInputTopic('in', S, S);
    raw.pipeInput('k', 'abcd', 1); // 4 bytes: a valid int32
    const err = (() => {
      try {
        raw.pipeInput('k', 'xyz', 2);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RecordDeserializationError);
    expect(err).toMatchObject({ topic: 'in', partition: 0, offset: 1 });
  });

  it('logAndContinue: skips the bad record and keeps going', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.int32())).mapValues((n) => n + 1).to('out', undefined);
    const driver = new TopologyTestDriver(
      builder.build(),
      { defaultKeySerde: S, defaultValueSerde: Serdes.int32(), deserializationExceptionHandler: 'logAndContinue', logger: silent },
      0,
    );
    const raw = driver.createInputTopic('in', S, Serdes.bytes());
    raw.pipeInput('k', Buffer.from([0, 0, 0, 1]), 1);
    raw.pipeInput('k', Buffer.from([9]), 2);
    raw.pipeInput('k', Buffer.from([0, 0, 0, 5]), 3);
    expect(driver.createOutputTopic('out', S, Serdes.int32()).readValuesToList()).toEqual([2, 6]);
  });

  it('dead-letter queue: sends the original bytes with the error in headers, then continues', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.int32())).to('out', undefined);
    const driver = new TopologyTestDriver(builder.build(), { defaultKeySerde: S, defaultValueSerde: Serdes.int32(), deadLetterQueueTopic: 'dlq' }, 0);
    const raw = driver.createInputTopic('in', S, Serdes.bytes());
    raw.pipeInput('bad', Buffer.from([1, 2]), 5, { trace: 'abc' });
    raw.pipeInput('good', Buffer.from([0, 0, 0, 7]), 6);
    const dlq = driver.createOutputTopic('dlq', S, Serdes.bytes()).readRecordsToList();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.key).toBe('bad');
    expect(dlq[0]!.value).toEqual(Buffer.from([1, 2]));
    expect(dlq[0]!.timestamp).toBe(5);
    expect(dlq[0]!.headers.trace!.toString()).toBe('abc');
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.topic]!.toString()).toBe('in');
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.offset]!.toString()).toBe('0');
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.exception]!.toString()).toBe('SerializationError');
    expect(driver.createOutputTopic('out', S, Serdes.int32()).readKeyValuesToList()).toEqual([{ key: 'good', value: 7 }]);
  });

  it('wraps a user exception in StreamsProcessingError with node, topic, partition, offset and cause', () => {
    const boom = new Error('boom');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).filter(() => true).mapValues((v) => {
      if (v === 'bad') throw boom;
      return v;
    }).to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), {}, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'ok', 1);
    input.pipeInput('k', 'ok', 2);
    let caught: unknown;
    try {
      input.pipeInput('k', 'bad', 3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StreamsProcessingError);
    expect(caught).toMatchObject({ processorName: 'KSTREAM-MAPVALUES-0000000002', topic: 'in', partition: 0, offset: 2, taskId: '0_0' });
    expect((caught as Error).cause).toBe(boom);
  });

  it('feeds records written to a repartition topic back into the sub-topology that reads it', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('words', Consumed.with(S, S))
      .selectKey((_k, v) => v[0] ?? '')
      .repartition()
      .mapValues((v, k) => `${k}:${v}`)
      .to('by-letter');
    const topology = builder.build();
    expect(topology.subtopologies()).toHaveLength(2);
    const driver = new TopologyTestDriver(topology, { applicationId: 'app', defaultKeySerde: S, defaultValueSerde: S }, 0);
    const input = driver.createInputTopic('words', S, S);
    const output = driver.createOutputTopic('by-letter', S, S);
    input.pipeInput(null, 'apple', 1);
    expect(output.readRecord()).toEqual({ key: 'a', value: 'a:apple', timestamp: 1, headers: {} });
    input.pipeInput(null, 'banana', 2);
    expect(output.readKeyValue()).toEqual({ key: 'b', value: 'b:banana' });
    expect(driver.producedTopicNames()).toContain('app-KSTREAM-REPARTITION-0000000002-repartition');
  });

  it('fails every call after close()', () => {
    const driver = new TopologyTestDriver(upperNonEmpty(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    const input = driver.createInputTopic('in', S, S);
    driver.close();
    expect(() => input.pipeInput('k', 'v', 1)).toThrow(/closed/);
  });

  it('hands out read-only views of key-value stores, and names the problem for other names', () => {
    const data = new Map<string, number>();
    const store = {
      name: 'counts',
      init() {},
      flush() {},
      close() {},
      persistent: () => false,
      isOpen: () => true,
      put: (k: string, v: number) => void data.set(k, v),
      get: (k: string) => data.get(k) ?? null,
      range: () => [],
      reverseRange: () => [],
      prefixScan: () => [],
      all: () => [...data].map(([key, value]) => ({ key, value })),
      reverseAll: () => [],
      approximateNumEntries: () => data.size,
    };
    const builder = new StreamsBuilder();
    builder.addStateStore({ name: 'counts', loggingEnabled: false, changelogConfig: {}, build: () => store });
    builder.addStateStore({
      name: 'plain',
      loggingEnabled: false,
      changelogConfig: {},
      build: () => ({ name: 'plain', init() {}, flush() {}, close() {}, persistent: () => false, isOpen: () => true }),
    });
    builder.stream('in', Consumed.with(S, S)).process(() => {
      let ctx!: ProcessorContext<never, never>;
      return {
        init: (c: ProcessorContext<never, never>) => void (ctx = c),
        process: (r: Record<string, string>) => {
          const s = ctx.getStateStore<typeof store>('counts');
          s.put(r.key, (s.get(r.key) ?? 0) + 1);
        },
      };
    }, 'counts', 'plain');
    const driver = new TopologyTestDriver(builder.build(), {}, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'y', 2);
    const counts = driver.getKeyValueStore<string, number>('counts');
    expect(counts.get('a')).toBe(2);
    expect(counts.approximateNumEntries()).toBe(1);
    expect((counts as unknown as { put?: unknown }).put).toBeUndefined();
    expect(() => driver.getKeyValueStore('plain')).toThrow('store plain is not a key-value store');
    expect(() => driver.getWindowStore('counts')).toThrow('store counts is not a window store');
    expect(() => driver.getWindowStore('nope')).toThrow('no store named nope in this topology');
  });
});
