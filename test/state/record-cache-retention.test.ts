import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { CachingKeyValueStore } from '../../state/caching-key-value-store.js';
import { CachingSessionStore } from '../../state/caching-session-store.js';
import { CachingWindowStore } from '../../state/caching-window-store.js';
import { ChangeLoggingKeyValueStore } from '../../state/change-logging-key-value-store.js';
import { ChangeLoggingSessionStore } from '../../state/change-logging-session-store.js';
import { InMemoryKeyValueStore } from '../../state/in-memory-key-value-store.js';
import { InMemorySessionStore } from '../../state/in-memory-session-store.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { MeteredSessionStore } from '../../state/metered-session-store.js';
import { MeteredWindowStore } from '../../state/metered-window-store.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext } from './fake-store-context.js';

/** Wraps a store so that calls of the named read methods are counted (the store below the cache). */
function countingReads<T extends object>(store: T, methods: readonly string[]): { store: T; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v === 'function' && methods.includes(prop as string)) {
        return (...args: unknown[]) => {
          reads++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: proxy, reads: () => reads };
}

type Forwarded = [key: string, newValue: number | null, oldValue: number | null];

/** metered -> caching -> change-logging -> (counted) in-memory, on a shared ThreadCache. */
async function keyValueStack(cache: ThreadCache, taskId = '0_0') {
  const ctx = new FakeStoreContext(taskId, undefined, undefined, cache);
  const below = countingReads(new InMemoryKeyValueStore('kv'), ['get']);
  const store = new MeteredKeyValueStore(new CachingKeyValueStore(new ChangeLoggingKeyValueStore(below.store)), Serdes.string(), Serdes.long());
  await store.init(ctx, store);
  const forwarded: Forwarded[] = [];
  store.setFlushListener((k, n, o) => forwarded.push([k, n, o]));
  return { store, ctx, forwarded, reads: below.reads, logged: () => ctx.recordsOf('kv').map((r) => [r.key.toString(), r.value?.readBigInt64BE(0) ?? null]) };
}

// Each key-value entry: key (2 bytes) + value (8) + 64 overhead = 74 bytes.
const ENTRY = 74;

