import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { IsolationLevel } from '../../src/core/client.js';
import { TaskMigratedError } from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import { KafkaStreams, type StreamsUncaughtExceptionResponse } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { silentLogger, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const L = Serdes.long();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-eos-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function broker(): Promise<Broker> {
  const b = await Broker.open({ dataDir: tempDir(), fsync: 'never' });
  cleanups.push(() => b.close());
  await b.admin().createTopics([{ topic: 'words', partitions: 2 }, { topic: 'counts-out', partitions: 2 }]);
  return b;
}

/** Throws on each word listed here, once (the entry is removed), to inject a mid-interval failure. */
const poison = new Set<string>();

/** words → groupBy(word) (repartition) → count('counts', no cache: every update is emitted) → counts-out. */
function wordCount() {
  const builder = new StreamsBuilder();
  builder
    .stream('words', Consumed.with(S, S))
    .mapValues((w) => {
      if (poison.delete(w)) throw new Error(`poison ${w}`);
      return w;
    })
    .groupBy((_k, w) => w, Grouped.with(S, S).withName('by-word'))
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to('counts-out', Produced.with(S, L));
  return builder.build();
}

function app(b: Broker, stateDir: string, opts: { instanceId?: string; commitIntervalMs?: number; maxPollRecords?: number; handler?: StreamsUncaughtExceptionResponse } = {}) {
  const a = new KafkaStreams(wordCount(), { applicationId: 'eos-wc', broker: b, stateDir, processingGuarantee: 'exactly_once_v2', logger: silentLogger, ...opts });
  if (opts.handler !== undefined) a.setUncaughtExceptionHandler(() => opts.handler!);
  cleanups.push(() => a.close());
  return a;
}

async function read(b: Broker, topic: string, isolationLevel: IsolationLevel): Promise<ConsumedRecord[]> {
  const desc = await b.admin().describeTopic(topic);
  const consumer = b.consumer({ autoOffsetReset: 'earliest', isolationLevel });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  const out: ConsumedRecord[] = [];
  for (let i = 0; i < 20; i++) {
    const got = await consumer.poll({ maxRecords: 10_000, timeoutMs: 50 });
    out.push(...got);
    if (got.length === 0 && i > 2) break;
  }
  await consumer.close();
  return out;
}

/** Committed output per key, in order: with every update emitted, exactly-once means 1, 2, ..., n. */
async function committedCounts(b: Broker): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await read(b, 'counts-out', 'read_committed')) {
    const k = r.key!.toString();
    out.set(k, [...(out.get(k) ?? []), Number(L.deserialize(r.value, 'counts-out'))]);
  }
  return out;
}

