import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import { CommitFailedError } from '../../src/core/errors.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { waitFor } from './runtime-test-helpers.js';
import { committedCounts, exactlyOnceViolation, readAll, StallableClients, wordCount } from './eos-test-kit.js';

const APP = 'eos-zombie';
const REPARTITION = `${APP}-by-word-repartition`;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-eos-fence-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function start(clients: ClientFactory, instanceId: string, warnings: string[] = []): KafkaStreams {
  const app = new KafkaStreams(wordCount('words', 'counts-out'), {
    applicationId: APP,
    broker: clients,
    stateDir: tempDir(),
    processingGuarantee: 'exactly_once_v2',
    instanceId,
    logger: { warn: (m: string, e?: unknown) => void warnings.push(`${m} ${e instanceof Error ? `${e.name}: ${e.message}` : ''}`) },
  });
  cleanups.push(() => app.close().catch(() => undefined));
  return app;
}

const words = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => `w${(i + offset) % 5}`);
let keySeq = 0;
const produce = (b: Broker, ws: readonly string[]) => b.producer().send(ws.map((value) => ({ topic: 'words', key: `k${keySeq++}`, value })));
const committedInputs = async (b: Broker) => (await b.admin().describeGroup(APP)).offsets.filter((o) => o.topic === 'words').reduce((n, o) => n + o.committed, 0);

describe('runtime > exactly_once_v2 > a stalled instance (zombie)', () => {
  it('an instance stalled past its session timeout (no polls, no heartbeats), with an open transaction, cannot commit when it wakes: TaskMigratedError, its writes stay invisible, it rejoins; output stays exactly-once', async () => {
    const b = await Broker.open({ dataDir: tempDir(), fsync: 'never' });
    cleanups.push(() => b.close());
    await b.admin().createTopics([{ topic: 'words', partitions: 4 }, { topic: 'counts-out', partitions: 2 }]);
    // Instance A: a short session timeout, and heartbeats only from its polls (the background heartbeat
    // interval is longer than the test): when its loop stalls it stops polling *and* heartbeating, as
    // in a long GC pause, and the group evicts it after 600 ms (Kafka's session.timeout.ms).
    const stallable = new StallableClients(b, { sessionTimeoutMs: 600, heartbeatIntervalMs: 600_000 });
    const warningsA: string[] = [];
    const a = start(stallable, 'a', warningsA);
    cleanups.push(() => stallable.release()); // runs before A's close (cleanups run in reverse)
    const input = words(40);
    await produce(b, input);
    await a.start();
    await waitFor(async () => (await committedInputs(b)) === input.length, 15_000, 'A commits the first batch');
    const appB = start(b, 'b');
    await appB.start();
    await waitFor(async () => (await b.admin().describeGroup(APP)).members.every((m) => m.assignment.length > 0) && a.state === 'RUNNING' && appB.state === 'RUNNING', 15_000, 'A and B share the partitions');

    // A stalls right after sending records inside its open transaction (before its commit).
    stallable.stall();
    const batch2 = words(60, 1);
    input.push(...batch2);
    await produce(b, batch2);
    await stallable.stalled;
    const uncommittedBefore = (await readAll(b, REPARTITION, 'read_uncommitted')).length;
    // The group drops A and B takes every partition, reprocessing what A had in its open transaction.
    await waitFor(async () => (await b.admin().describeGroup(APP)).members.length === 1, 15_000, 'the group removes the stalled A');
    await waitFor(async () => (await committedInputs(b)) === input.length, 15_000, 'B commits every input');

    // A wakes up and goes on to commit: its commit must fail, and nothing it wrote may become visible.
    stallable.release();
    await waitFor(() => warningsA.some((w) => /TaskMigratedError/.test(w)), 15_000, 'A learns it migrated');
    const migrated = warningsA.find((w) => /TaskMigratedError/.test(w))!;
    expect(migrated).toMatch(/sendOffsetsToTransaction failed because the consumer group rebalanced without this instance/);
    // Pinned: as Kafka Streams (TaskMigratedException: close the tasks dirty, rejoin), A rejoins and runs again — no ERROR.
    await waitFor(() => a.state === 'RUNNING', 15_000, 'A rejoins');
    expect(a.error).toBeUndefined();
    await waitFor(async () => (await b.admin().describeGroup(APP)).members.length === 2, 15_000, 'A is a member again');

    // Both run on: more input, everything counted exactly once.
    const batch3 = words(30, 2);
    input.push(...batch3);
    await produce(b, batch3);
    await waitFor(async () => (await committedInputs(b)) === input.length, 15_000, 'every input committed');
    await waitFor(async () => (await readAll(b, REPARTITION, 'read_committed')).length === input.length, 15_000, 'the repartition topic holds every input');
    await waitFor(async () => exactlyOnceViolation(await committedCounts(b, 'counts-out'), input) === undefined, 15_000, 'committed output = model').catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${exactlyOnceViolation(await committedCounts(b, 'counts-out'), input)}`);
    });
    // A did write inside its transaction; the abort keeps those records from read_committed readers.
    expect(uncommittedBefore).toBeGreaterThan(0);
    const repartition = await readAll(b, REPARTITION, 'read_committed');
    expect(repartition).toHaveLength(input.length);
    expect((await readAll(b, REPARTITION, 'read_uncommitted')).length).toBeGreaterThan(repartition.length);
  }, 60_000);

  it('broker: sendOffsetsToTransaction with the group metadata of a removed member fails with CommitFailedError and adds nothing', async () => {
    const b = await Broker.open({ dataDir: tempDir(), fsync: 'never' });
    cleanups.push(() => b.close());
    await b.admin().createTopics([{ topic: 'words', partitions: 1 }]);
    await produce(b, ['x']);
    const consumer = b.consumer({ groupId: 'g', autoCommit: false, autoOffsetReset: 'earliest', });
    await consumer.subscribe(['words']);
    await waitFor(async () => (await consumer.poll({ timeoutMs: 20 })).length > 0, 5_000, 'a record');
    const meta = consumer.groupMetadata()!;
    const producer = b.producer({ transactionalId: 't' });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.sendOffsetsToTransaction([{ topic: 'words', partition: 0, offset: 1 }], 'g', meta); // still a member: accepted
    await producer.commitTransaction();
    // The member leaves (as a stalled one is removed) and another takes the partition: a new generation without it.
    await consumer.close();
    const other = b.consumer({ groupId: 'g', autoCommit: false, autoOffsetReset: 'earliest' });
    cleanups.push(() => other.close());
    await other.subscribe(['words']);
    await waitFor(async () => (await other.poll({ timeoutMs: 20 }), other.assignment().length === 1), 5_000, 'the other member owns the partition');
    producer.beginTransaction();
    await expect(producer.sendOffsetsToTransaction([{ topic: 'words', partition: 0, offset: 5 }], 'g', meta)).rejects.toBeInstanceOf(CommitFailedError);
    await producer.commitTransaction();
    expect((await b.admin().describeGroup('g')).offsets.find((o) => o.topic === 'words')?.committed).toBe(1);
  });
});
