import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesTable } from '../../state/internal/bytes-table.js';
import { MemoryBytesMap } from '../../state/internal/bytes-map.js';
import { KeySlab, compareRegions, hashRegion, regionEquals } from '../../state/internal/key-slab.js';
import { hashBytes } from '../../state/internal/bytes-table.js';
import { LazyKeyIndex } from '../../state/internal/lazy-key-index.js';
import { NamedCache } from '../../state/internal/named-cache.js';
import { SortedBytesMap } from '../../state/internal/sorted-bytes-map.js';
import { StagedWrites } from '../../state/internal/staged-writes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');

/**
 * Keys that make slab structures work: mostly from a small set (so updates, deletes of present
 * keys and reinserts are common), plus the empty key, non-ASCII bytes, and keys of a few KiB (a
 * few deletes of those leave enough dead bytes to trigger a slab compaction).
 */
const key: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map((i) => Buffer.from([0x61 + (i % 7), 0xc3 + (i >> 3)].slice(0, 1 + (i % 2)))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 5 }).map((a) => Buffer.from(a)) },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 0, max: 6 }).map((i) => {
      const b = Buffer.alloc(2000 + 500 * i, 0xe9);
      b[b.length - 1] = i; // long keys share a prefix and differ at the end
      return b;
    }),
  },
);

/** Buffers a structure handed out, with what they said then: a later write must never change them. */
class Handed {
  private readonly seen: [Buffer, string][] = [];
  note(b: Buffer): Buffer {
    if (this.seen.length < 2000) this.seen.push([b, hex(b)]);
    return b;
  }
  check(): void {
    for (const [b, h] of this.seen) expect(hex(b)).toBe(h);
  }
}

/** Slabs compact as soon as half their bytes are dead (not only past 4 KiB), so runs reach it often. */
const compactEarly = 0;

const byteOrder = (a: string, b: string) => Buffer.compare(unhex(a), unhex(b));

describe('state > KeySlab', () => {
  it('property: region helpers agree with Buffer.compare, equals and hashBytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), fc.uint8Array({ maxLength: 90 }), fc.nat({ max: 7 }), (a, b, pad) => {
        const at = Buffer.alloc(pad + a.length);
        at.set(a, pad);
        expect(Math.sign(compareRegions(at, pad, a.length, b, 0, b.length))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(regionEquals(at, pad, a.length, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(hashRegion(at, pad, a.length)).toBe(hashBytes(a));
      }),
    );
  });

  it('property: appended keys read back; views never change through growth, compaction and reset', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), key }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const slab = new KeySlab(0);
        const handed = new Handed();
        let live: { off: number; key: Buffer }[] = [];
        for (const o of ops) {
          if (o.kind === 'append') {
            live.push({ off: slab.append(o.key), key: o.key });
            handed.note(slab.view(live[live.length - 1]!.off, o.key.length));
          } else if (o.kind === 'release' && live.length > 0) {
            const [gone] = live.splice(o.at % live.length, 1);
            slab.release(gone!.key.length);
          } else if (o.kind === 'compact') {
            const old = slab.startCompaction();
            live = live.map((e) => ({ off: slab.appendFrom(old, e.off, e.key.length), key: e.key }));
          } else if (o.kind === 'reset') {
            slab.reset();
            live = [];
          }
          expect(slab.live).toBe(live.reduce((n, e) => n + e.key.length, 0));
          for (const e of live) expect(hex(slab.bytes.subarray(e.off, e.off + e.key.length))).toBe(hex(e.key));
        }
        handed.check();
      }),
    );
  });
});

