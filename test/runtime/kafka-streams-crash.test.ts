import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import type { Consumer, ConsumerOptions } from '../../src/core/client.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, readTopic, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** The broker's clients, with a switch that makes the consumer fail like a crashed process: no more polls or commits. */
function killable(broker: Broker): ClientFactory & { kill(): void } {
  let killed = false;
  const dead = () => Promise.reject(new Error('process killed'));
  return {
    kill: () => void (killed = true),
    admin: () => broker.admin(),
    producer: (opts) => broker.producer(opts),
    consumer(opts: ConsumerOptions): Consumer {
      const real = broker.consumer(opts);
      return new Proxy(real, {
        get(target, prop, receiver) {
          if (killed && (prop === 'poll' || prop === 'commit')) return dead;
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}

function upper() {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
  return builder.build();
}

describe('runtime > KafkaStreams after a crash', () => {
  it('an instance that dies before committing loses nothing: the next one reprocesses from the last commit (at-least-once)', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 4 }, { topic: 'out', partitions: 4 }]);
    const producer = broker.producer();
    const input = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ topic: 'in', key: `k${i % 11}`, value: `${tag}${i}` }));
    await producer.send(input('a', 60));

    // First run: commits (clean close), so these 60 are never processed again.
    const first = new KafkaStreams(upper(), { applicationId: 'crashy', broker, logger: silentLogger });
    open.push(first);
    await first.start();
    await readAtLeast(broker, 'out', 60);
    await first.close();

    // Second run: processes 40 more, then dies before its (60 s) commit interval.
    await producer.send(input('b', 40));
    const clients = killable(broker);
    const doomed = new KafkaStreams(upper(), { applicationId: 'crashy', broker: clients, commitIntervalMs: 60_000, logger: silentLogger });
    open.push(doomed);
    await doomed.start();
    await readAtLeast(broker, 'out', 100);
    clients.kill();
    await waitForState(doomed, 'ERROR');
    await doomed.close();

    // Third run: starts from the first run's commit and reprocesses the 40.
    await producer.send(input('c', 20));
    const survivor = new KafkaStreams(upper(), { applicationId: 'crashy', broker, logger: silentLogger });
    open.push(survivor);
    await survivor.start();
    await readAtLeast(broker, 'out', 160);
    await waitFor(() => survivor.metrics()['process-total'] === 60, 10_000, 'the survivor to process b and c');
    await survivor.close();

    const out = (await readTopic(broker, 'out')).map((r) => str(r.value)!);
    const expected = [...input('a', 60), ...input('b', 40), ...input('c', 20)].map((r) => r.value.toUpperCase());
    expect(new Set(out)).toEqual(new Set(expected)); // nothing lost
    const bs = out.filter((v) => v.startsWith('B'));
    expect(bs).toHaveLength(80); // every b twice: once by the dead instance, once again after it
    expect(out.filter((v) => !v.startsWith('B'))).toHaveLength(80); // a and c exactly once
  });

  it('REPLACE_THREAD: a thread that died of a transient failure is replaced and resumes from the last commit', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 2 }, { topic: 'out', partitions: 2 }]);
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'flaky' && failures++ === 0) throw new Error('database timed out');
        return v.toUpperCase();
      })
      .to('out', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'replace', broker, commitIntervalMs: 60_000, logger: silentLogger });
    open.push(app);
    const responses: string[] = [];
    app.setUncaughtExceptionHandler((e) => {
      responses.push(e.message);
      return 'REPLACE_THREAD';
    });
    const states: string[] = [];
    app.state$.subscribe((s) => states.push(s));
    await broker.producer().send(['a', 'b', 'flaky', 'c'].map((value) => ({ topic: 'in', key: 'k', value })));
    await app.start();
    await readAtLeast(broker, 'out', 4);
    await waitForState(app, 'RUNNING');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatch(/database timed out/);
    expect(app.error).toBeUndefined();
    expect(states).toEqual(['CREATED', 'REBALANCING', 'RUNNING', 'REBALANCING', 'RUNNING']);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
    // a and b were processed in the same iteration as the failure, so their output was never sent;
    // nothing was committed (60 s interval), so the new thread redid all four, once.
    expect((await readTopic(broker, 'out')).map((r) => str(r.value))).toEqual(['A', 'B', 'FLAKY', 'C']);
    expect(() => app.setUncaughtExceptionHandler(() => 'SHUTDOWN_CLIENT')).toThrow(/only before start/);
  });

  it('REPLACE_THREAD on a poison pill keeps replacing, and close() still resolves', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 1 }]);
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).foreach(() => {
      throw new Error('poison');
    });
    const app = new KafkaStreams(builder.build(), { applicationId: 'poison', broker, logger: silentLogger });
    open.push(app);
    let deaths = 0;
    app.setUncaughtExceptionHandler(() => (deaths++, 'REPLACE_THREAD'));
    await broker.producer().send([{ topic: 'in', key: 'k', value: 'v' }]);
    await app.start();
    await waitFor(() => deaths >= 3, 10_000, 'three replaced threads');
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
    expect((await broker.admin().describeGroup('poison')).members).toHaveLength(0);
  });

  it('SHUTDOWN_CLIENT from the handler (or a handler that throws) moves the app to ERROR', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 1 }]);
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).foreach(() => {
      throw new Error('always');
    });
    const app = new KafkaStreams(builder.build(), { applicationId: 'shutdown', broker, logger: silentLogger });
    open.push(app);
    app.setUncaughtExceptionHandler(() => {
      throw new Error('handler bug');
    });
    await broker.producer().send([{ topic: 'in', key: 'k', value: 'v' }]);
    await app.start();
    await waitForState(app, 'ERROR');
    expect(app.error?.message).toMatch(/always/);
    await app.close();
  });
});
