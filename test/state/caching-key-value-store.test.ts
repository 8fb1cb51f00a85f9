import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { Stores } from '../../state/stores.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext } from './fake-store-context.js';

type Forwarded = [key: string, newValue: number | null, oldValue: number | null, ts: number];

async function open(cache: ThreadCache, taskId = '0_0', caching = true) {
  const ctx = new FakeStoreContext(taskId, undefined, undefined, cache);
  let builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.long());
  builder = caching ? builder.withCachingEnabled() : builder.withCachingDisabled();
  const store: MeteredKeyValueStore<string, number> = builder.build();
  await store.init(ctx, store);
  const forwarded: Forwarded[] = [];
  const cached = store.setFlushListener((k, n, o, ts) => forwarded.push([k, n, o, ts]));
  return { store, ctx, forwarded, cached };
}

describe('state > CachingKeyValueStore', () => {
  it('folds repeated updates of a key into one forward and one changelog record per commit', async () => {
    const { store, ctx, forwarded, cached } = await open(new ThreadCache(1 << 20));
    expect(cached).toBe(true);
    for (let i = 1; i <= 5; i++) {
      ctx.now = i;
      store.put('a', i);
    }
    store.put('b', 1);
    store.delete('b');
    expect(forwarded).toEqual([]);
    expect(ctx.changelog).toEqual([]);
    expect(store.get('a')).toBe(5);
    await store.flush();
    expect(forwarded).toEqual([['a', 5, null, 5]]); // b was put and deleted: nothing to say
    expect(ctx.changelog.map((r) => [r.key.toString(), r.value?.readBigInt64BE(0)])).toEqual([['a', 5n]]);
    ctx.now = 10;
    store.put('a', 6);
    await store.flush();
    expect(forwarded.at(-1)).toEqual(['a', 6, 5, 10]);
  });

  it('forwards every update at once, with its old value, when caching is off', async () => {
    const { store, forwarded, cached, ctx } = await open(new ThreadCache(1 << 20), '0_0', false);
    expect(cached).toBe(false);
    store.put('a', 1);
    store.put('a', 2);
    store.delete('a');
    store.delete('a');
    expect(forwarded).toEqual([['a', 1, null, 0], ['a', 2, 1, 0], ['a', null, 2, 0]]);
    expect(ctx.changelog.length).toBe(4);
  });

  it('evicts least recently used entries past the byte budget, forwarding and logging them', async () => {
    // Each entry: key (2 bytes) + value (8) + 64 overhead = 74 bytes; 3 fit in 230 bytes.
    const cache = new ThreadCache(230);
    const { store, forwarded, ctx } = await open(cache);
    store.put('k1', 1);
    store.put('k2', 2);
    store.put('k3', 3);
    store.put('k1', 11); // k1 becomes most recently used
    expect(forwarded).toEqual([]);
    store.put('k4', 4); // over budget: k2 is the least recently used
    expect(forwarded).toEqual([['k2', 2, null, 0]]);
    expect(ctx.changelog.map((r) => r.key.toString())).toEqual(['k2']);
    expect(cache.sizeBytes()).toBeLessThanOrEqual(230);
    expect(store.get('k2')).toBe(2); // still readable from below
    expect(store.all().map((e) => [e.key, e.value])).toEqual([['k1', 11], ['k2', 2], ['k3', 3], ['k4', 4]]);
    await store.flush();
    expect(forwarded.map((f) => f[0])).toEqual(['k2', 'k3', 'k1', 'k4']); // the rest, oldest first
    // Flushed entries stay cached, clean (Kafka's record cache); the budget still holds.
    expect(cache.sizeBytes()).toBe(74 * 3);
    expect(cache.cleanBytes()).toBe(74 * 3);
  });

  it('shares one budget across the tasks of an instance, evicting from the task that writes', async () => {
    const cache = new ThreadCache(74 * 4);
    const t1 = await open(cache, '0_0');
    const t2 = await open(cache, '0_1');
    t1.store.put('a1', 1);
    t1.store.put('a2', 2);
    t1.store.put('a3', 3);
    t2.store.put('b1', 1);
    expect(cache.sizeBytes()).toBe(74 * 4);
    t2.store.put('b2', 2); // over budget: task 0_1 evicts its own oldest, task 0_0 is untouched
    expect(t2.forwarded).toEqual([['b1', 1, null, 0]]);
    expect(t1.forwarded).toEqual([]);
    await t1.store.flush();
    expect(t1.forwarded.length).toBe(3);
    expect(cache.sizeBytes()).toBe(74 * 4); // t1's three entries stay, clean
    expect(cache.cleanBytes()).toBe(74 * 3);
    t2.store.put('b3', 3); // over budget: t1's oldest clean entry makes room, silently
    expect(t1.forwarded.length).toBe(3);
    expect(t2.forwarded).toEqual([['b1', 1, null, 0]]);
    expect(cache.sizeBytes()).toBe(74 * 4);
    await t1.store.close();
    await t2.store.close();
    expect(cache.sizeBytes()).toBe(0);
    expect(t2.forwarded.map((f) => f[0])).toEqual(['b1', 'b2', 'b3']); // close flushes
  });

  it('merges cached writes into ranges in byte order', async () => {
    const { store } = await open(new ThreadCache(1 << 20));
    store.put('b', 2);
    store.put('d', 4);
    await store.flush();
    store.put('a', 1);
    store.put('c', 3);
    store.delete('d');
    expect(store.all().map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(store.reverseRange('a', 'c').map((e) => e.key)).toEqual(['c', 'b', 'a']);
    expect(store.approximateNumEntries()).toBe(3);
  });
});
