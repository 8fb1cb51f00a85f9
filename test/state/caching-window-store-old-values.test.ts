import { describe, expect, it } from 'vitest';
import type { Windowed } from '../../src/core/windowed.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { CachingWindowStore } from '../../state/caching-window-store.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import { MeteredWindowStore } from '../../state/metered-window-store.js';
import { ThreadCache } from '../../state/thread-cache.js';
import type { WindowBytesStore } from '../../state/window-store.js';
import { FakeStoreContext } from './fake-store-context.js';

type Forwarded = [key: string, start: number, newValue: number | null, oldValue: number | null];

/** metered -> caching -> (point reads counted) -> in-memory, with a flush listener that wants old values or not. */
async function open(sendOldValues: boolean) {
  const inner = new InMemoryWindowStore('w', 3_600_000, 60_000, false);
  const reads = { count: 0 };
  const counted = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'fetch') {
        return (...args: unknown[]) => {
          if (args.length === 2) reads.count++;
          return (target.fetch as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as WindowBytesStore;
  const store = new MeteredWindowStore(new CachingWindowStore(counted), Serdes.string(), Serdes.long());
  await store.init(new FakeStoreContext('0_0', undefined, undefined, new ThreadCache(1 << 20)), store);
  const forwarded: Forwarded[] = [];
  const cached = store.setFlushListener((k: Windowed<string>, n, o) => forwarded.push([k.key, k.window.start, n, o]), sendOldValues);
  expect(cached).toBe(true);
  return { store, forwarded, reads, inner };
}

describe('state > CachingWindowStore flush listener without old values', () => {
  it('reads no old value below for a flushed update, and forwards the same new values', async () => {
    const withOld = await open(true);
    const without = await open(false);
    for (const s of [withOld, without]) {
      s.store.put('a', 1, 0);
      s.store.put('b', 1, 0);
      await s.store.flush();
      s.store.put('a', 2, 0);
      await s.store.flush();
    }
    expect(withOld.reads.count).toBe(3);
    expect(withOld.forwarded).toEqual([['a', 0, 1, null], ['b', 0, 1, null], ['a', 0, 2, 1]]);
    expect(without.reads.count).toBe(0);
    expect(without.forwarded.map(([k, s, n]) => [k, s, n])).toEqual([['a', 0, 1], ['b', 0, 1], ['a', 0, 2]]);
    expect(without.store.fetch('a', 0)).toBe(2);
  });

  it('still reads below for a delete: a tombstone of a stored window is forwarded, of an absent one is not', async () => {
    const { store, forwarded, reads } = await open(false);
    store.put('a', 1, 0);
    await store.flush();
    store.put('a', null, 0);
    store.put('never', null, 0);
    await store.flush();
    expect(reads.count).toBe(2);
    expect(forwarded.map(([k, , n]) => [k, n])).toEqual([['a', 1], ['a', null]]);
    expect(store.fetch('a', 0)).toBeNull();
  });
});
