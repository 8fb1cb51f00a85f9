import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { ManualClock } from '../../src/core/clock.js';
import { IllegalStateError } from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import { Record } from '../../src/processor/record.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { KafkaStreamsStateMachine } from '../../src/runtime/kafka-streams-state.js';
import { PartitionGroup } from '../../src/runtime/partition-group.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, readTopic, silentLogger, str, waitFor } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const rec = (topic: string, offset: number, timestamp: number): ConsumedRecord => ({
  topic,
  partition: 0,
  offset,
  timestamp,
  key: null,
  value: null,
  headers: {},
});

describe('runtime > PartitionGroup', () => {
  it('always takes the buffered head with the smallest timestamp, keeping each partition in offset order', () => {
    const group = new PartitionGroup();
    const a = group.add('a', 0);
    const b = group.add('b', 0);
    for (const [o, ts] of [[0, 5], [1, 1], [2, 9]] as const) group.push(a, rec('a', o, ts));
    for (const [o, ts] of [[0, 3], [1, 4], [2, 20]] as const) group.push(b, rec('b', o, ts));
    const order: string[] = [];
    for (let r = group.next(); r !== undefined; r = group.next()) order.push(`${r.topic}${r.offset}`);
    // a0 (5) blocks a1 (1): a partition is never reordered; b0 (3) and b1 (4) go first.
    expect(order).toEqual(['b0', 'b1', 'a0', 'a1', 'a2', 'b2']);
    expect(group.buffered).toBe(0);
  });

  it('drops what a removed partition buffered', () => {
    const group = new PartitionGroup();
    group.push(group.add('a', 0), rec('a', 0, 1));
    group.push(group.add('a', 1), rec('a', 0, 2));
    expect(group.remove('a', 0)?.topic).toBe('a');
    expect(group.buffered).toBe(1);
    expect(group.next()?.timestamp).toBe(2);
  });
});

describe('runtime > KafkaStreamsStateMachine', () => {
  it('allows the moves of the transition table and throws on any other', () => {
    const m = new KafkaStreamsStateMachine();
    expect(() => m.transition('RUNNING')).toThrow(IllegalStateError);
    m.transition('REBALANCING');
    m.transition('RUNNING');
    m.transition('REBALANCING');
    m.transition('RUNNING');
    expect(() => m.transition('CREATED')).toThrow(/cannot move from RUNNING to CREATED/);
    m.transition('PENDING_SHUTDOWN');
    expect(() => m.transition('ERROR')).toThrow(IllegalStateError);
    m.transition('NOT_RUNNING');
    expect(m.canTransition('REBALANCING')).toBe(false);
  });
});

