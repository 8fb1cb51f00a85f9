import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesTable, equalBytes, hashBytes } from '../../state/internal/bytes-table.js';
import { NamedCache } from '../../state/internal/named-cache.js';

const hex = (b: Buffer) => b.toString('hex');

describe('state > BytesTable', () => {
  it('property: equal bytes hash equal and compare equal, whatever buffer holds them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const x = Buffer.from(a);
        const copy = Buffer.concat([Buffer.from([7]), x]).subarray(1);
        expect(hashBytes(copy)).toBe(hashBytes(x));
        expect(equalBytes(copy, x)).toBe(true);
        expect(equalBytes(x, Buffer.from(b))).toBe(x.equals(Buffer.from(b)));
      }),
    );
  });

  it('property: behaves like a Map of hex keys through sets, removals, growth and clears', () => {
    // Keys from a small alphabet so that updates, removals of present keys and collisions are common.
    const key = fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a.map((x) => x & 7)));
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const table = new BytesTable<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === 'clear') {
            table.clear();
            model.clear();
          } else if (o.kind === 'set') {
            expect(table.set(o.key, o.value)).toBe(model.get(hex(o.key)));
            model.set(hex(o.key), o.value);
          } else {
            const id = table.indexOf(o.key);
            expect(id >= 0).toBe(model.has(hex(o.key)));
            if (id >= 0) table.removeAt(id);
            model.delete(hex(o.key));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(table.get(Buffer.from(k, 'hex'))).toBe(v);
        const seen = new Map<string, number>();
        table.forEach((k, v, id) => {
          expect(id).toBeLessThan(table.capacity);
          seen.set(hex(k), v);
        });
        expect(seen).toEqual(model);
      }),
    );
  });

  it('keeps every key findable across many growths and removals (backward-shift deletion)', () => {
    const table = new BytesTable<number>();
    const keyOf = (i: number) => Buffer.from(`k${i}`);
    for (let i = 0; i < 20_000; i++) table.set(keyOf(i), i);
    for (let i = 0; i < 20_000; i += 3) table.removeAt(table.indexOf(keyOf(i)));
    for (let i = 0; i < 20_000; i++) expect(table.get(keyOf(i))).toBe(i % 3 === 0 ? undefined : i);
    expect(table.size).toBe(20_000 - Math.ceil(20_000 / 3));
  });

  it('property: any initial capacity rounds up to a power of two and holds many more keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (initial) => {
        const table = new BytesTable<number>(initial);
        // Checked first: with a capacity that is not a power of two, the inserts below never return.
        expect(Number.isInteger(Math.log2(table.capacity))).toBe(true);
        expect(table.capacity).toBeGreaterThanOrEqual(initial);
        for (let i = 0; i < 2 * initial + 10; i++) table.set(Buffer.from(`k${i}`), i);
        for (let i = 0; i < 2 * initial + 10; i++) expect(table.get(Buffer.from(`k${i}`))).toBe(i);
      }),
      { numRuns: 30 },
    );
  });

  it('lists entries in the order they were first set while nothing was removed', () => {
    const table = new BytesTable<string>();
    for (const k of ['c', 'a', 'b', 'a']) table.set(Buffer.from(k), k.toUpperCase());
    const order: string[] = [];
    table.forEach((k) => void order.push(k.toString()));
    expect(order).toEqual(['c', 'a', 'b']);
  });
});

