import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { StateDirLockedError, TaskCorruptedError } from '../../src/core/errors.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { StateRestorer } from '../../state/state-restorer.js';
import { Stores } from '../../state/stores.js';
import { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { changelogBatches } from './changelog-source.js';
import { FakeStoreContext, openTaskDb, tempDir } from './fake-store-context.js';

const TP = 'app-counts-changelog-0';
const kvBuilder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long())
  .withCachingEnabled()
  .withLoggingEnabled();

describe('state > StateRestorer', () => {
  it('restores a wiped task directory from the changelog to exactly the state it held', async () => {
    const tmp = tempDir();
    try {
      let db = await openTaskDb(tmp.dir);
      const ctx = new FakeStoreContext('0_0', tmp.dir, db, new ThreadCache(4096));
      let store = kvBuilder.build();
      await store.init(ctx, store);
      for (let i = 0; i < 2000; i++) {
        ctx.now = i;
        const key = `k${(i * 7919) % 300}`;
        if (i % 11 === 0) store.delete(key);
        else store.put(key, (store.get(key) ?? 0) + i);
        if (i % 500 === 499) {
          await store.flush();
          await db.commit(new Map([[TP, ctx.changelog.length]]));
        }
      }
      await store.flush();
      await db.commit(new Map([[TP, ctx.changelog.length]]));
      const expected = store.all();
      expect(expected.length).toBeGreaterThan(100);
      await store.close();
      await db.close();

      // The task directory is lost (moved task, disk failure).
      rmSync(join(tmp.dir, 'app', '0_0'), { recursive: true, force: true });
      db = await openTaskDb(tmp.dir);
      expect(db.readCheckpoint().get(TP)).toBeUndefined();
      const ctx2 = new FakeStoreContext('0_0', tmp.dir, db, new ThreadCache(4096));
      store = kvBuilder.build();
      await store.init(ctx2, store);
      const changelog = ctx.recordsOf('counts');
      const restorer = new StateRestorer({
        store, partition: 0, checkpoint: db.readCheckpoint().get(TP), endOffset: changelog.length,
        source: changelogBatches(changelog, 250), commit: (o) => db.commit(new Map([[TP, o]])), commitEveryRecords: 1000,
      });
      const progress = lastValueFrom(restorer.progress$.pipe(toArray()));
      const result = await restorer.run();
      expect(result).toEqual({ records: changelog.length, nextOffset: changelog.length });
      const seen = await progress;
      expect(seen.at(-1)).toEqual({ store: 'counts', partition: 0, restored: changelog.length, total: changelog.length });
      expect(seen.map((p) => p.restored)).toEqual([...seen.map((p) => p.restored)].sort((a, b) => a - b));
      expect(store.all()).toEqual(expected);
      expect(ctx2.changelog).toEqual([]); // restoring does not log again
      expect(db.readCheckpoint().get(TP)).toBe(changelog.length);

      // What was restored is on disk: reopen once more without a restore.
      await store.close();
      await db.close();
      db = await openTaskDb(tmp.dir);
      store = kvBuilder.build();
      await store.init(new FakeStoreContext('0_0', tmp.dir, db), store);
      expect(store.all()).toEqual(expected);
      await store.close();
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('resumes from the checkpoint and does nothing when the checkpoint is at the end', async () => {
    const tmp = tempDir();
    try {
      const db = await openTaskDb(tmp.dir);
      const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.string(), Serdes.string()).withLoggingDisabled().build();
      await store.init(new FakeStoreContext('0_0', tmp.dir, db), store);
      const records = Array.from({ length: 10 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }));
      const r1 = await new StateRestorer({ store, partition: 0, checkpoint: 6, endOffset: 10, source: changelogBatches(records, 3, 6) }).run();
      expect(r1).toEqual({ records: 4, nextOffset: 10 });
      expect(store.all().map((e) => e.key)).toEqual(['k6', 'k7', 'k8', 'k9']);
      const r2 = await new StateRestorer({ store, partition: 0, checkpoint: 10, endOffset: 10, source: changelogBatches(records, 3, 10) }).run();
      expect(r2).toEqual({ records: 0, nextOffset: 10 });
      await store.close();
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('restores a window store from its logged store keys', async () => {
    const tmp = tempDir();
    try {
      const builder = Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long()).withCachingEnabled();
      const db = await openTaskDb(tmp.dir);
      const ctx = new FakeStoreContext('0_0', tmp.dir, db, new ThreadCache(1 << 20));
      const store = builder.build();
      await store.init(ctx, store);
      for (let i = 0; i < 500; i++) {
        const start = Math.floor(i / 10) * 60_000;
        store.put(`k${i % 13}`, (store.fetch(`k${i % 13}`, start) ?? 0) + 1, start);
      }
      await store.flush();
      await db.commit(new Map());
      const expected = store.all();
      const fresh = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long()).build();
      const ctx2 = new FakeStoreContext('1_0');
      await fresh.init(ctx2, fresh);
      const log = ctx.recordsOf('w');
      await new StateRestorer({ store: fresh, partition: 0, checkpoint: undefined, endOffset: log.length, source: changelogBatches(log, 64) }).run();
      expect(fresh.all()).toEqual(expected);
      await store.close();
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('state > TaskStateDb', () => {
  for (const file of ['CURRENT', 'MANIFEST']) {
    it(`wipes a directory whose ${file} file is garbage, warns, and can be restored`, async () => {
      const tmp = tempDir();
      try {
        let db = await openTaskDb(tmp.dir);
        const ctx = new FakeStoreContext('0_0', tmp.dir, db);
        let store = kvBuilder.build();
        await store.init(ctx, store);
        for (let i = 0; i < 50; i++) store.put(`k${i}`, i);
        await store.flush();
        await db.commit(new Map([[TP, ctx.changelog.length]]));
        const expected = store.all();
        await store.close();
        await db.close();

        const dir = join(tmp.dir, 'app', '0_0');
        const target = file === 'CURRENT' ? 'CURRENT' : readdirSync(dir).find((f) => f.startsWith('MANIFEST-'))!;
        writeFileSync(join(dir, target), 'this is not a LevelDB file\u0000\u0001garbage');
        const warn = vi.fn();
        db = await openTaskDb(tmp.dir, '0_0', warn);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toMatch(/corrupt.*wiped/);
        expect(db.restoreRequired).toBe(true);
        expect(db.readCheckpoint().size).toBe(0);
        store = kvBuilder.build();
        await store.init(new FakeStoreContext('0_0', tmp.dir, db), store);
        expect(store.approximateNumEntries()).toBe(0);
        const log = ctx.recordsOf('counts');
        await new StateRestorer({ store, partition: 0, checkpoint: undefined, endOffset: log.length, source: changelogBatches(log, 16) }).run();
        expect(store.all()).toEqual(expected);
        await store.close();
        await db.close();
      } finally {
        tmp.cleanup();
      }
    });
  }

  it('refuses a second opener of the same directory and a second store of the same name', async () => {
    const tmp = tempDir();
    try {
      const db = await openTaskDb(tmp.dir);
      await expect(TaskStateDb.open({ dir: join(tmp.dir, 'app', '0_0'), owner: 'another task' })).rejects.toBeInstanceOf(StateDirLockedError);
      const space = await db.space('s');
      await expect(db.space('s')).rejects.toBeInstanceOf(StateDirLockedError);
      space.release();
      (await db.space('s')).release();
      await db.close();
      const again = await openTaskDb(tmp.dir);
      await again.close();
      expect(existsSync(join(tmp.dir, 'app', '0_0'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });

  it('writes every store and the checkpoint in one commit and keeps uncommitted writes out of disk', async () => {
    const tmp = tempDir();
    try {
      let db = await openTaskDb(tmp.dir);
      const a = await db.space('a');
      const b = await db.space('b');
      a.stage(Buffer.from('x'), Buffer.from('1'));
      b.stage(Buffer.from('y'), Buffer.from('2'));
      expect(db.pendingWrites()).toBe(2);
      await db.commit(new Map([['t-0', 5], ['t-1', 7]]));
      expect(db.pendingWrites()).toBe(0);
      a.stage(Buffer.from('z'), Buffer.from('lost'));
      await db.close();
      db = await openTaskDb(tmp.dir);
      expect([...db.readCheckpoint()]).toEqual([['t-0', 5], ['t-1', 7]]);
      const a2 = await db.space('a');
      expect(a2.get(Buffer.from('x'))).toEqual(Buffer.from('1'));
      expect(a2.get(Buffer.from('z'))).toBeNull();
      expect((await db.space('b')).get(Buffer.from('y'))).toEqual(Buffer.from('2'));
      await db.commit(new Map([['t-0', 9]]));
      expect([...db.readCheckpoint()]).toEqual([['t-0', 9]]);
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('state > TaskStateDb.wipe', () => {
  it('empties every store and the checkpoint, but only once the stores are closed', async () => {
    const tmp = tempDir();
    try {
      const db = await openTaskDb(tmp.dir);
      const ctx = new FakeStoreContext('0_0', tmp.dir, db);
      let store = kvBuilder.build();
      await store.init(ctx, store);
      store.put('a', 1);
      await store.flush();
      await db.commit(new Map([[TP, 1]]));
      await expect(db.wipe()).rejects.toThrow(/close stores counts/);
      await store.close();
      await db.wipe();
      expect(db.readCheckpoint().size).toBe(0);
      store = kvBuilder.build();
      await store.init(ctx, store);
      expect(store.get('a')).toBeNull();
      await store.close();
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('state > StateRestorer failures and in-flight commits', () => {
  it('errors progress$ and rejects run() when the source fails', async () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.string(), Serdes.string()).withLoggingDisabled().build();
    await store.init(new FakeStoreContext(), store);
    async function* failing() {
      yield { records: [{ key: Buffer.from('a'), value: Buffer.from('1') }], nextOffset: 1 };
      throw new Error('broker went away');
    }
    const restorer = new StateRestorer({ store, partition: 3, checkpoint: undefined, endOffset: 10, source: failing() });
    const seen: unknown[] = [];
    let failed: unknown;
    restorer.progress$.subscribe({ next: (p) => seen.push(p), error: (e) => (failed = e) });
    await expect(restorer.run()).rejects.toThrow('broker went away');
    expect((failed as Error).message).toBe('broker went away');
    expect(seen.at(-1)).toEqual({ store: 's', partition: 3, restored: 1, total: 10 });
    expect(store.get('a')).toBe('1');
  });

  it('keeps writes staged during an in-flight commit readable, and commits them next time', async () => {
    const tmp = tempDir();
    try {
      let db = await openTaskDb(tmp.dir);
      const space = await db.space('s');
      space.stage(Buffer.from('a'), Buffer.from('1'));
      const inFlight = db.commit(new Map());
      space.stage(Buffer.from('b'), Buffer.from('2'));
      expect(space.get(Buffer.from('a'))).toEqual(Buffer.from('1'));
      await inFlight;
      expect(db.pendingWrites()).toBe(1);
      await db.commit(new Map());
      await db.close();
      db = await openTaskDb(tmp.dir);
      const again = await db.space('s');
      expect(again.get(Buffer.from('a'))).toEqual(Buffer.from('1'));
      expect(again.get(Buffer.from('b'))).toEqual(Buffer.from('2'));
      await db.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('state > StateRestorer checkpoint ahead of the changelog', () => {
  it('rejects with TaskCorruptedError naming the store and partition', async () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.string(), Serdes.string()).withLoggingDisabled().build();
    await store.init(new FakeStoreContext(), store);
    const restorer = new StateRestorer({ store, partition: 2, checkpoint: 12, endOffset: 10, source: changelogBatches([], 1) });
    await expect(restorer.run()).rejects.toThrow(TaskCorruptedError);
    await expect(
      new StateRestorer({ store, partition: 2, checkpoint: 12, endOffset: 10, source: changelogBatches([], 1) }).run(),
    ).rejects.toThrow(/"s" partition 2: checkpoint 12 is past the changelog end 10/);
  });
});
