/**
 * Regression: a caching layer over a reopened persistent window/session store starts from the stream
 * time the store saved with its last commit. Found by the window-store model test (seed 1928833149):
 * put(a, 5 min, tombstone), commit, reopen, put(a, 0 min) — the 0-min window is past retention and
 * must not be served, but the caching layer had restarted its stream time at −∞.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import type { StateStore } from '../../state/state-store.js';
import { Stores } from '../../state/stores.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext, openTaskDb, tempDir } from './fake-store-context.js';

const MIN = 60_000;
const RETENTION = 5 * MIN;
const tmp: { cleanup: () => void }[] = [];
afterEach(() => tmp.splice(0).forEach((t) => t.cleanup()));

async function open<S extends StateStore>(dir: string, build: () => S) {
  const db: TaskStateDb = await openTaskDb(dir);
  const ctx = new FakeStoreContext('0_0', dir, db, new ThreadCache(400));
  const store = build();
  await store.init(ctx, store);
  return { db, store };
}

describe('state > caching layer stream time across a reopen', () => {
  it('a cached LevelDB window store keeps dropping windows that its saved stream time has expired', async () => {
    const t = tempDir();
    tmp.push(t);
    const build = () =>
      Stores.windowStoreBuilder(Stores.persistentWindowStore('w', RETENTION, MIN, false), Serdes.string(), Serdes.string())
        .withCachingEnabled()
        .withLoggingEnabled()
        .build();
    const first = await open(t.dir, build);
    first.store.put('a', null, 5 * MIN); // a tombstone still moves stream time
    await first.store.flush();
    await first.db.commit(new Map());
    await first.store.close();
    await first.db.close();

    const second = await open(t.dir, build);
    second.store.put('a', 'late', 0);
    expect(second.store.fetchAll(0, 10 * MIN)).toEqual([]);
    expect(second.store.fetch('a', 0)).toBeNull();
    await second.store.close();
    await second.db.close();
  });

  it('a cached LevelDB session store keeps dropping sessions that its saved stream time has expired', async () => {
    const t = tempDir();
    tmp.push(t);
    const build = () =>
      Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', RETENTION), Serdes.string(), Serdes.string())
        .withCachingEnabled()
        .withLoggingEnabled()
        .build();
    const first = await open(t.dir, build);
    first.store.put({ key: 'a', window: { start: 10 * MIN, end: 10 * MIN } }, 'recent');
    await first.store.flush();
    await first.db.commit(new Map());
    await first.store.close();
    await first.db.close();

    const second = await open(t.dir, build);
    second.store.put({ key: 'b', window: { start: 0, end: MIN } }, 'late');
    expect(second.store.findSessions('b', 0, 20 * MIN)).toEqual([]);
    expect(second.store.findSessions('a', 0, 20 * MIN).map((e) => e.value)).toEqual(['recent']);
    await second.store.close();
    await second.db.close();
  });
});