describe('runtime > KafkaStreams wiring', () => {
  it('gives a custom sink partitioner the output topic partition count and honours its choice', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 4 }, { topic: 'out', partitions: 5 }]);
    const counts = new Set<number>();
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to(
      'out',
      Produced.with(S, S).withStreamPartitioner((_t, _k, v, n) => {
        counts.add(n);
        return Number(v) % n;
      }),
    );
    const app = new KafkaStreams(builder.build(), { applicationId: 'part', broker, logger: silentLogger });
    open.push(app);
    await broker.producer().send(Array.from({ length: 20 }, (_, i) => ({ topic: 'in', key: `k${i}`, value: String(i) })));
    await app.start();
    const out = await readAtLeast(broker, 'out', 20);
    expect(counts).toEqual(new Set([5]));
    for (const r of out) expect(r.partition).toBe(Number(str(r.value)) % 5);
  });

  it('fires stream-time punctuators as records arrive and wall-clock punctuators as the clock moves', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 1 }, { topic: 'ticks', partitions: 1 }]);
    const clock = new ManualClock(0);
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .process(() => ({
        init(ctx: ProcessorContext<string, string>) {
          ctx.schedule(100, 'STREAM_TIME', (t) => ctx.forward(new Record('stream', String(t), t)));
          ctx.schedule(1000, 'WALL_CLOCK_TIME', (t) => ctx.forward(new Record('wall', String(t), t)));
        },
        process() {},
      }))
      .to('ticks', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'punct', broker, clock, logger: silentLogger });
    open.push(app);
    await broker.producer().send([50, 120, 310].map((timestamp) => ({ topic: 'in', key: 'k', value: 'v', timestamp })));
    await app.start();
    await waitFor(() => app.metrics()['process-total'] === 3, 10_000, 'three records processed');
    clock.advance(1000);
    const ticks = await readAtLeast(broker, 'ticks', 4);
    expect(ticks.map((r) => `${str(r.key)}@${str(r.value)}`)).toEqual(['stream@50', 'stream@120', 'stream@310', 'wall@1000']);
  });

  it('a task reading two co-partitioned topics processes their buffered records in timestamp order', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'left', partitions: 1 }, { topic: 'right', partitions: 1 }, { topic: 'out', partitions: 1 }]);
    await broker.producer().send([
      ...[10, 30, 50].map((timestamp) => ({ topic: 'left', key: 'k', value: `L${timestamp}`, timestamp })),
      ...[20, 40, 60].map((timestamp) => ({ topic: 'right', key: 'k', value: `R${timestamp}`, timestamp })),
    ]);
    const builder = new StreamsBuilder();
    builder.stream(['left', 'right'], Consumed.with(S, S)).to('out', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'order', broker, logger: silentLogger });
    open.push(app);
    await app.start();
    const out = await readAtLeast(broker, 'out', 6);
    expect(out.map((r) => str(r.value))).toEqual(['L10', 'R20', 'L30', 'R40', 'L50', 'R60']);
    expect(app.metrics()['active-tasks']).toBe(1);
  });

  it('lets timers run while it works through a backlog (the loop yields to the event loop)', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 2 }, { topic: 'out', partitions: 2 }]);
    const producer = broker.producer();
    const total = 100_000;
    for (let i = 0; i < total; i += 10_000) {
      await producer.send(Array.from({ length: 10_000 }, (_, j) => ({ topic: 'in', key: `k${(i + j) % 100}`, value: 'v' })));
    }
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'yield', broker, logger: silentLogger });
    open.push(app);
    await app.start();
    await waitFor(() => (app.metrics()['process-total'] ?? 0) > 0, 10_000, 'processing to begin');
    const processedWhenTimerFired = await new Promise<number>((resolve) => setTimeout(() => resolve(app.metrics()['process-total']!), 1));
    expect(processedWhenTimerFired).toBeLessThan(total);
    await waitFor(() => app.metrics()['process-total'] === total, 20_000, 'the backlog');
  });

  it('reports the committed lag of its partitions after an interval commit', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 2 }, { topic: 'out', partitions: 2 }]);
    await broker.producer().send(Array.from({ length: 30 }, (_, i) => ({ topic: 'in', key: `k${i}`, value: 'v' })));
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, S));
    const app = new KafkaStreams(builder.build(), { applicationId: 'lag', broker, commitIntervalMs: 20, logger: silentLogger });
    open.push(app);
    expect(app.metrics()['committed-lag-total']).toBeUndefined();
    await app.start();
    await waitFor(() => app.metrics()['committed-lag-total'] === 0 && app.metrics()['process-total'] === 30, 10_000, 'lag 0');
    await broker.producer().send([{ topic: 'in', key: 'late', value: 'v' }]);
    await waitFor(() => app.metrics()['process-total'] === 31, 10_000, 'the late record');
    expect(app.metrics()['committed-lag-max']).toBeLessThanOrEqual(1);
    expect(app.metrics()['commit-total']).toBeGreaterThan(0);
  });

  it('cleanUp() deletes <stateDir>/<applicationId> only before start() or after close(), leaving the broker alone', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-cleanup-'));
    try {
      const broker = await Broker.inMemory();
      open.push(broker);
      await broker.admin().createTopics([{ topic: 'in', partitions: 1 }]);
      mkdirSync(join(stateDir, 'clean', '0_0'), { recursive: true });
      writeFileSync(join(stateDir, 'clean', '0_0', 'x'), 'state');
      mkdirSync(join(stateDir, 'broker'));
      const builder = new StreamsBuilder();
      builder.stream('in', Consumed.with(S, S)).to('out');
      const app = new KafkaStreams(builder.build(), { applicationId: 'clean', broker, stateDir, logger: silentLogger });
      await app.cleanUp();
      expect(existsSync(join(stateDir, 'clean'))).toBe(false);
      expect(existsSync(join(stateDir, 'broker'))).toBe(true);
      await app.start();
      await expect(app.cleanUp()).rejects.toThrow(/only before start\(\) or after close\(\)/);
      await app.close();
      await app.cleanUp();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('without a broker opens a durable embedded broker under stateDir, and closes it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-runtime-'));
    try {
      const setup = await Broker.open({ dataDir: join(stateDir, 'broker') });
      await setup.admin().createTopics([{ topic: 'in', partitions: 2 }, { topic: 'out', partitions: 2 }]);
      await setup.producer().send(['x', 'y', 'z'].map((value) => ({ topic: 'in', key: value, value })));
      await setup.close();

      const builder = new StreamsBuilder();
      builder.stream('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
      const app = new KafkaStreams(builder.build(), { applicationId: 'durable', stateDir, logger: silentLogger });
      await app.start();
      await waitFor(() => app.metrics()['process-total'] === 3, 10_000, 'three records processed');
      await app.close();

      const reopened = await Broker.open({ dataDir: join(stateDir, 'broker') }); // the app released the lock
      const out = await readTopic(reopened, 'out');
      expect(out.map((r) => str(r.value)).sort()).toEqual(['X', 'Y', 'Z']);
      expect((await reopened.admin().describeGroup('durable')).offsets.reduce((n, o) => n + o.committed, 0)).toBe(3);
      await reopened.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
