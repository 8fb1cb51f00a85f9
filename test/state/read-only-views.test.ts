import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { ReadOnlyViews } from '../../state/read-only-views.js';
import { Stores } from '../../state/stores.js';
import { FakeStoreContext } from './fake-store-context.js';

describe('state > ReadOnlyViews', () => {
  it('exposes only reads, which see the store through its whole stack', async () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.string(), Serdes.long()).withCachingEnabled().build();
    await store.init(new FakeStoreContext(), store);
    store.put('a', 1); // still in the cache
    const view = ReadOnlyViews.keyValue(store);
    expect(view.get('a')).toBe(1);
    expect(view.all()).toEqual([{ key: 'a', value: 1 }]);
    expect((view as unknown as Record<string, unknown>).put).toBeUndefined();
    expect((view as unknown as Record<string, unknown>).close).toBeUndefined();
    expect(Object.isFrozen(view)).toBe(true);
  });

  it('combines the stores of several tasks', async () => {
    const make = async (entries: [string, number][]) => {
      const s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.string(), Serdes.long()).withLoggingDisabled().build();
      await s.init(new FakeStoreContext(), s);
      for (const [k, v] of entries) s.put(k, v);
      return s;
    };
    const view = ReadOnlyViews.compositeKeyValue([await make([['a', 1], ['c', 3]]), await make([['b', 2]])]);
    expect(view.get('b')).toBe(2);
    expect(view.get('z')).toBeNull();
    expect(view.approximateNumEntries()).toBe(3);
    expect(view.all().map((e) => e.key)).toEqual(['a', 'c', 'b']);
  });

  it('wraps window and session stores', async () => {
    const w = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long()).build();
    await w.init(new FakeStoreContext(), w);
    w.put('a', 5, 60_000);
    const wv = ReadOnlyViews.window(w);
    expect(wv.fetch('a', 60_000)).toBe(5);
    expect(wv.fetch('a', 0, 120_000)).toEqual([{ timestamp: 60_000, value: 5 }]);
    const s = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 3_600_000), Serdes.string(), Serdes.long()).build();
    await s.init(new FakeStoreContext(), s);
    s.put({ key: 'a', window: { start: 0, end: 10 } }, 7);
    expect(ReadOnlyViews.session(s).findSessions('a', 0, 100)).toEqual([{ key: { key: 'a', window: { start: 0, end: 10 } }, value: 7 }]);
  });
});

describe('state > in-memory stacks are synchronous', () => {
  it('open, flush and close without a promise when nothing below is persistent', () => {
    const ctx = new FakeStoreContext();
    const stores = [
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.string(), Serdes.long()).withCachingEnabled().withTtl(1000).build(),
      Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long()).withCachingEnabled().build(),
      Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 3_600_000), Serdes.string(), Serdes.long()).withCachingEnabled().build(),
    ];
    for (const store of stores) {
      expect(store.init(ctx, store)).toBeUndefined();
      expect(store.isOpen()).toBe(true);
      expect(store.flush()).toBeUndefined();
      expect(store.close()).toBeUndefined();
      expect(store.isOpen()).toBe(false);
    }
  });
});
