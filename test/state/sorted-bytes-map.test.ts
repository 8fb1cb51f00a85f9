import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LazyKeyIndex } from '../../state/internal/lazy-key-index.js';
import { OrderedKey } from '../../state/internal/window-key-schema.js';
import { SortedBytesMap, compareBytes } from '../../state/internal/sorted-bytes-map.js';

describe('state > SortedBytesMap', () => {
  it('property: compareBytes orders like Buffer.compare', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), (a, b) => {
        expect(Math.sign(compareBytes(Buffer.from(a), Buffer.from(b)))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
    );
  });

  it('property: behaves like a sorted map across chunk splits, with inclusive forward and reverse scans', () => {
    const key = fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), fc.option(key), fc.option(key), (ops, from, to) => {
        const map = new SortedBytesMap<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          const id = o.key.toString('hex');
          if (o.kind === 'set') {
            expect(map.set(o.key, o.value)).toBe(model.get(id));
            model.set(id, o.value);
          } else {
            expect(map.delete(o.key)).toBe(model.get(id));
            model.delete(id);
          }
        }
        expect(map.size).toBe(model.size);
        const sorted = [...model.keys()].map((h) => Buffer.from(h, 'hex')).sort(Buffer.compare);
        const inRange = sorted.filter((k) => (from === null || Buffer.compare(k, from) >= 0) && (to === null || Buffer.compare(k, to) <= 0));
        const fwd: string[] = [];
        map.scan(from, to, false, (k) => void fwd.push(k.toString('hex')));
        expect(fwd).toEqual(inRange.map((k) => k.toString('hex')));
        const rev: string[] = [];
        map.scan(from, to, true, (k) => void rev.push(k.toString('hex')));
        expect(rev).toEqual(inRange.map((k) => k.toString('hex')).reverse());
        for (const k of sorted.slice(0, 50)) expect(map.get(k)).toBe(model.get(k.toString('hex')));
      }),
      { numRuns: 60 },
    );
  });
});

describe('state > LazyKeyIndex', () => {
  it('property: matches a set model whether updates are merged in batches or on demand', () => {
    const key = fc.uint8Array({ maxLength: 2 }).map((a) => Buffer.from(a));
    const op = fc.record({ add: fc.boolean(), key, look: fc.integer({ min: 0, max: 200 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 6000 }), (ops) => {
        const index = new LazyKeyIndex();
        const model = new Set<string>();
        for (const o of ops) {
          if (o.add) {
            index.add(o.key);
            model.add(o.key.toString('hex'));
          } else {
            index.remove(o.key);
            model.delete(o.key.toString('hex'));
          }
          // Now and then read mid-stream (forces a merge of whatever is logged).
          if (o.look === 0) expect(index.size).toBe(model.size);
        }
        const keys: string[] = [];
        index.scan(null, null, false, (k) => void keys.push(k.toString('hex')));
        expect(keys).toEqual([...model].map((h) => Buffer.from(h, 'hex')).sort(Buffer.compare).map((b) => b.toString('hex')));
      }),
      { numRuns: 30 },
    );
  });
});

describe('state > LazyKeyIndex (ascending writes)', () => {
  it('property: ascending runs, appended at once or logged, mixed with random updates and reads, match a set model', () => {
    // `next` keys count upward (a sequential key space); `random` keys land anywhere among them.
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('next' as const), n: fc.integer({ min: 1, max: 700 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), add: fc.boolean(), at: fc.nat({ max: 5000 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('look' as const) }) },
    );
    const keyOf = (i: number) => Buffer.from(i.toString(16).padStart(6, '0'));
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const index = new LazyKeyIndex();
        const model = new Set<string>();
        let counter = 0;
        for (const o of ops) {
          if (o.kind === 'next') {
            for (let i = 0; i < o.n; i++) {
              const k = keyOf(counter++);
              index.add(k);
              model.add(k.toString('hex'));
            }
          } else if (o.kind === 'random') {
            const k = keyOf(o.at);
            if (o.add) {
              index.add(k);
              model.add(k.toString('hex'));
            } else {
              index.remove(k);
              model.delete(k.toString('hex'));
            }
          } else expect(index.size).toBe(model.size);
        }
        const keys: string[] = [];
        index.scan(null, null, false, (k) => void keys.push(k.toString('hex')));
        expect(keys).toEqual([...model].sort());
        const rev: string[] = [];
        index.scan(null, null, true, (k) => void rev.push(k.toString('hex')));
        expect(rev).toEqual([...model].sort().reverse());
      }),
      { numRuns: 60 },
    );
  });
});

describe('state > OrderedKey', () => {
  it('property: encoding preserves byte order, is prefix-free, and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }), fc.uint8Array({ minLength: 1, maxLength: 4 }), (a, b, suffix) => {
        const [x, y] = [Buffer.from(a), Buffer.from(b)];
        const [ex, ey] = [OrderedKey.encode(x), OrderedKey.encode(y)];
        expect(Math.sign(Buffer.compare(ex, ey))).toBe(Math.sign(Buffer.compare(x, y)));
        // Any suffix after the encoding keeps the order of distinct keys (entries of a key stay contiguous).
        if (!x.equals(y)) {
          expect(Math.sign(Buffer.compare(Buffer.concat([ex, Buffer.from(suffix)]), ey))).toBe(Math.sign(Buffer.compare(x, y)));
        }
        expect(OrderedKey.decode(ex, ex.length)).toEqual(x);
      }),
    );
  });
});