describe('state > BytesTable (slab keys)', () => {
  it('property: a Map of hex keys through sets, removals, compaction and clears, with empty, long and non-ASCII keys', () => {
    const op = fc.oneof(
      // Clears are rare: removals must pile up dead slab bytes between them for compaction to run.
      { weight: 30, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }) },
      { weight: 30, arbitrary: fc.record({ kind: fc.constant('remove' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600, size: 'max' }), (ops) => {
        const table = new BytesTable<number>(8, compactEarly);
        const model = new Map<string, number>();
        const handed = new Handed();
        for (const o of ops) {
          if (o.kind === 'clear') {
            table.clear();
            model.clear();
          } else if (o.kind === 'set') {
            expect(table.set(o.key, o.value)).toBe(model.get(hex(o.key)));
            model.set(hex(o.key), o.value);
            handed.note(table.keyAt(table.indexOf(o.key)));
          } else {
            const id = table.indexOf(o.key);
            expect(id >= 0).toBe(model.has(hex(o.key)));
            if (id >= 0) {
              expect(hex(handed.note(table.keyAt(id)))).toBe(hex(o.key));
              table.removeAt(id);
            }
            model.delete(hex(o.key));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(table.get(unhex(k))).toBe(v);
        const seen = new Map<string, number>();
        table.forEach((k, v) => void seen.set(hex(k), v));
        expect(seen).toEqual(model);
        const regions = new Map<string, number>();
        table.forEachRegion((bytes, at, n, v) => void regions.set(hex(bytes.subarray(at, at + n)), v));
        expect(regions).toEqual(model);
        handed.check();
      }),
    );
  });
});

describe('state > StagedWrites (slab keys)', () => {
  it('property: the last write of every key, through the log, a fold, forEachRegion and clears', () => {
    const value = fc.option(fc.nat({ max: 99 }).map((n) => Buffer.from(String(n))), { nil: null });
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 400 }), (ops, foldAfter) => {
        const staged = new StagedWrites(foldAfter);
        const model = new Map<string, Buffer | null>();
        const handed = new Handed();
        for (const o of ops) {
          if (o.kind === 'set') {
            staged.set(o.key, o.value);
            model.set(hex(o.key), o.value);
          } else if (o.kind === 'get') {
            expect(staged.get(o.key)).toEqual(model.get(hex(o.key)));
          } else {
            staged.forEach((k) => void handed.note(k));
            staged.clear();
            model.clear();
          }
        }
        const replayed = new Map<string, Buffer | null>();
        staged.forEachRegion((bytes, at, n, v) => void replayed.set(hex(bytes.subarray(at, at + n)), v));
        expect(replayed).toEqual(model);
        const viaViews = new Map<string, Buffer | null>();
        staged.forEach((k, v) => void viaViews.set(hex(handed.note(k)), v));
        expect(viaViews).toEqual(model);
        handed.check();
      }),
    );
  });
});

describe('state > SortedBytesMap (slab keys)', () => {
  it('property: a sorted map in byte order across splits, deletes, compaction and clears; scanned keys never change', () => {
    const op = fc.oneof(
      { weight: 20, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }) },
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), key, value: fc.nat() }) },
      { weight: 25, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('scan' as const), from: fc.option(key), to: fc.option(key), reverse: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 800, size: 'max' }), (ops) => {
        const map = new SortedBytesMap<number>(compactEarly);
        const model = new Map<string, number>();
        const handed = new Handed();
        const scan = (from: Buffer | null, to: Buffer | null, reverse: boolean) => {
          const got: [string, number][] = [];
          map.scan(from, to, reverse, (k, v) => void got.push([hex(handed.note(k)), v]));
          const want = [...model]
            .filter(([k]) => (from === null || byteOrder(k, hex(from)) >= 0) && (to === null || byteOrder(k, hex(to)) <= 0))
            .sort(([a], [b]) => byteOrder(a, b));
          expect(got).toEqual(reverse ? want.reverse() : want);
        };
        for (const o of ops) {
          if (o.kind === 'set') {
            expect(map.set(o.key, o.value)).toBe(model.get(hex(o.key)));
            model.set(hex(o.key), o.value);
          } else if (o.kind === 'append') {
            const last = [...model.keys()].sort(byteOrder).pop();
            const after = last === undefined || byteOrder(hex(o.key), last) > 0;
            expect(map.appendIfLast(o.key, o.value)).toBe(after);
            if (after) model.set(hex(o.key), o.value);
          } else if (o.kind === 'delete') {
            expect(map.delete(o.key)).toBe(model.get(hex(o.key)));
            model.delete(hex(o.key));
          } else if (o.kind === 'scan') scan(o.from, o.to, o.reverse);
          else {
            map.clear();
            model.clear();
          }
          expect(map.size).toBe(model.size);
        }
        scan(null, null, false);
        for (const k of model.keys()) expect(map.get(unhex(k))).toBe(model.get(k));
        handed.check();
      }),
    );
  });

  it('property: applySorted (through LazyKeyIndex merges) matches a set model, with long and non-ASCII keys', () => {
    const op = fc.record({ add: fc.boolean(), key, look: fc.integer({ min: 0, max: 60 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 3000, size: 'max' }), (ops) => {
        const index = new LazyKeyIndex();
        const model = new Set<string>();
        const handed = new Handed();
        for (const o of ops) {
          if (o.add) {
            index.add(o.key);
            model.add(hex(o.key));
          } else {
            index.remove(o.key);
            model.delete(hex(o.key));
          }
          if (o.look === 0) {
            expect(index.size).toBe(model.size);
            index.scan(null, null, false, (k) => void handed.note(k));
          }
        }
        const keys: string[] = [];
        index.scan(null, null, false, (k) => void keys.push(hex(k)));
        expect(keys).toEqual([...model].sort(byteOrder));
        for (const k of model) expect(index.has(unhex(k))).toBe(true);
        handed.check();
      }),
      { numRuns: 40 },
    );
  });
});