function expectExactlyOnce(counts: Map<string, number[]>, words: readonly string[]): void {
  const model = new Map<string, number>();
  for (const w of words) model.set(w, (model.get(w) ?? 0) + 1);
  expect(new Set(counts.keys())).toEqual(new Set(model.keys()));
  for (const [w, n] of model) expect(counts.get(w), `updates of "${w}"`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

const words = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => `w${(i + offset) % 7}`);
const produce = (b: Broker, ws: readonly string[]) => b.producer().send(ws.map((value, i) => ({ topic: 'words', key: `k${i}`, value })));
/** Waits until the read_committed output holds `n` updates (the count sub-topology sees repartition records only once committed). */
const outputReaches = (b: Broker, n: number) => waitFor(async () => (await read(b, 'counts-out', 'read_committed')).length >= n, 15_000, `${n} committed outputs`);
const committedTotal = async (b: Broker) => (await b.admin().describeGroup('eos-wc')).offsets.filter((o) => o.topic === 'words').reduce((n, o) => n + o.committed, 0);

describe('runtime > exactly_once_v2', () => {
  it('word count: each input counted once in the read_committed output; offsets committed through the transaction', async () => {
    const b = await broker();
    const input = words(60);
    await produce(b, input);
    const a = app(b, tempDir());
    await a.start();
    // Offsets reach the group only through commitTransaction (there is no consumer.commit under EOS).
    await waitFor(async () => (await committedTotal(b)) === input.length, 15_000, 'input offsets committed');
    await outputReaches(b, input.length);
    expectExactlyOnce(await committedCounts(b), input);
    expect(a.metrics()['commit-total']).toBeGreaterThan(0);
  });

  it('a failure mid-interval aborts the transaction: its outputs stay invisible and the replacement thread counts each input once', async () => {
    const b = await broker();
    // Small polls: several iterations send repartition records inside the open transaction before the poison record.
    const a = app(b, tempDir(), { commitIntervalMs: 1_000, maxPollRecords: 3, handler: 'REPLACE_THREAD' });
    poison.add('boom');
    const input = [...words(30), 'boom', ...words(5, 3)];
    await produce(b, input);
    const died = new Promise<Error>((resolve) => a.onError(resolve));
    await a.start();
    expect((await died).message).toMatch(/poison boom/);
    await waitFor(async () => (await committedTotal(b)) === input.length, 15_000, 'replacement commits everything');
    await outputReaches(b, input.length);
    expectExactlyOnce(await committedCounts(b), input);
    // The aborted attempt did write: the raw repartition log holds more than its committed view.
    const repartition = 'eos-wc-by-word-repartition';
    expect((await read(b, repartition, 'read_uncommitted')).length).toBeGreaterThan((await read(b, repartition, 'read_committed')).length);
    expect(await read(b, repartition, 'read_committed')).toHaveLength(input.length);
  });

  it('fencing: a second instance with the same instanceId fences the first, which stops with a TaskMigratedError; output stays exactly-once', async () => {
    const b = await broker();
    const first = app(b, tempDir(), { instanceId: 'same' });
    const batch1 = words(20);
    await produce(b, batch1);
    await first.start();
    await waitFor(async () => (await committedTotal(b)) === batch1.length, 15_000, 'first commits');
    const second = app(b, tempDir(), { instanceId: 'same' });
    await second.start();
    // The first instance learns it is fenced at its next transactional call, so give it input: an
    // idle instance would keep running until it had something to commit (as in Kafka).
    const batch2 = words(25, 2);
    await produce(b, batch2);
    await waitForState(first, 'ERROR', 15_000);
    expect(first.error).toBeInstanceOf(TaskMigratedError);
    const sentWhenFenced = first.metrics()['records-sent-total'];
    await first.close(); // leaves the group: the second instance takes every partition
    await waitFor(async () => (await committedTotal(b)) === batch1.length + batch2.length, 15_000, 'second commits everything');
    await outputReaches(b, batch1.length + batch2.length);
    expect(first.metrics()['records-sent-total']).toBe(sentWhenFenced);
    expectExactlyOnce(await committedCounts(b), [...batch1, ...batch2]);
  });

  it('a restart after a failed interval replays only the changelog tail past the checkpoint (none of the aborted records)', async () => {
    const b = await broker();
    const stateDir = tempDir();
    const batch1 = words(200);
    await produce(b, batch1);
    const a = app(b, stateDir, { instanceId: 'r' });
    await a.start();
    await waitFor(async () => (await committedTotal(b)) === batch1.length, 15_000, 'batch 1 committed');
    await outputReaches(b, batch1.length);
    poison.add('crash');
    const batch2 = [...words(40, 1), 'crash'];
    await produce(b, batch2);
    await waitForState(a, 'ERROR', 15_000); // SHUTDOWN_CLIENT: no commit, no checkpoint of the failed interval
    await a.close();
    const changelog = await read(b, 'eos-wc-counts-changelog', 'read_uncommitted');
    expect(changelog.length).toBeGreaterThanOrEqual(batch1.length);
    const again = app(b, stateDir, { instanceId: 'r' });
    await again.start();
    await waitFor(async () => (await committedTotal(b)) === batch1.length + batch2.length, 15_000, 'batch 2 committed');
    await outputReaches(b, batch1.length + batch2.length);
    // Local LevelDB held exactly the committed state at its checkpoint: nothing committed lies past it.
    expect(again.metrics()['restore-records-total']).toBe(0);
    expectExactlyOnce(await committedCounts(b), [...batch1, ...batch2]);
  });
});
