import { describe, expect, it } from 'vitest';
import type { Windowed } from '../../src/core/windowed.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext } from './fake-store-context.js';

type Forwarded = [key: string, start: number, end: number, newValue: number | null, oldValue: number | null];
const s = (key: string, start: number, end: number): Windowed<string> => ({ key, window: { start, end } });

async function open(caching: boolean) {
  const ctx = new FakeStoreContext('0_0', undefined, undefined, new ThreadCache(1 << 20));
  const b = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 3_600_000), Serdes.string(), Serdes.long());
  const store = (caching ? b.withCachingEnabled() : b).build();
  await store.init(ctx, store);
  const forwarded: Forwarded[] = [];
  const cached = store.setFlushListener((k, n, o) => forwarded.push([k.key, k.window.start, k.window.end, n, o]));
  return { store, ctx, forwarded, cached };
}

describe('state > CachingSessionStore', () => {
  it('folds session updates until flush and reports merges as a removal plus a new session', async () => {
    const { store, ctx, forwarded, cached } = await open(true);
    expect(cached).toBe(true);
    store.put(s('a', 0, 0), 1);
    store.put(s('a', 0, 0), 2);
    await store.flush();
    expect(forwarded).toEqual([['a', 0, 0, 2, null]]);
    // A record at 5 merges the session [0,0] into [0,5].
    store.remove(s('a', 0, 0));
    store.put(s('a', 0, 5), 3);
    expect(store.findSessions('a', 0, 10)).toEqual([{ key: s('a', 0, 5), value: 3 }]);
    await store.flush();
    expect(forwarded.slice(1)).toEqual([['a', 0, 0, null, 2], ['a', 0, 5, 3, null]]);
    expect(ctx.recordsOf('s').length).toBe(3);
  });

  it('forwards at once without a cache', async () => {
    const { store, forwarded, cached } = await open(false);
    expect(cached).toBe(false);
    store.put(s('a', 0, 0), 1);
    store.remove(s('a', 0, 0));
    expect(forwarded).toEqual([['a', 0, 0, 1, null], ['a', 0, 0, null, 1]]);
  });
});
