import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StagedWrites } from '../../state/internal/staged-writes.js';

const hex = (b: Buffer) => b.toString('hex');

describe('state > StagedWrites', () => {
  it('property: replaying forEach in order, or forEachLatest, gives the last write of every key; get agrees', () => {
    const key = fc.integer({ min: 0, max: 20 }).map((i) => Buffer.from([i]));
    const value = fc.option(fc.nat({ max: 99 }).map((n) => Buffer.from(String(n))), { nil: null });
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (ops, foldAfter) => {
        const staged = new StagedWrites(foldAfter);
        const model = new Map<string, Buffer | null>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const before = staged.set(o.key, o.value);
            // The staging may not know (undefined), but what it reports is the truth.
            if (before !== undefined) expect(before).toEqual(model.get(hex(o.key)));
            model.set(hex(o.key), o.value);
          } else if (o.kind === 'get') {
            expect(staged.get(o.key)).toEqual(model.get(hex(o.key)));
          } else {
            staged.clear();
            model.clear();
          }
          expect(staged.empty).toBe(model.size === 0);
        }
        const replayed = new Map<string, Buffer | null>();
        staged.forEach((k, v) => void replayed.set(hex(k), v));
        expect(replayed).toEqual(model);
        const latest = new Map<string, Buffer | null>();
        staged.forEachLatest((k, v) => {
          expect(latest.has(hex(k))).toBe(false);
          latest.set(hex(k), v);
        });
        expect(latest).toEqual(model);
        expect(staged.size).toBe(model.size);
      }),
    );
  });
});
