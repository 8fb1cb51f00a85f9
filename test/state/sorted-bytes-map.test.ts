import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
