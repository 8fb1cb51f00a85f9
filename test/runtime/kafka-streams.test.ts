import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { IllegalStateError, InvalidStateStoreError, StreamsConfigError, TopologyError } from '../../src/core/errors.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { KafkaStreamsState } from '../../src/runtime/kafka-streams-state.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, readTopic, silentLogger, str, waitForState } from './runtime-test-helpers.js';

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

function upper() {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).filter((_k, v) => v !== 'drop').mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
  return builder.build();
}

function app(topology: ReturnType<typeof upper>, broker: Broker, extra: Partial<ConstructorParameters<typeof KafkaStreams>[1]> = {}) {
  const streams = new KafkaStreams(topology, { applicationId: 'app', broker, commitIntervalMs: 100, logger: silentLogger, ...extra });
  open.push(streams);
  return streams;
}

describe('runtime > KafkaStreams', () => {
  it('processes a 4-partition topic into the output topic, keeping each key on its partition', async () => {
    const broker = await broker4('in', 'out');
    const input = Array.from({ length: 200 }, (_, i) => ({ topic: 'in', key: `k${i % 17}`, value: i % 10 === 0 ? 'drop' : `v${i}` }));
    await broker.producer().send(input);
    const streams = app(upper(), broker);
    await streams.start();
    const out = await readAtLeast(broker, 'out', 180);
    expect(out).toHaveLength(180);
    const byKey = new Map<string, string[]>();
    for (const r of out) byKey.set(str(r.key)!, [...(byKey.get(str(r.key)!) ?? []), str(r.value)!]);
    for (const [key, values] of byKey) {
      const expected = input.filter((r) => r.key === key && r.value !== 'drop').map((r) => r.value.toUpperCase());
      expect(values).toEqual(expected);
    }
    await waitForState(streams, 'RUNNING');
    expect(streams.metrics()['process-total']).toBe(200);
    expect(streams.metrics()['records-consumed-total']).toBe(200);
    expect(streams.metrics()['records-sent-total']).toBe(180);
    expect(streams.metrics()['active-tasks']).toBe(4);
    const text = streams.metricsText();
    expect(text).toContain('# TYPE tributary_process_total counter\ntributary_process_total{application_id="app"} 200\n');
    expect(text).toMatch(/^tributary_task_process_total\{application_id="app",task_id="0_3"\} \d+$/m);
    expect(text).toContain('# TYPE tributary_commit_latency_max gauge');
    await streams.close();
    expect(streams.state).toBe('NOT_RUNNING');
  });

  it('goes CREATED → REBALANCING → RUNNING → PENDING_SHUTDOWN → NOT_RUNNING', async () => {
    const broker = await broker4('in', 'out');
    const streams = app(upper(), broker);
    const seen: KafkaStreamsState[] = [];
    streams.state$.subscribe((s) => seen.push(s));
    expect(streams.state).toBe('CREATED');
    await streams.start();
    await waitForState(streams, 'RUNNING');
    await streams.close();
    expect(seen).toEqual(['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    expect(await waitForState(streams, 'NOT_RUNNING', 100)).toBe('NOT_RUNNING'); // a late subscriber sees the final state
    expect(() => streams.start()).toThrow(IllegalStateError);
    await streams.close(); // idempotent
  });

  it('closes from CREATED without starting', async () => {
    const broker = await broker4('in', 'out');
    const streams = app(upper(), broker);
    await streams.close();
    expect(streams.state).toBe('NOT_RUNNING');
  });

  it('fails start() with a TopologyError listing unknown source topics', async () => {
    const broker = await broker4('other');
    const builder = new StreamsBuilder();
    builder.stream(['missing-a', 'missing-b'], Consumed.with(S, S)).to('out');
    const streams = app(builder.build(), broker);
    await expect(streams.start()).rejects.toThrow(TopologyError);
    expect(streams.error?.message).toMatch(/"missing-a", "missing-b" do not exist/);
    expect(streams.state).toBe('ERROR');
    await streams.close();
    expect(streams.state).toBe('ERROR');
  });

  it('fails start() when co-partitioned source topics have different partition counts', async () => {
    const broker = await broker4('a');
    await broker.admin().createTopics([{ topic: 'b', partitions: 3 }]);
    const builder = new StreamsBuilder();
    builder.stream(['a', 'b'], Consumed.with(S, S)).to('out');
    const streams = app(builder.build(), broker);
    await expect(streams.start()).rejects.toThrow(/"a" has 4, "b" has 3/);
    await streams.close();
  });

  it('creates repartition topics named <applicationId>-<name>-repartition with the partition count Kafka chooses', async () => {
    const broker = await broker4('in', 'out');
    const builder = new StreamsBuilder();
    const stream = builder.stream('in', Consumed.with(S, S));
    stream.selectKey((_k, v) => v).repartition(Repartitioned.with(S, S).withName('by-value')).to('out');
    stream.repartition(Repartitioned.with(S, S).withName('fixed').withNumberOfPartitions(7)).to('out2');
    const streams = app(builder.build(), broker);
    await streams.start();
    const admin = broker.admin();
    expect((await admin.describeTopic('app-by-value-repartition')).partitions).toHaveLength(4);
    expect((await admin.describeTopic('app-fixed-repartition')).partitions).toHaveLength(7);
    expect((await admin.describeTopic('app-by-value-repartition')).config['cleanup.policy']).toBe('delete');
    await streams.close();
  });

  it('fails start() when a repartition topic is not co-partitioned with the topics read beside it, or exists with another count', async () => {
    const broker = await broker4('a', 'b');
    const builder = new StreamsBuilder();
    builder
      .stream('a', Consumed.with(S, S))
      .repartition(Repartitioned.with(S, S).withName('three').withNumberOfPartitions(3))
      .merge(builder.stream('b', Consumed.with(S, S)))
      .to('out');
    const mixed = app(builder.build(), broker);
    await expect(mixed.start()).rejects.toThrow(/"app-three-repartition" has 3, "b" has 4/);
    await mixed.close();

    await broker.admin().createTopics([{ topic: 'app2-by-value-repartition', partitions: 2 }]);
    const other = new StreamsBuilder();
    other.stream('a', Consumed.with(S, S)).selectKey((_k, v) => v).repartition(Repartitioned.with(S, S).withName('by-value')).to('out');
    const existing = app(other.build(), broker, { applicationId: 'app2' });
    await expect(existing.start()).rejects.toThrow(/"app2-by-value-repartition" exists with 2 partitions, but the topology needs 4/);
    await existing.close();
  });

  it('rejects unsupported config with a StreamsConfigError naming the setting', () => {
    const topology = upper();
    expect(() => new KafkaStreams(topology, { applicationId: 'x', bootstrapServers: 'localhost:9092' })).toThrow(/bootstrapServers/);
    expect(() => new KafkaStreams(topology, { applicationId: 'x', processingGuarantee: 'exactly_once' as 'exactly_once_v2' })).toThrow(/processingGuarantee/);
    expect(() => new KafkaStreams(topology, { applicationId: 'bad id' })).toThrow(StreamsConfigError);
    expect(() => new KafkaStreams(topology, { applicationId: '' })).toThrow(/applicationId/);
    expect(() => new KafkaStreams(topology, { applicationId: 'x', commitIntervalMs: -1 })).toThrow(/commitIntervalMs/);
  });

  it('store() throws an InvalidStateStoreError naming the store', async () => {
    const broker = await broker4('in', 'out');
    const streams = app(upper(), broker);
    expect(() => streams.store('counts')).toThrow(InvalidStateStoreError);
    expect(() => streams.store('counts')).toThrow(/"counts"/);
  });

  it('a graceful close commits: a restart with the same applicationId continues without loss or duplicates', async () => {
    const broker = await broker4('in', 'out');
    const producer = broker.producer();
    const first = Array.from({ length: 100 }, (_, i) => ({ topic: 'in', key: `k${i % 9}`, value: `a${i}` }));
    await producer.send(first);
    const one = app(upper(), broker, { commitIntervalMs: 60_000 });
    await one.start();
    await readAtLeast(broker, 'out', 100);
    await one.close();
    const second = Array.from({ length: 50 }, (_, i) => ({ topic: 'in', key: `k${i % 9}`, value: `b${i}` }));
    await producer.send(second);
    const two = app(upper(), broker, { commitIntervalMs: 60_000 });
    await two.start();
    await readAtLeast(broker, 'out', 150);
    await waitForState(two, 'RUNNING');
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would show up by now
    const out = (await readTopic(broker, 'out')).map((r) => str(r.value)).sort();
    expect(out).toEqual([...first, ...second].map((r) => r.value.toUpperCase()).sort());
    expect(two.metrics()['process-total']).toBe(50);
    await two.close();
  });
});
