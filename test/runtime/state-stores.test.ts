import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { InvalidStateStoreError } from '../../src/core/errors.js';
import { ValueAndTimestampSerde } from '../../src/processor/value-and-timestamp.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { TaskRestoreProgress } from '../../src/runtime/task-state-manager.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TaskStateDb } from '../../state/task-state-db.js';
import { readTopic, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const countSerde = new ValueAndTimestampSerde(Serdes.long());
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function durableBroker(): Promise<Broker> {
  const broker = await Broker.open({ dataDir: tempDir('tributary-state-broker-'), fsync: 'never' });
  cleanups.push(() => broker.close());
  await broker.admin().createTopics([{ topic: 'lines', partitions: 3 }]);
  return broker;
}

/** lines → split → groupBy(word) → count(Materialized.as('counts')): a persistent, cached, logged store. */
function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream('lines', Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S).withName('by-word'))
    .count(Materialized.as<string, number>('counts'));
  return builder.build();
}

function startApp(broker: Broker, stateDir: string, applicationId = 'wc') {
  const app = new KafkaStreams(wordCount(), { applicationId, broker, stateDir, commitIntervalMs: 50, logger: silentLogger });
  cleanups.push(() => app.close());
  return app;
}

function modelOf(lines: readonly string[]): Map<string, number> {
  const model = new Map<string, number>();
  for (const w of lines.flatMap((l) => l.split(' '))) model.set(w, (model.get(w) ?? 0) + 1);
  return model;
}

