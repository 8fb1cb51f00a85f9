import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { TaskRestoreProgress } from '../../src/runtime/task-state-manager.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { silentLogger, waitFor, waitForState } from './runtime-test-helpers.js';
import { fastClients, killableClients, readCommitted } from './standby-test-helpers.js';

const S = Serdes.string();
const L = Serdes.long();
const PARTITIONS = 4;
const ALL_TASKS = Array.from({ length: PARTITIONS }, (_, p) => `0_${p}`);
const CHANGELOG = 'sb-counts-changelog';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function brokerWithTopics(): Promise<Broker> {
  const broker = await Broker.inMemory();
  cleanups.push(() => broker.close());
  await broker.admin().createTopics([{ topic: 'in', partitions: PARTITIONS }, { topic: 'counts-out', partitions: PARTITIONS }]);
  return broker;
}

/** Count per key into a persistent, uncached, logged store: every input is one changelog record and one output. */
function countTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, S))
    .groupByKey()
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to('counts-out', Produced.with(S, L));
  return builder.build();
}

function instance(clients: ClientFactory, guarantee: 'at_least_once' | 'exactly_once_v2', standbys: number, commitIntervalMs = guarantee === 'exactly_once_v2' ? 100 : 50): KafkaStreams {
  const app = new KafkaStreams(countTopology(), {
    applicationId: 'sb',
    broker: clients,
    stateDir: tempDir('tributary-standby-'),
    processingGuarantee: guarantee,
    commitIntervalMs,
    numStandbyReplicas: standbys,
    logger: silentLogger,
  });
  cleanups.push(() => app.close());
  return app;
}

const actives = (app: KafkaStreams) => (app.metadataForLocalThreads()[0]?.activeTasks ?? []).map((t) => t.taskId);
const standbyIds = (app: KafkaStreams) => (app.metadataForLocalThreads()[0]?.standbyTasks ?? []).map((t) => t.taskId);
const sortIds = (ids: string[]) => [...ids].sort();

/** Both running, the four tasks split two and two, each instance the standby of the other's. */
function mirrored(a: KafkaStreams, b: KafkaStreams): boolean {
  if (a.state !== 'RUNNING' || b.state !== 'RUNNING') return false;
  const [aa, ba] = [actives(a), actives(b)];
  return (
    aa.length === 2 &&
    ba.length === 2 &&
    JSON.stringify(sortIds([...aa, ...ba])) === JSON.stringify(ALL_TASKS) &&
    JSON.stringify(sortIds(standbyIds(a))) === JSON.stringify(sortIds(ba)) &&
    JSON.stringify(sortIds(standbyIds(b))) === JSON.stringify(sortIds(aa))
  );
}

function inputs(n: number, keys: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ topic: 'in', key: `k${i % keys}`, value: `${tag}${i}` }));
}

function modelOf(records: readonly { key: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(r.key, (m.get(r.key) ?? 0) + 1);
  return m;
}

/** The union of the instances' interactive-query views (undefined while one cannot be queried). */
function queried(apps: readonly KafkaStreams[]): Map<string, number> | undefined {
  const out = new Map<string, number>();
  try {
    for (const app of apps) for (const e of app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all()) out.set(e.key, e.value);
  } catch {
    return undefined;
  }
  return out;
}

const same = (a: Map<string, number> | undefined, b: Map<string, number>) =>
  a !== undefined && a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);

/** Changelog records a read_committed reader sees, per partition. */
async function committedChangelogCounts(broker: Broker): Promise<number[]> {
  const counts = new Array<number>(PARTITIONS).fill(0);
  for (const r of await readCommitted(broker, CHANGELOG)) counts[r.partition]!++;
  return counts;
}

const partitionOf = (task: string) => Number(task.split('_')[1]);

