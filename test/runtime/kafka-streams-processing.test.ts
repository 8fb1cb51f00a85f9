import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { RecordDeserializationError, StreamsProcessingError } from '../../src/core/errors.js';
import { DEAD_LETTER_HEADERS, DeserializationExceptionHandlers } from '../../src/processor/deserialization-exception-handler.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { ProcessingExceptionHandlers } from '../../src/runtime/processing-exception-handler.js';
import type { StreamsConfig } from '../../src/runtime/streams-config.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function broker4(...topics: string[]): Promise<Broker> {
  const broker = await Broker.inMemory();
  open.push(broker);
  await broker.admin().createTopics(topics.map((topic) => ({ topic, partitions: 4 })));
  return broker;
}

function app(topology: ReturnType<StreamsBuilder['build']>, broker: Broker, extra: Partial<StreamsConfig> = {}) {
  const streams = new KafkaStreams(topology, { applicationId: 'app', broker, commitIntervalMs: 100, logger: silentLogger, ...extra });
  open.push(streams);
  return streams;
}

/** Records which task saw each key. */
class TaskRecorder implements Processor<string, string, never, never> {
  #taskId = '';
  constructor(readonly seen: Map<string, Set<string>>) {}
  init(ctx: ProcessorContext<never, never>): void {
    this.#taskId = ctx.taskId;
  }
  process(record: Record<string, string>): void {
    const tasks = this.seen.get(record.key) ?? new Set<string>();
    tasks.add(this.#taskId);
    this.seen.set(record.key, tasks);
  }
}

describe('runtime > KafkaStreams processing', () => {
  it('selectKey → repartition(): every record with the same new key reaches the same task of sub-topology 1', async () => {
    const broker = await broker4('in');
    const seen = new Map<string, Set<string>>();
    let count = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0]!)
      .repartition(Repartitioned.with(S, S).withName('by-user'))
      .peek(() => void count++)
      .process(() => new TaskRecorder(seen));
    const streams = app(builder.build(), broker);
    // Original keys spread each user over every input partition.
    const input = Array.from({ length: 400 }, (_, i) => ({ topic: 'in', key: `orig-${i}`, value: `user${i % 13}:${i}` }));
    await broker.producer().send(input);
    await streams.start();
    await waitFor(() => count === 400, 10_000, 'all records through the repartition topic');
    expect(seen.size).toBe(13);
    const tasks = new Set<string>();
    for (const [, ids] of seen) {
      expect(ids.size).toBe(1);
      const id = [...ids][0]!;
      expect(id).toMatch(/^1_[0-3]$/);
      tasks.add(id);
    }
    expect(tasks.size).toBeGreaterThan(1);
    await streams.close();
  });