describe('state > record cache keeps flushed entries (clean)', () => {
  it('key-value: a get after a commit is served from the cache, without reading the store below', async () => {
    const { store, reads } = await keyValueStack(new ThreadCache(1 << 20));
    store.put('k1', 1);
    store.put('k2', 2);
    await store.flush();
    const before = reads();
    expect(store.get('k1')).toBe(1);
    expect(store.get('k2')).toBe(2);
    expect(reads()).toBe(before);
    expect(store.get('k3')).toBeNull(); // a miss reads below
    expect(reads()).toBe(before + 1);
  });

  it('key-value: a clean entry evicted is neither forwarded nor logged again, and still reads right from below', async () => {
    const cache = new ThreadCache(ENTRY * 2);
    const { store, forwarded, logged, reads } = await keyValueStack(cache);
    store.put('k1', 1);
    await store.flush();
    expect(forwarded).toEqual([['k1', 1, null]]);
    store.put('k2', 2);
    store.put('k3', 3); // over budget: k1 (clean) goes, silently; k2 and k3 stay dirty
    expect(forwarded).toEqual([['k1', 1, null]]);
    expect(logged()).toEqual([['k1', 1n]]);
    expect(cache.sizeBytes()).toBe(ENTRY * 2);
    const before = reads();
    expect(store.get('k1')).toBe(1);
    expect(reads()).toBe(before + 1);
    await store.flush();
    expect(forwarded).toEqual([['k1', 1, null], ['k2', 2, null], ['k3', 3, null]]);
    expect(logged()).toEqual([['k1', 1n], ['k2', 2n], ['k3', 3n]]);
  });

  it('key-value: a delete reaches the store below and the changelog once, and is not kept after the flush', async () => {
    const cache = new ThreadCache(ENTRY * 2);
    const { store, forwarded, logged, reads } = await keyValueStack(cache);
    store.put('k1', 1);
    await store.flush();
    store.delete('k1');
    expect(store.get('k1')).toBeNull();
    await store.flush();
    await store.flush();
    expect(forwarded).toEqual([['k1', 1, null], ['k1', null, 1]]);
    expect(logged()).toEqual([['k1', 1n], ['k1', null]]);
    expect(cache.sizeBytes()).toBe(0);
    const before = reads();
    expect(store.get('k1')).toBeNull();
    expect(reads()).toBe(before + 1);
    // Filling the cache past its budget evicts nothing of k1 (it is gone), and says nothing more of it.
    for (const k of ['k2', 'k3', 'k4']) store.put(k, 0);
    await store.flush();
    expect(logged().filter(([k]) => k === 'k1').length).toBe(2);
  });

  it('key-value: a restored record replaces a clean cached entry (the restore writes below the cache)', async () => {
    const { store } = await keyValueStack(new ThreadCache(1 << 20));
    store.put('k1', 1);
    await store.flush();
    store.restoreBatch([{ key: Buffer.from('k1'), value: Serdes.long().serialize(9)! }]);
    expect(store.get('k1')).toBe(9);
  });

  it('property: across tasks sharing one cache, the total stays within budget, reads match a Map model, forwards chain, the changelog ends at the model', async () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), task: fc.nat(2), key: fc.nat(9), value: fc.nat(99) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), task: fc.nat(2), key: fc.nat(9) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), task: fc.nat(2), key: fc.nat(9) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), task: fc.nat(2) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), async (ops, entries) => {
        const maxBytes = entries * ENTRY;
        const cache = new ThreadCache(maxBytes);
        const tasks = await Promise.all([0, 1, 2].map((t) => keyValueStack(cache, `0_${t}`)));
        const models = tasks.map(() => new Map<string, number>());
        for (const o of ops) {
          const t = tasks[o.task]!;
          const model = models[o.task]!;
          const key = o.kind === 'flush' ? '' : `k${o.key}`;
          if (o.kind === 'put') {
            t.store.put(key, o.value);
            model.set(key, o.value);
          } else if (o.kind === 'delete') {
            expect(t.store.delete(key)).toBe(model.get(key) ?? null);
            model.delete(key);
          } else if (o.kind === 'get') {
            expect(t.store.get(key)).toBe(model.get(key) ?? null);
          } else await t.store.flush();
          expect(cache.sizeBytes()).toBeLessThanOrEqual(maxBytes);
        }
        for (let i = 0; i < tasks.length; i++) {
          const t = tasks[i]!;
          await t.store.flush();
          // Every forward's old value is the previous forward's new value of that key; the last new value is the model's.
          const last = new Map<string, number | null>();
          for (const [k, n, o] of t.forwarded) {
            expect(o).toBe(last.get(k) ?? null);
            expect(n === null && o === null).toBe(false);
            last.set(k, n);
          }
          const lastLogged = new Map<string, bigint | null>();
          for (const [k, v] of t.logged()) lastLogged.set(k as string, v as bigint | null);
          for (let k = 0; k < 10; k++) {
            const key = `k${k}`;
            const want = models[i]!.get(key) ?? null;
            expect(last.get(key) ?? null).toBe(want);
            expect(lastLogged.get(key) ?? null).toBe(want === null ? null : BigInt(want));
            expect(t.store.get(key)).toBe(want);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('window: a fetch after a commit is served from the cache; a clean window evicted is not forwarded again', async () => {
    const ctx = new FakeStoreContext('0_0', undefined, undefined, new ThreadCache(2 * (1 + 12 + 8 + 64)));
    const below = countingReads(new InMemoryWindowStore('w', 3_600_000, 60_000, false), ['fetch']);
    const store = new MeteredWindowStore(new CachingWindowStore(below.store), Serdes.string(), Serdes.long());
    await store.init(ctx, store);
    const forwarded: [string, number, number | null][] = [];
    store.setFlushListener((k, n) => forwarded.push([k.key, k.window.start, n]));
    store.put('a', 1, 0);
    await store.flush();
    const before = below.reads();
    expect(store.fetch('a', 0)).toBe(1);
    expect(below.reads()).toBe(before);
    store.put('b', 2, 0);
    store.put('c', 3, 0); // over budget: window a (clean) goes, silently
    expect(forwarded).toEqual([['a', 0, 1]]);
    expect(store.fetch('a', 0)).toBe(1);
    expect(below.reads()).toBe(before + 1);
    await store.flush();
    expect(forwarded.map((f) => f[0])).toEqual(['a', 'b', 'c']);
  });

  it('session: a fetchSession after a commit is served from the cache; a removal reaches below once and is not kept', async () => {
    const cache = new ThreadCache(1 << 20);
    const ctx = new FakeStoreContext('0_0', undefined, undefined, cache);
    const below = countingReads(new InMemorySessionStore('s', 3_600_000), ['fetchSession']);
    const store = new MeteredSessionStore(new CachingSessionStore(new ChangeLoggingSessionStore(below.store)), Serdes.string(), Serdes.long());
    await store.init(ctx, store);
    const forwarded: [string, number | null, number | null][] = [];
    store.setFlushListener((k, n, o) => forwarded.push([k.key, n, o]));
    const session = { key: 'a', window: { start: 0, end: 10 } };
    store.put(session, 5);
    await store.flush();
    const before = below.reads();
    expect(store.fetchSession('a', 0, 10)).toBe(5);
    expect(below.reads()).toBe(before);
    store.remove(session);
    await store.flush();
    await store.flush();
    expect(forwarded).toEqual([['a', 5, null], ['a', null, 5]]);
    expect(ctx.recordsOf('s').map((r) => r.value === null)).toEqual([false, true]);
    expect(cache.sizeBytes()).toBe(0);
    expect(store.fetchSession('a', 0, 10)).toBeNull();
  });
});
