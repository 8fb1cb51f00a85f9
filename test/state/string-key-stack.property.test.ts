import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext, openTaskDb, tempDir } from './fake-store-context.js';

/**
 * A context that keeps the key Buffers it is given, as they are (the runtime's record collector
 * holds them until the send), and remembers their bytes at the time: the store must never hand
 * out a key Buffer whose bytes change afterwards (a reused encoding buffer, a recycled slab).
 */
class RetainingContext extends FakeStoreContext {
  readonly raw: [Buffer, string][] = [];
  override logChange(store: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.raw.push([key, key.toString('hex')]);
    super.logChange(store, key, value, timestamp);
  }
}

// Short ASCII keys take the metered layer's reused-buffer path; the others go through the serde.
const key = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 30 }).map((i) => `k${i}`) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ключ', '键', 'k\u00ff') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((i) => 'x'.repeat(70 + i)) },
);
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.option(fc.nat({ max: 99 }).map(String), { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
);
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('state > string-keyed store stack (metered → caching → change-logging → inner)', () => {
  it('property: matches a Map model, and every key it logs or forwards keeps its bytes, with any cache budget or none', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 120, size: 'max' }),
        fc.constantFrom(0, 150, 1 << 20, null),
        fc.boolean(),
        async (ops, cacheBytes, persistent) => {
          const tmp = tempDir();
          const db = persistent ? await openTaskDb(tmp.dir) : undefined;
          const ctx = new RetainingContext('0_0', tmp.dir, db, new ThreadCache(cacheBytes ?? 0));
          const supplier = persistent ? Stores.persistentKeyValueStore('store') : Stores.inMemoryKeyValueStore('store');
          // null: no cache at all (every write reaches the changelog as it happens).
          const builder = Stores.keyValueStoreBuilder(supplier, Serdes.string(), Serdes.string()).withLoggingEnabled();
          const store = (cacheBytes === null ? builder.withCachingDisabled() : builder.withCachingEnabled()).build();
          const forwarded = new Map<string, string | null>();
          try {
            await store.init(ctx, store);
            expect(store.setFlushListener((k, v) => void forwarded.set(k, v))).toBe(cacheBytes !== null);
            const model = new Map<string, string>();
            for (const o of ops) {
              if (o.kind === 'put') {
                store.put(o.key, o.value);
                if (o.value === null) model.delete(o.key);
                else model.set(o.key, o.value);
              } else if (o.kind === 'delete') {
                expect(store.delete(o.key)).toBe(model.get(o.key) ?? null);
                model.delete(o.key);
              } else if (o.kind === 'get') {
                expect(store.get(o.key)).toBe(model.get(o.key) ?? null);
              } else {
                await store.flush();
                await db?.commit(new Map([['app-store-changelog-0', ctx.changelog.length]]));
              }
            }
            await store.flush();
            const all = store.all().map((e) => [e.key, e.value]);
            expect(all).toEqual([...model].sort(([a], [b]) => utf8Order(a, b)));
            // Last logged value of every key = the model; forwarded updates agree with it.
            const logged = new Map<string, string | null>();
            for (const r of ctx.recordsOf('store')) logged.set(r.key.toString(), r.value === null ? null : r.value.toString());
            for (const [k, v] of logged) expect(v).toBe(model.get(k) ?? null);
            for (const [k, v] of forwarded) expect(v).toBe(model.get(k) ?? null);
            for (const [raw, hex] of ctx.raw) expect(raw.toString('hex')).toBe(hex);
          } finally {
            await store.close();
            await db?.close();
            tmp.cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
