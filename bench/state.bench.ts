/**
 * State stores (issue 4): what the layered stores cost over LevelDB used by hand.
 *
 * 1. Write: 200k puts of ~50-byte values through metered → caching → change-logging → LevelDB
 *    (changelog to an in-memory collector), then one commit — vs one plain chained batch of the
 *    same keys and values on a bare Level (no sublevel prefix, no serdes). Target ratio
 *    (plain time / stack time) >= 1/2.
 * 2. Read: random gets of committed keys through the stack vs plain `getSync`; p50/p99 of each.
 *    Target ratio >= 1/2.
 * 3. Restore: 1M changelog records into a persistent store with StateRestorer (batches of 1,000,
 *    a commit every 100k). Target >= 300k records/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { Serdes } from '../src/serdes/serdes.js';
import { StateRestorer, type ChangelogBatch } from '../state/state-restorer.js';
import type { StoreContext } from '../state/store-context.js';
import { Stores } from '../state/stores.js';
import { TaskStateDb } from '../state/task-state-db.js';
import { ThreadCache } from '../state/thread-cache.js';
import { fmtRate, printTable, rate, timed } from './report.js';

export interface StateBenchOptions {
  /** Puts in the write test (default 200 000). */
  records?: number;
  /** Records restored (default 1 000 000). */
  restoreRecords?: number;
  /** Random reads (default 200 000). */
  reads?: number;
}

const VALUE_BYTES = 50;

function keyOf(i: number): string {
  return `key-${String(i).padStart(8, '0')}`;
}

function valueOf(i: number): Buffer {
  return Buffer.from(`v${i}-`.padEnd(VALUE_BYTES, 'x'));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function context(db: TaskStateDb, collector: { n: number; bytes: number }): StoreContext {
  return {
    applicationId: 'bench', taskId: '0_0', partition: 0, stateDir: undefined, stateDb: db,
    cache: new ThreadCache(10 * 1024 * 1024),
    timestamp: () => 0,
    logChange(_s, key, value) {
      collector.n++;
      collector.bytes += key.length + (value?.length ?? 0);
    },
  };
}

/** Runs the state-store benchmark and prints its tables. */
export async function runStateBench(opts: StateBenchOptions = {}): Promise<void> {
  const n = opts.records ?? 200_000;
  const reads = opts.reads ?? 200_000;
  const restoreN = opts.restoreRecords ?? 1_000_000;
  const root = mkdtempSync(join(tmpdir(), 'tributary-state-bench-'));
  try {
    const keys = Array.from({ length: n }, (_, i) => keyOf(i));
    const keyBufs = keys.map((k) => Buffer.from(k));
    const values = Array.from({ length: n }, (_, i) => valueOf(i));

    // 1. Write through the full stack, then commit.
    const db = await TaskStateDb.open({ dir: join(root, 'stack') });
    const collector = { n: 0, bytes: 0 };
    const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('bench'), Serdes.string(), Serdes.bytes())
      .withCachingEnabled()
      .withLoggingEnabled()
      .build();
    await store.init(context(db, collector), store);
    const stackWrite = await timed(async () => {
      for (let i = 0; i < n; i++) store.put(keys[i]!, values[i]!);
      await store.flush();
      await db.commit(new Map([['bench-bench-changelog-0', n]]));
    });

    // 1'. Plain chained batch of the same data.
    const plain = new Level<Buffer, Buffer>(join(root, 'plain'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await plain.open();
    const plainWrite = await timed(async () => {
      const batch = plain.batch();
      for (let i = 0; i < n; i++) batch.put(keyBufs[i]!, values[i]!);
      await batch.write();
    });
    const plainDb = plain as unknown as { getSync(k: Buffer): Buffer | undefined };

    // 2. Random reads of committed keys, each timed for percentiles.
    const order = Array.from({ length: reads }, (_, i) => (i * 2_654_435_761) % n);
    const stackLat: number[] = new Array(reads);
    const plainLat: number[] = new Array(reads);
    let found = 0;
    const stackRead = await timed(() => {
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        if (store.get(keys[order[i]!]!) !== null) found++;
        stackLat[i] = performance.now() - t0;
      }
    });
    const plainRead = await timed(() => {
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        if (plainDb.getSync(keyBufs[order[i]!]!) !== undefined) found++;
        plainLat[i] = performance.now() - t0;
      }
    });
    if (found !== 2 * reads) throw new Error(`state bench: expected ${2 * reads} hits, got ${found}`);
    stackLat.sort((a, b) => a - b);
    plainLat.sort((a, b) => a - b);
    await store.close();
    await db.close();
    await plain.close();

    // 3. Restore 1M changelog records (keys cycle over 250k, so compaction-like overwrites happen).
    const rdb = await TaskStateDb.open({ dir: join(root, 'restore') });
    const restored = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('restored'), Serdes.string(), Serdes.bytes()).build();
    await restored.init(context(rdb, { n: 0, bytes: 0 }), restored);
    const distinct = Math.min(250_000, restoreN);
    const rKeys = Array.from({ length: distinct }, (_, i) => Buffer.from(keyOf(i)));
    const rValues = Array.from({ length: 1024 }, (_, i) => valueOf(i));
    async function* source(): AsyncGenerator<ChangelogBatch> {
      for (let off = 0; off < restoreN; off += 1000) {
        const records = [];
        for (let j = off; j < Math.min(restoreN, off + 1000); j++) records.push({ key: rKeys[j % distinct]!, value: rValues[j % 1024]! });
        yield { records, nextOffset: off + records.length };
      }
    }
    const tp = 'bench-restored-changelog-0';
    const restore = await timed(() =>
      new StateRestorer({
        store: restored, partition: 0, checkpoint: undefined, endOffset: restoreN, source: source(),
        commit: (o) => rdb.commit(new Map([[tp, o]])),
      }).run(),
    );
    if (restored.approximateNumEntries() !== distinct) throw new Error('state bench: restore lost keys');
    await restored.close();
    await rdb.close();

    const writeRatio = plainWrite.ms / stackWrite.ms;
    const readRatio = plainRead.ms / stackRead.ms;
    const restoreRate = rate(restoreN, restore.ms);
    const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
    printTable(
      ['state (issue 4)', 'records', 'stack', 'plain LevelDB', 'ratio plain/stack', 'target'],
      [
        ['put + commit (cache + changelog)', n, fmtRate(rate(n, stackWrite.ms)), fmtRate(rate(n, plainWrite.ms)), writeRatio.toFixed(2), '>= 0.50'],
        ['random get (committed keys)', reads, fmtRate(rate(reads, stackRead.ms)), fmtRate(rate(reads, plainRead.ms)), readRatio.toFixed(2), '>= 0.50'],
        ['get p50 / p99', reads, `${us(percentile(stackLat, 50))} / ${us(percentile(stackLat, 99))}`, `${us(percentile(plainLat, 50))} / ${us(percentile(plainLat, 99))}`, '', ''],
        ['restore from changelog', restoreN, fmtRate(restoreRate), '', '', '>= 300k/s'],
      ],
    );
    console.log(`changelog records produced by the write test: ${collector.n}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
