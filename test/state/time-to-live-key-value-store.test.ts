import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext, openTaskDb, tempDir } from './fake-store-context.js';

const TTL = 1000;

async function open(persistent: boolean, caching: boolean) {
  const tmp = tempDir();
  const db = persistent ? await openTaskDb(tmp.dir) : undefined;
  const ctx = new FakeStoreContext('0_0', tmp.dir, db, new ThreadCache(1 << 20));
  const supplier = persistent ? Stores.persistentKeyValueStore('ttl') : Stores.inMemoryKeyValueStore('ttl');
  let builder = Stores.keyValueStoreBuilder(supplier, Serdes.string(), Serdes.string()).withTtl(TTL);
  if (caching) builder = builder.withCachingEnabled();
  const store = builder.build();
  await store.init(ctx, store);
  return {
    store, ctx, db, builder,
    dispose: async () => {
      if (store.isOpen()) await store.close();
      await db?.close();
      tmp.cleanup();
    },
  };
}

describe('state > TimeToLiveKeyValueStore', () => {
  for (const [persistent, caching] of [[false, false], [true, true]] as const) {
    const label = `${persistent ? 'LevelDB' : 'in-memory'}${caching ? ', cached' : ''}`;

    it(`reads a key as absent once stream time passes its write time + ttl (${label})`, async () => {
      const t = await open(persistent, caching);
      try {
        t.store.put('a', '1', 0);
        t.store.put('b', '2', 500);
        expect(t.store.get('a')).toBe('1');
        t.store.put('c', '3', 999); // stream time 999: a expires at 1000
        expect(t.store.get('a')).toBe('1');
        t.store.put('d', '4', 1000);
        expect(t.store.get('a')).toBeNull();
        expect(t.store.get('b')).toBe('2');
        expect(t.store.all().map((e) => e.key)).toEqual(['b', 'c', 'd']);
        expect(t.store.putIfAbsent('a', 'again', 1000)).toBeNull();
        expect(t.store.get('a')).toBe('again');
      } finally {
        await t.dispose();
      }
    });

    it(`measures expiry against stream time, not wall-clock time, and a rewrite renews the key (${label})`, async () => {
      const t = await open(persistent, caching);
      try {
        t.store.put('a', '1', 10_000);
        t.store.put('old', 'x', 5_000); // out of order: stream time stays 10 000, 'old' is already expired
        expect(t.store.get('old')).toBeNull();
        t.store.put('a', '2', 10_900);
        t.store.put('z', 'z', 11_500);
        expect(t.store.get('a')).toBe('2');
      } finally {
        await t.dispose();
      }
    });

    it(`removes expired keys at flush and logs them as tombstones (${label})`, async () => {
      const t = await open(persistent, caching);
      try {
        t.store.put('a', '1', 0);
        t.store.put('b', '2', 0);
        await t.store.flush();
        expect(t.ctx.recordsOf('ttl').map((r) => r.key.toString())).toEqual(['a', 'b']);
        t.store.put('b', '3', 900); // renewed
        t.store.put('c', '4', 1500);
        await t.store.flush();
        const log = t.ctx.recordsOf('ttl');
        const last = new Map(log.map((r) => [r.key.toString(), r.value]));
        expect(last.get('a')).toBeNull();
        expect(last.get('b')).not.toBeNull();
        expect(t.store.approximateNumEntries()).toBe(2);
        const stamp = last.get('c')!;
        expect(Number(stamp.readBigInt64BE(0))).toBe(1500);
        expect(stamp.subarray(8).toString()).toBe('4');
      } finally {
        await t.dispose();
      }
    });
  }

  it('rebuilds stream time from what a reopened persistent store holds', async () => {
    const t = await open(true, false);
    try {
      t.store.put('a', '1', 0);
      t.store.put('b', '2', 900);
      await t.store.flush();
      await t.db!.commit(new Map());
      await t.store.close();
      const again = t.builder.build();
      await again.init(t.ctx, again);
      again.put('c', '3', 1000);
      expect(again.get('a')).toBeNull();
      expect(again.get('b')).toBe('2');
      await again.flush();
      expect(t.ctx.recordsOf('ttl').at(-1)).toMatchObject({ value: null });
      await again.close();
    } finally {
      await t.dispose();
    }
  });

  for (const caching of [true, false]) {
    it(`reports an expiry to the flush listener as a delete (${caching ? 'cached' : 'uncached'})`, async () => {
      const t = await open(false, caching);
      try {
        const seen: [string, string | null, string | null][] = [];
        t.store.setFlushListener((k, n, o) => seen.push([k, n, o]));
        t.store.put('a', '1', 0);
        await t.store.flush();
        t.store.put('b', '2', 2000);
        await t.store.flush();
        expect(seen).toEqual([['a', '1', null], ['b', '2', null], ['a', null, '1']]);
      } finally {
        await t.dispose();
      }
    });
  }
});
