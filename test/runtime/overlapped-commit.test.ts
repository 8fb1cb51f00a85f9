import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { systemClock } from '../../src/core/clock.js';
import type { Consumer } from '../../src/core/client.js';
import type { TopicPartitionOffset } from '../../src/core/record.js';
import { RuntimeRecordCollector } from '../../src/runtime/runtime-record-collector.js';
import { resolveStreamsConfig } from '../../src/runtime/streams-config.js';
import { StreamThread } from '../../src/runtime/stream-thread.js';
import { TaskManager } from '../../src/runtime/task-manager.js';
import { TaskStateManager } from '../../src/runtime/task-state-manager.js';
import { TopologyMetadata } from '../../src/runtime/topology-metadata.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TaskStateDb } from '../../state/task-state-db.js';

const dirs: string[] = [];
const restores: (() => void)[] = [];
afterEach(() => {
  for (const r of restores.splice(0)) r();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Logs when a TaskStateDb.commit is called (its batch is taken) and when it settles. */
function spyOnDbCommits(log: string[]): void {
  const original = TaskStateDb.prototype.commit;
  TaskStateDb.prototype.commit = function (this: TaskStateDb, ...args: Parameters<TaskStateDb['commit']>) {
    log.push('batch taken');
    return original.apply(this, args).finally(() => log.push('batch settled'));
  };
  restores.push(() => (TaskStateDb.prototype.commit = original));
}

/** A consumer whose commits wait for the test to release them. */
function gatedConsumer(log: string[]) {
  const gates: { offsets: TopicPartitionOffset[]; release: (error?: Error) => void }[] = [];
  const consumer = {
    commit: (offsets: TopicPartitionOffset[]) =>
      new Promise<void>((resolve, reject) => {
        log.push(`offsets commit started ${offsets.map((o) => o.offset).join(',')}`);
        gates.push({ offsets, release: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
    groupMetadata: () => null,
  } as unknown as Consumer;
  return { consumer, gates };
}

/** One task (0_0) counting into a persistent logged store, driven by a StreamThread's commit() alone. */
async function setup(consumer: Consumer) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-overlapped-commit-'));
  dirs.push(dir);
  const broker = await Broker.inMemory();
  await broker.admin().createTopics([{ topic: 'in', partitions: 1 }, { topic: 'app-counts-changelog', partitions: 1 }]);
  const builder = new StreamsBuilder();
  builder.stream<string, string>('in').groupByKey().count(Materialized.as<string, number>('counts'));
  const topology = builder.build();
  const config = resolveStreamsConfig({ applicationId: 'app', broker, stateDir: dir, defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string(), logger: { warn: () => {} } });
  const meta = TopologyMetadata.of(topology, 'app');
  const state = new TaskStateManager(meta, config);
  state.bind(broker, broker.admin());
  const collector = new RuntimeRecordCollector(state.trackProducer(broker.producer()), broker.admin());
  const tasks = new TaskManager(topology, meta, config, collector, systemClock, state);
  await tasks.assign([{ topic: 'in', partition: 0 }]);
  const events = { onRebalancing: () => {}, onRunning: () => {}, onFatal: () => {} };
  const thread = new StreamThread(consumer, collector, tasks, config, systemClock, events);
  let offset = 0;
  const input = (key: string) => {
    tasks.route([{ topic: 'in', partition: 0, offset: offset++, timestamp: 1, key: Buffer.from(key), value: Buffer.from('v'), headers: {} }]);
    tasks.process(1000);
  };
  const queue = () => tasks.tasks.get('0_0')!.partitions[0]!;
  return { thread, tasks, input, queue, broker };
}

describe('runtime > StreamThread overlapped interval commit', () => {
  it('returns before the offsets commit is durable, takes the checkpoint batch at once and writes it only after', async () => {
    const log: string[] = [];
    spyOnDbCommits(log);
    const { consumer, gates } = gatedConsumer(log);
    const { thread, input, queue, tasks, broker } = await setup(consumer);
    input('a');
    input('b');
    expect(await thread.commit(true)).toBe(true);
    log.push('commit returned');
    expect(log).toEqual(['offsets commit started 2', 'batch taken', 'commit returned']);
    expect(queue().committedOffset).toBe(-1); // step 4 waits for step 3
    input('a'); // processing goes on; its store write is not in the taken batch
    // A later commit (a revoke's or close's, not overlapped) waits for the one in flight first.
    const second = thread.commit();
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['offsets commit started 2', 'batch taken', 'commit returned']);
    gates[0]!.release();
    await new Promise((r) => setTimeout(r, 20));
    expect(queue().committedOffset).toBe(2);
    // The first batch lands after its offsets commit; the second commit's offsets commit may start before it lands.
    expect(log.slice(3, 5).sort()).toEqual(['batch settled', 'offsets commit started 3']);
    gates[1]!.release();
    await second;
    expect(log.slice(5)).toEqual(['batch taken', 'batch settled']);
    expect(queue().committedOffset).toBe(3);
    await tasks.revokeAll();
    await broker.close();
  });

  it('an offsets commit that fails (not by a rebalance) marks nothing committed, fails the next commit, and its batch is written by a later one', async () => {
    const log: string[] = [];
    spyOnDbCommits(log);
    const { consumer, gates } = gatedConsumer(log);
    const { thread, input, queue, tasks, broker } = await setup(consumer);
    input('a');
    await thread.commit(true);
    gates[0]!.release(new Error('broker unavailable'));
    await expect(thread.commit()).rejects.toThrow('broker unavailable');
    expect(queue().committedOffset).toBe(-1);
    // The failed interval's batch went back to staging: the next commit writes it with its own.
    input('b');
    const next = thread.commit();
    await new Promise((r) => setTimeout(r, 20));
    gates[1]!.release();
    await next;
    expect(queue().committedOffset).toBe(2);
    await tasks.revokeAll();
    await broker.close();
  });
});