describe('state > NamedCache', () => {
  it('property: newest value per key; dirty entries flush and evict in write order; flushed entries stay clean, evicted in access order', () => {
    const key = fc.integer({ min: 0, max: 30 }).map((i) => Buffer.from([i]));
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.option(fc.nat({ max: 999 }), { nil: null }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('evictDirty' as const) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('evictClean' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalidate' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('range' as const), from: fc.option(key, { nil: null }), to: fc.option(key, { nil: null }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
        const cache = new NamedCache('c', () => {});
        // Model: entries by key, plus the two orders (arrays of keys, oldest first).
        const model = new Map<number, { value: string | null; ts: number; dirty: boolean }>();
        let dirtyOrder: number[] = [];
        let cleanOrder: number[] = [];
        const sizeOf = (v: string | null) => 1 + (v === null ? 0 : Buffer.byteLength(v)) + 64;
        const buf = (v: string | null) => (v === null ? null : Buffer.from(v));
        const drop = (k: number) => {
          model.delete(k);
          dirtyOrder = dirtyOrder.filter((x) => x !== k);
          cleanOrder = cleanOrder.filter((x) => x !== k);
        };
        ops.forEach((o, ts) => {
          if (o.kind === 'put') {
            const value = o.value === null ? null : String(o.value);
            const k = o.key[0]!;
            const old = model.get(k);
            expect(cache.put(o.key, buf(value), ts)).toBe(sizeOf(value) - (old === undefined ? 0 : sizeOf(old.value)));
            drop(k);
            model.set(k, { value, ts, dirty: true });
            dirtyOrder.push(k);
          } else if (o.kind === 'get') {
            const k = o.key[0]!;
            const m = model.get(k);
            expect(cache.valueOf(o.key)).toEqual(m === undefined ? undefined : buf(m.value));
            if (m !== undefined && !m.dirty) cleanOrder = [...cleanOrder.filter((x) => x !== k), k];
          } else if (o.kind === 'evictDirty') {
            const e = cache.evictOldest();
            const k = dirtyOrder[0];
            if (k === undefined) expect(e).toBeUndefined();
            else {
              const m = model.get(k)!;
              expect(e).toEqual({ key: Buffer.from([k]), value: buf(m.value), timestamp: m.ts, size: sizeOf(m.value) });
              drop(k);
            }
          } else if (o.kind === 'evictClean') {
            const k = cleanOrder[0];
            expect(cache.popOldestClean()).toBe(k === undefined ? -1 : sizeOf(model.get(k)!.value));
            if (k !== undefined) drop(k);
          } else if (o.kind === 'invalidate') {
            const k = o.key[0]!;
            const m = model.get(k);
            const clean = m !== undefined && !m.dirty;
            expect(cache.invalidateClean(o.key)).toBe(clean ? sizeOf(m.value) : 0);
            if (clean) drop(k);
          } else if (o.kind === 'flush') {
            const flushed = cache.flushEntries();
            expect(flushed.keys.map((b) => b[0])).toEqual(dirtyOrder);
            expect(flushed.values).toEqual(dirtyOrder.map((k) => buf(model.get(k)!.value)));
            expect(flushed.timestamps).toEqual(dirtyOrder.map((k) => model.get(k)!.ts));
            for (const k of dirtyOrder) {
              const m = model.get(k)!;
              if (m.value === null) model.delete(k);
              else {
                m.dirty = false;
                cleanOrder.push(k);
              }
            }
            dirtyOrder = [];
          } else {
            const inRange = dirtyOrder
              .filter((k) => (o.from === null || k >= o.from[0]!) && (o.to === null || k <= o.to[0]!))
              .sort((a, b) => a - b);
            expect(cache.range(o.from, o.to, false).map((e) => e.key[0])).toEqual(inRange);
            expect(cache.range(o.from, o.to, true).map((e) => e.key[0])).toEqual([...inRange].reverse());
          }
          let bytes = 0;
          let cleanBytes = 0;
          for (const m of model.values()) {
            bytes += sizeOf(m.value);
            if (!m.dirty) cleanBytes += sizeOf(m.value);
          }
          expect(cache.size).toBe(model.size);
          expect(cache.bytes).toBe(bytes);
          expect(cache.cleanBytes).toBe(cleanBytes);
          expect(cache.dirtyCount).toBe(dirtyOrder.length);
        });
        for (const [k, m] of model) {
          expect(cache.isDirty(Buffer.from([k]))).toBe(m.dirty);
          expect(cache.get(Buffer.from([k]))?.timestamp).toBe(m.ts);
        }
        cache.clear();
        expect([cache.size, cache.bytes, cache.cleanBytes, cache.dirtyCount]).toEqual([0, 0, 0, 0]);
      }),
    );
  });
});
