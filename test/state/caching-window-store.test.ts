import { describe, expect, it } from 'vitest';
import type { Windowed } from '../../src/core/windowed.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext } from './fake-store-context.js';

type Forwarded = [key: string, start: number, end: number, newValue: number | null, oldValue: number | null];

async function open(options: { caching: boolean; duplicates?: boolean; cacheBytes?: number }) {
  const ctx = new FakeStoreContext('0_0', undefined, undefined, new ThreadCache(options.cacheBytes ?? 1 << 20));
  let b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 3_600_000, 60_000, options.duplicates ?? false), Serdes.string(), Serdes.long());
  b = options.caching ? b.withCachingEnabled() : b.withCachingDisabled();
  const store = b.build();
  await store.init(ctx, store);
  const forwarded: Forwarded[] = [];
  const cached = store.setFlushListener((k: Windowed<string>, n, o) => forwarded.push([k.key, k.window.start, k.window.end, n, o]));
  return { store, ctx, forwarded, cached };
}

describe('state > CachingWindowStore', () => {
  it('folds updates of one window into one forward and one changelog record per flush', async () => {
    const { store, ctx, forwarded, cached } = await open({ caching: true });
    expect(cached).toBe(true);
    for (let i = 1; i <= 3; i++) store.put('a', i, 60_000);
    store.put('b', 1, 120_000);
    expect(store.fetch('a', 60_000)).toBe(3);
    expect(store.fetchAll(0, 1e9).map((e) => e.value)).toEqual([3, 1]);
    expect(forwarded).toEqual([]);
    await store.flush();
    expect(forwarded).toEqual([['a', 60_000, 120_000, 3, null], ['b', 120_000, 180_000, 1, null]]);
    expect(ctx.recordsOf('w').length).toBe(2);
    store.put('a', 4, 60_000);
    await store.flush();
    expect(forwarded.at(-1)).toEqual(['a', 60_000, 120_000, 4, 3]);
  });

  it('evicts least recently used windows past the budget', async () => {
    const { store, forwarded } = await open({ caching: true, cacheBytes: 2 * (1 + 12 + 8 + 64) });
    store.put('a', 1, 0);
    store.put('b', 2, 0);
    store.put('c', 3, 0);
    expect(forwarded).toEqual([['a', 0, 60_000, 1, null]]);
    expect(store.fetch('a', 0)).toBe(1);
  });

  it('forwards every put at once when caching is off, and for stores that retain duplicates', async () => {
    for (const options of [{ caching: false }, { caching: true, duplicates: true }]) {
      const { store, forwarded, cached } = await open(options);
      expect(cached).toBe(false);
      store.put('a', 1, 0);
      store.put('a', 2, 0);
      expect(forwarded.map((f) => f[3])).toEqual([1, 2]);
      expect(forwarded[1]![4]).toBe(options.duplicates ? null : 1);
    }
  });
});