describe('state > MemoryBytesMap', () => {
  it('property: a sorted map model through sets, deletes, scans and clears', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.option(fc.nat({ max: 9 }), { nil: null }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('scan' as const), from: fc.option(key), to: fc.option(key), reverse: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
        const map = new MemoryBytesMap();
        const model = new Map<string, string>();
        for (const o of ops) {
          if (o.kind === 'set') {
            map.set(o.key, o.value === null ? null : Buffer.from(String(o.value)));
            if (o.value === null) model.delete(hex(o.key));
            else model.set(hex(o.key), String(o.value));
          } else if (o.kind === 'get') {
            expect(map.get(o.key)?.toString() ?? null).toBe(model.get(hex(o.key)) ?? null);
          } else if (o.kind === 'scan') {
            const got: [string, string][] = [];
            map.scan(o.from, o.to, o.reverse, (k, v) => void got.push([hex(k), v.toString()]));
            const want = [...model]
              .filter(([k]) => (o.from === null || byteOrder(k, hex(o.from)) >= 0) && (o.to === null || byteOrder(k, hex(o.to)) <= 0))
              .sort(([a], [b]) => byteOrder(a, b));
            expect(got).toEqual(o.reverse ? want.reverse() : want);
          } else {
            map.clear();
            model.clear();
          }
          expect(map.size).toBe(model.size);
        }
      }),
    );
  });
});

describe('state > NamedCache (slab keys)', () => {
  it('property: flushed and evicted keys stay intact after later writes, evictions and compaction', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.option(fc.nat({ max: 9 }), { nil: null }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('evict' as const) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('evictClean' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
        const cache = new NamedCache('c', () => {});
        const model = new Map<string, { value: string | null; dirty: boolean }>();
        const handed = new Handed();
        // Drained batches are read only at the end, after everything else happened to the cache.
        const drained: [ReturnType<NamedCache['flushEntries']>, string[]][] = [];
        ops.forEach((o, ts) => {
          if (o.kind === 'put') {
            cache.put(o.key, o.value === null ? null : Buffer.from(String(o.value)), ts);
            model.set(hex(o.key), { value: o.value === null ? null : String(o.value), dirty: true });
          } else if (o.kind === 'evict') {
            const e = cache.evictOldest();
            if (e !== undefined) {
              expect(model.get(hex(handed.note(e.key)))?.dirty).toBe(true);
              model.delete(hex(e.key));
            }
          } else if (o.kind === 'evictClean') {
            cache.popOldestClean();
            for (const [k, m] of model) if (!m.dirty && cache.valueOf(unhex(k)) === undefined) model.delete(k);
          } else {
            const d = cache.flushEntries();
            const keys = Array.from({ length: d.count }, (_, i) => hex(d.key(i)));
            expect(new Set(keys)).toEqual(new Set([...model].filter(([, m]) => m.dirty).map(([k]) => k)));
            drained.push([d, keys]);
            for (const k of keys) {
              const m = model.get(k)!;
              if (m.value === null) model.delete(k);
              else m.dirty = false;
            }
          }
          expect(cache.size).toBe(model.size);
        });
        for (const [k, m] of model) expect(cache.valueOf(unhex(k))?.toString() ?? null).toBe(m.value);
        for (const [d, keys] of drained) expect(Array.from({ length: d.count }, (_, i) => hex(d.key(i)))).toEqual(keys);
        handed.check();
      }),
    );
  });
});