const sorted = (m: Map<string, number>) => JSON.stringify([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function storeContents(app: KafkaStreams): Map<string, number> {
  const view = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
  return new Map(view.all().map((e) => [e.key, e.value]));
}

async function produceLines(broker: Broker, lines: readonly string[]): Promise<void> {
  await broker.producer().send(lines.map((value, i) => ({ topic: 'lines', key: `line${i}`, value })));
}

const LINES = ['a b c', 'b c d', 'c d e', 'a a a', 'e e b', 'kafka streams in typescript', 'streams of words'];

describe('runtime > state stores (persistent store, changelog, restore, interactive queries)', () => {
  it('word count with a persistent Materialized store: counts are queryable and the changelog holds the updates', async () => {
    const broker = await durableBroker();
    const app = startApp(broker, tempDir('tributary-state-'));
    await produceLines(broker, LINES);
    await app.start();
    const model = modelOf(LINES);
    await waitFor(() => app.state === 'RUNNING' && sorted(storeContents(app)) === sorted(model), 10_000, 'the store to hold the model counts');
    expect(app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).get('c')).toBe(3);
    expect(app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).get('nope')).toBeNull();

    const desc = await broker.admin().describeTopic('wc-counts-changelog');
    expect(desc.partitions).toHaveLength(3);
    expect(desc.config['cleanup.policy']).toBe('compact');
    // After a commit the changelog's latest value per key is the model count.
    await waitFor(async () => {
      const latest = new Map<string, number>();
      for (const r of await readTopic(broker, 'wc-counts-changelog')) latest.set(str(r.key)!, countSerde.deserialize(r.value)!.value);
      return sorted(latest) === sorted(model);
    }, 10_000, 'the changelog to hold the counts');
  });

  it('restores the store from the changelog after the task state directories are deleted, reporting progress', async () => {
    const broker = await durableBroker();
    const stateDir = tempDir('tributary-state-');
    const first = startApp(broker, stateDir);
    await produceLines(broker, LINES);
    await first.start();
    const model = modelOf(LINES);
    await waitFor(() => first.state === 'RUNNING' && sorted(storeContents(first)) === sorted(model), 10_000, 'the first run');
    await first.close();
    const taskDirs = readdirSync(join(stateDir, 'wc'));
    expect(taskDirs.length).toBeGreaterThan(0);
    for (const d of taskDirs) rmSync(join(stateDir, 'wc', d), { recursive: true, force: true });

    const second = startApp(broker, stateDir);
    const progress: TaskRestoreProgress[] = [];
    second.restoreProgress$.subscribe((p) => progress.push(p));
    await second.start();
    await waitForState(second, 'RUNNING');
    expect(sorted(storeContents(second))).toBe(sorted(model));
    const counts = progress.filter((p) => p.store === 'counts' && p.done);
    expect(counts.map((p) => p.taskId).sort()).toEqual(['1_0', '1_1', '1_2']);
    expect(counts.reduce((n, p) => n + p.restored, 0)).toBeGreaterThanOrEqual(model.size);
    for (const p of counts) expect(p.restored).toBe(p.total);
    expect(second.metrics()['restore-records-total']).toBeGreaterThanOrEqual(model.size);
    expect(second.metrics()['restore-total']).toBe(3);
    expect(second.metrics()['restoring-stores']).toBe(0);
    expect(progress.every((p) => p.topic === 'wc-counts-changelog')).toBe(true);
  });

  it('after a clean close, a restart restores only the changelog tail past the checkpoint', async () => {
    const broker = await durableBroker();
    const stateDir = tempDir('tributary-state-');
    const first = startApp(broker, stateDir);
    await produceLines(broker, LINES);
    await first.start();
    const model = modelOf(LINES);
    await waitFor(() => first.state === 'RUNNING' && sorted(storeContents(first)) === sorted(model), 10_000, 'the first run');
    await first.close();

    // Two changelog records past the checkpoint of partition 1 (as another owner would have written).
    await broker.producer().send([
      { topic: 'wc-counts-changelog', partition: 1, key: 'zzz', value: countSerde.serialize({ value: 41, timestamp: 1 }) },
      { topic: 'wc-counts-changelog', partition: 1, key: 'zzz', value: countSerde.serialize({ value: 42, timestamp: 2 }) },
    ]);
    const second = startApp(broker, stateDir);
    const progress: TaskRestoreProgress[] = [];
    second.restoreProgress$.subscribe((p) => progress.push(p));
    await second.start();
    await waitForState(second, 'RUNNING');
    const done = progress.filter((p) => p.store === 'counts' && p.done);
    expect(done).toHaveLength(3);
    const byTask = new Map(done.map((p) => [p.taskId, p]));
    expect(byTask.get('1_0')!.total).toBe(0);
    expect(byTask.get('1_2')!.total).toBe(0);
    expect(byTask.get('1_1')!.total).toBe(2);
    expect(byTask.get('1_1')!.restored).toBe(2);
    const expected = new Map(model).set('zzz', 42);
    expect(sorted(storeContents(second))).toBe(sorted(expected));
  });

  it('a checkpoint past the changelog end (changelog recreated) wipes the local state and restores from the changelog', async () => {
    const broker = await durableBroker();
    const stateDir = tempDir('tributary-state-');
    const first = startApp(broker, stateDir);
    await produceLines(broker, LINES);
    await first.start();
    await waitFor(() => first.state === 'RUNNING' && sorted(storeContents(first)) === sorted(modelOf(LINES)), 10_000, 'the first run');
    await first.close();
    // The changelog is lost and recreated empty: the local checkpoints are ahead of it.
    await broker.admin().deleteTopics(['wc-counts-changelog']);
    await broker.admin().createTopics([{ topic: 'wc-counts-changelog', partitions: 3, config: { 'cleanup.policy': 'compact' } }]);
    await broker.producer().send([{ topic: 'wc-counts-changelog', partition: 0, key: 'only', value: countSerde.serialize({ value: 7, timestamp: 1 }) }]);
    const warnings: string[] = [];
    const second = new KafkaStreams(wordCount(), { applicationId: 'wc', broker, stateDir, commitIntervalMs: 50, logger: { warn: (m) => warnings.push(m) } });
    cleanups.push(() => second.close());
    await second.start();
    await waitForState(second, 'RUNNING');
    expect(sorted(storeContents(second))).toBe(sorted(new Map([['only', 7]])));
    expect(warnings.filter((w) => /past the changelog end/.test(w))).toHaveLength(3);
  });

  it('a corrupt task state directory is wiped with a warning and the store is restored from the changelog', async () => {
    const broker = await durableBroker();
    const stateDir = tempDir('tributary-state-');
    const first = startApp(broker, stateDir);
    await produceLines(broker, LINES);
    await first.start();
    const model = modelOf(LINES);
    await waitFor(() => first.state === 'RUNNING' && sorted(storeContents(first)) === sorted(model), 10_000, 'the first run');
    await first.close();
    const taskDirs = readdirSync(join(stateDir, 'wc'));
    expect(taskDirs.sort()).toEqual(['1_0', '1_1', '1_2']); // only the tasks with stores have a state directory
    for (const d of taskDirs) writeFileSync(join(stateDir, 'wc', d, 'CURRENT'), 'not a LevelDB file\u0000garbage');
    const warnings: string[] = [];
    const second = new KafkaStreams(wordCount(), { applicationId: 'wc', broker, stateDir, commitIntervalMs: 50, logger: { warn: (m) => warnings.push(m) } });
    cleanups.push(() => second.close());
    await second.start();
    await waitForState(second, 'RUNNING');
    expect(warnings.filter((w) => /corrupt/.test(w))).toHaveLength(3);
    expect(sorted(storeContents(second))).toBe(sorted(model));
  });

  it('a task whose state directory is still locked by its previous owner waits for the lock, then restores', async () => {
    const broker = await durableBroker();
    const stateDir = tempDir('tributary-state-');
    const first = startApp(broker, stateDir);
    await produceLines(broker, LINES);
    await first.start();
    const model = modelOf(LINES);
    await waitFor(() => first.state === 'RUNNING' && sorted(storeContents(first)) === sorted(model), 10_000, 'the first run');
    await first.close();
    const holder = await TaskStateDb.open({ dir: join(stateDir, 'wc', '1_1'), owner: 'a closing task' });
    const second = startApp(broker, stateDir);
    const starting = second.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(second.state).toBe('REBALANCING');
    await holder.close();
    await starting;
    await waitForState(second, 'RUNNING');
    expect(sorted(storeContents(second))).toBe(sorted(model));
  });

  it('two instances: each view holds only its own tasks\' keys, and their union is the model', async () => {
    const broker = await durableBroker();
    const a = startApp(broker, tempDir('tributary-state-a-'));
    const b = startApp(broker, tempDir('tributary-state-b-'));
    await a.start();
    await waitForState(a, 'RUNNING');
    await b.start();
    const ownTasks = (app: KafkaStreams) => (app.metadataForLocalThreads()[0]?.activeTasks ?? []).map((t) => t.taskId);
    await waitFor(
      () => a.state === 'RUNNING' && b.state === 'RUNNING' && ownTasks(a).length > 0 && ownTasks(b).length > 0,
      15_000,
      'both instances to run tasks',
    );
    await produceLines(broker, LINES);
    const model = modelOf(LINES);
    const union = () => {
      const u = new Map<string, number>();
      for (const app of [a, b]) for (const [k, v] of storeContents(app)) u.set(k, (u.get(k) ?? 0) + v);
      return u;
    };
    await waitFor(() => sorted(union()) === sorted(model), 15_000, 'the union of the views to be the model');
    // Which changelog partition (= task partition) each word lives in.
    await waitFor(async () => (await readTopic(broker, 'wc-counts-changelog')).length >= model.size, 10_000, 'the changelog');
    const partitionOf = new Map<string, number>();
    for (const r of await readTopic(broker, 'wc-counts-changelog')) partitionOf.set(str(r.key)!, r.partition);
    for (const app of [a, b]) {
      const own = new Set(ownTasks(app).filter((t) => t.startsWith('1_')).map((t) => Number(t.split('_')[1])));
      const keys = [...storeContents(app).keys()];
      for (const k of keys) expect(own.has(partitionOf.get(k)!)).toBe(true);
    }
    const keysA = new Set(storeContents(a).keys());
    expect([...storeContents(b).keys()].filter((k) => keysA.has(k))).toEqual([]);
  });

  it('store() of an unknown name throws an InvalidStateStoreError naming it and the known stores', async () => {
    const broker = await durableBroker();
    const app = startApp(broker, tempDir('tributary-state-'));
    await app.start();
    await waitForState(app, 'RUNNING');
    const query = () => app.store('countz', QueryableStoreTypes.keyValueStore());
    expect(query).toThrow(InvalidStateStoreError);
    expect(query).toThrow(/"countz".*"counts"/);
    expect(() => app.store('counts', QueryableStoreTypes.windowStore())).toThrow(/not a window store/);
  });

  it('store() while the store restores throws an InvalidStateStoreError saying so, and the app is REBALANCING', async () => {
    const broker = await durableBroker();
    // A long changelog, written before the application ever ran: its tasks restore it on start.
    await broker.admin().createTopics([{ topic: 'wc-counts-changelog', partitions: 3, config: { 'cleanup.policy': 'compact' } }]);
    const records = Array.from({ length: 6_000 }, (_, i) => ({
      topic: 'wc-counts-changelog',
      partition: i % 3,
      key: `w${i % 1500}`,
      value: countSerde.serialize({ value: i, timestamp: i }),
    }));
    await broker.producer().send(records);
    const app = new KafkaStreams(wordCount(), { applicationId: 'wc', broker, stateDir: tempDir('tributary-state-'), commitIntervalMs: 50, maxPollRecords: 200, logger: silentLogger });
    cleanups.push(() => app.close());
    const seen: { state: string; error: unknown }[] = [];
    const progress: TaskRestoreProgress[] = [];
    app.restoreProgress$.subscribe((p) => {
      progress.push(p);
      if (p.done) return;
      try {
        app.store('counts', QueryableStoreTypes.keyValueStore());
        seen.push({ state: app.state, error: undefined });
      } catch (error) {
        seen.push({ state: app.state, error });
      }
    });
    await app.start();
    await waitForState(app, 'RUNNING');
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) {
      expect(s.state).toBe('REBALANCING');
      expect(s.error).toBeInstanceOf(InvalidStateStoreError);
      expect((s.error as Error).message).toMatch(/"counts".*restoring/);
    }
    // Batches of at most maxPollRecords: progress comes in several steps per partition.
    expect(progress.filter((p) => !p.done && p.restored > 0).length).toBeGreaterThanOrEqual(6);
    // Restored: the last value logged for each key.
    const view = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
    expect(view.get('w0')).toBe(4500);
    expect(view.get('w1499')).toBe(5999);
    expect(view.all()).toHaveLength(1500);
  });
});