describe('runtime > standby replicas (numStandbyReplicas)', () => {
  it('each instance keeps a standby of the other\'s tasks that converges to the changelog; a clean handover replays nothing', async () => {
    const broker = await brokerWithTopics();
    const a = instance(broker, 'at_least_once', 1);
    const b = instance(broker, 'at_least_once', 1);
    await a.start();
    await b.start();
    await waitFor(() => mirrored(a, b), 15_000, 'two actives each, each the standby of the other');
    // IQ serves active tasks only: each instance's view holds its own partitions' keys, never its standbys'.
    const records = inputs(2000, 200, 'x');
    await broker.producer().send(records);
    const model = modelOf(records);
    await waitFor(() => same(queried([a, b]), model), 15_000, 'the two views to hold the model');
    const viewA = queried([a])!;
    const viewB = queried([b])!;
    expect(viewA.size + viewB.size).toBe(model.size);

    // Convergence: every changelog record of the other instance's tasks reaches the standby (bounded poll).
    const perPartition = await committedChangelogCounts(broker);
    expect(perPartition.reduce((x, y) => x + y, 0)).toBe(2000);
    const expectedApplied = (app: KafkaStreams) => standbyIds(app).reduce((n, t) => n + perPartition[partitionOf(t)]!, 0);
    await waitFor(
      () => a.metrics()['standby-records-total'] === expectedApplied(a) && b.metrics()['standby-records-total'] === expectedApplied(b),
      10_000,
      'both standbys to apply their changelogs up to the end',
    );

    // A leaves cleanly: B runs all four tasks; its standbys of A's two become active from their
    // checkpoints, so B replays no changelog record at all, and serves the whole model.
    const restoredBefore = b.metrics()['restore-records-total']!;
    await a.close();
    await waitFor(() => b.state === 'RUNNING' && actives(b).length === PARTITIONS, 15_000, 'B to run every task');
    expect(b.metrics()['restore-records-total']! - restoredBefore).toBe(0);
    expect(standbyIds(b)).toEqual([]); // no other instance to keep them
    expect(same(queried([b]), model)).toBe(true);
  });

  it('exactly_once_v2: the active instance is killed mid-transaction; its tasks resume on the standby instance, replaying only the tail, and every input is counted once', async () => {
    const broker = await brokerWithTopics();
    const killable = killableClients(broker);
    // A long commit interval keeps A's transactions open long enough to be killed inside one.
    const a = instance(killable, 'exactly_once_v2', 1, 1000);
    const b = instance(fastClients(broker), 'exactly_once_v2', 1, 1000);
    await a.start();
    await b.start();
    await waitFor(() => mirrored(a, b), 15_000, 'two actives each, each the standby of the other');
    const movedTasks = actives(a);

    const first = inputs(4000, 400, 'p');
    await broker.producer().send(first);
    await waitFor(async () => (await readCommitted(broker, 'counts-out')).length === 4000, 20_000, 'phase 1 committed');
    const changelog = await committedChangelogCounts(broker);
    const movedChangelog = movedTasks.reduce((n, t) => n + changelog[partitionOf(t)]!, 0);
    await waitFor(() => b.metrics()['standby-records-total'] === movedChangelog, 10_000, 'B\'s standbys to catch up');

    // Phase 2: kill A while its transaction is open — its changelog records are in the log, not yet
    // committed (last stable offset < high watermark) — so it neither commits nor aborts.
    const second = inputs(20_000, 400, 'q');
    await broker.producer().send(second);
    const openTxn = async () => {
      const d = await broker.admin().describeTopic(CHANGELOG);
      return movedTasks.some((t) => d.partitions[partitionOf(t)]!.lastStableOffset < d.partitions[partitionOf(t)]!.highWatermark);
    };
    await waitFor(openTxn, 10_000, 'A to have an open transaction');
    killable.kill();
    const restoredBefore = b.metrics()['restore-records-total']!;
    const restored: TaskRestoreProgress[] = [];
    const sub = b.restoreProgress$.subscribe((p) => p.done && restored.push(p));
    const states: string[] = [];
    const stateSub = b.state$.subscribe((s) => states.push(s));
    expect(await openTxn()).toBe(true); // the dead instance's transaction stays open (until its 10 s timeout)
    await waitForState(a, 'ERROR');

    // B takes A's tasks after A's session expires; A's open transaction is aborted by its 10 s timeout.
    await waitFor(() => b.state === 'RUNNING' && actives(b).length === PARTITIONS, 20_000, 'B to run every task');
    const model = modelOf([...first, ...second]);
    await waitFor(async () => (await readCommitted(broker, 'counts-out')).length >= 24_000, 30_000, 'every count committed');
    sub.unsubscribe();
    stateSub.unsubscribe();
    // B restored the moved tasks while REBALANCING, then ran them.
    expect(states.slice(1).join(' ')).toMatch(/^REBALANCING.* RUNNING$/);

    // Exactly once: per key the committed counts are 1, 2, ..., n — no gap, no repeat.
    const byKey = new Map<string, number[]>();
    for (const r of await readCommitted(broker, 'counts-out')) {
      const key = r.key!.toString();
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push(Number(L.deserialize(r.value, 'counts-out')));
    }
    expect(byKey.size).toBe(model.size);
    for (const [key, n] of model) expect(byKey.get(key)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(same(queried([b]), model)).toBe(true);

    // Only the tail was replayed: far less than the moved tasks' changelog (4000 / 2 records or so).
    const replayed = b.metrics()['restore-records-total']! - restoredBefore;
    expect(movedChangelog).toBeGreaterThan(1000);
    expect(replayed).toBeLessThan(movedChangelog / 10);
    expect(restored.filter((p) => movedTasks.includes(p.taskId)).length).toBe(movedTasks.length);
  }, 60_000);

  it('without a standby the same failover replays the moved tasks\' whole changelog (the comparison)', async () => {
    const broker = await brokerWithTopics();
    const killable = killableClients(broker);
    const a = instance(killable, 'exactly_once_v2', 0);
    const b = instance(fastClients(broker), 'exactly_once_v2', 0);
    await a.start();
    await b.start();
    await waitFor(() => a.state === 'RUNNING' && b.state === 'RUNNING' && actives(a).length === 2 && actives(b).length === 2, 15_000, 'two actives each');
    expect(standbyIds(a)).toEqual([]);
    const movedTasks = actives(a);
    const first = inputs(4000, 400, 'p');
    await broker.producer().send(first);
    await waitFor(async () => (await readCommitted(broker, 'counts-out')).length === 4000, 20_000, 'phase 1 committed');
    const changelog = await committedChangelogCounts(broker);
    const movedChangelog = movedTasks.reduce((n, t) => n + changelog[partitionOf(t)]!, 0);
    const restoredBefore = b.metrics()['restore-records-total']!;
    killable.kill();
    await waitFor(() => b.state === 'RUNNING' && actives(b).length === PARTITIONS, 20_000, 'B to run every task');
    expect(b.metrics()['restore-records-total']! - restoredBefore).toBe(movedChangelog);
    expect(same(queried([b]), modelOf(first))).toBe(true);
  }, 60_000);
});