  it('a user exception moves the app to ERROR with topic/partition/offset in the error; close() resolves', async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('bad value');
        return v;
      })
      .to('out', Produced.with(S, S));
    const streams = app(builder.build(), broker);
    const errors: Error[] = [];
    streams.onError((e) => errors.push(e));
    await broker.producer().send([
      { topic: 'in', key: 'k', value: 'ok', partition: 2 },
      { topic: 'in', key: 'k', value: 'boom', partition: 2 },
      { topic: 'in', key: 'k', value: 'never', partition: 2 },
    ]);
    await streams.start();
    await waitForState(streams, 'ERROR');
    const error = streams.error as StreamsProcessingError;
    expect(error).toBeInstanceOf(StreamsProcessingError);
    expect(error).toMatchObject({ topic: 'in', partition: 2, offset: 1, taskId: '0_2' });
    expect(error.message).toMatch(/in-2@1: bad value/);
    expect(errors).toEqual([error]);
    await streams.close();
    expect(streams.state).toBe('ERROR');
    // Nothing after the failed record was processed; its output is not committed past it.
    const committed = await broker.admin().describeGroup('app');
    expect(committed.offsets.find((o) => o.partition === 2)?.committed ?? 0).toBeLessThanOrEqual(1);
  });

  it('a processor whose init() throws fails the app when its task is created; close() resolves', async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).process(() => ({
      init() {
        throw new Error('cannot connect');
      },
      process() {},
    }));
    const streams = app(builder.build(), broker);
    await streams.start();
    await waitForState(streams, 'ERROR');
    expect(streams.error).toBeInstanceOf(StreamsProcessingError);
    expect(streams.error?.message).toMatch(/cannot connect/);
    await streams.close();
    expect(streams.state).toBe('ERROR');
  });

  it('a send to a missing output topic moves the app to ERROR naming the topic; nothing is committed', async () => {
    const broker = await broker4('in');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('nowhere', Produced.with(S, S));
    const streams = app(builder.build(), broker);
    await broker.producer().send([{ topic: 'in', key: 'k', value: 'v' }]);
    await streams.start();
    await waitForState(streams, 'ERROR');
    expect(streams.error?.message).toMatch(/"nowhere"/);
    await streams.close();
    expect((await broker.admin().describeGroup('app')).offsets.every((o) => o.committed === 0)).toBe(true);
  });

  it('close() closes every task even when a processor close() throws, and still reaches NOT_RUNNING', async () => {
    const broker = await broker4('in');
    let closes = 0;
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).process(() => ({
      process() {},
      close() {
        closes++;
        throw new Error('close failed');
      },
    }));
    const streams = app(builder.build(), broker);
    await streams.start();
    await waitForState(streams, 'RUNNING');
    await streams.close();
    expect(closes).toBe(4);
    expect(streams.state).toBe('NOT_RUNNING');
  });

  it('a deserialization failure (logAndFail default) moves the app to ERROR with a RecordDeserializationError', async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.json<{ n: number }>())).mapValues((v) => String(v.n)).to('out', Produced.with(S, S));
    const streams = app(builder.build(), broker);
    await broker.producer().send([{ topic: 'in', key: 'k', value: '{not json', partition: 1 }]);
    await streams.start();
    await waitForState(streams, 'ERROR');
    expect(streams.error).toBeInstanceOf(RecordDeserializationError);
    expect(streams.error).toMatchObject({ topic: 'in', partition: 1, offset: 0 });
    await streams.close();
  });

  it('sends undeserializable records to a dead-letter topic and continues', async () => {
    const broker = await broker4('in', 'out', 'dlq');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.json<{ n: number }>())).mapValues((v) => String(v.n * 2)).to('out', Produced.with(S, S));
    const streams = app(builder.build(), broker, { deserializationExceptionHandler: DeserializationExceptionHandlers.deadLetterQueue('dlq') });
    await broker.producer().send([
      { topic: 'in', key: 'a', value: '{"n":1}' },
      { topic: 'in', key: 'b', value: 'garbage' },
      { topic: 'in', key: 'c', value: '{"n":3}' },
    ]);
    await streams.start();
    const dlq = await readAtLeast(broker, 'dlq', 1);
    expect(dlq.map((r) => [str(r.key), str(r.value)])).toEqual([['b', 'garbage']]);
    expect(dlq[0]!.headers[DEAD_LETTER_HEADERS.topic]?.toString()).toBe('in');
    const out = await readAtLeast(broker, 'out', 2);
    expect(out.map((r) => str(r.value)).sort()).toEqual(['2', '6']);
    expect(streams.state).toBe('RUNNING');
    await streams.close();
  });

  it("skips undeserializable records with 'logAndContinue' and counts them", async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.json<{ n: number }>())).mapValues((v) => String(v.n)).to('out', Produced.with(S, S));
    const streams = app(builder.build(), broker, { deserializationExceptionHandler: DeserializationExceptionHandlers.logAndContinue(silentLogger) });
    await broker.producer().send([
      { topic: 'in', key: 'a', value: 'garbage', partition: 0 },
      { topic: 'in', key: 'a', value: '{"n":5}', partition: 0 },
    ]);
    await streams.start();
    const out = await readAtLeast(broker, 'out', 1);
    expect(out.map((r) => str(r.value))).toEqual(['5']);
    expect(streams.metrics()['task.0_0.skipped-records-total']).toBe(1);
    await streams.close();
  });

  it('a processing exception handler answering CONTINUE skips the failed record', async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .filter((_k, v) => {
        if (v === 'boom') throw new Error('nope');
        return true;
      })
      .to('out', Produced.with(S, S));
    const streams = app(builder.build(), broker, { processingExceptionHandler: ProcessingExceptionHandlers.logAndContinue(silentLogger) });
    await broker.producer().send(['a', 'boom', 'b'].map((value) => ({ topic: 'in', key: 'k', value })));
    await streams.start();
    const out = await readAtLeast(broker, 'out', 2);
    expect(out.map((r) => str(r.value))).toEqual(['a', 'b']);
    expect(streams.state).toBe('RUNNING');
    await streams.close();
  });
});
