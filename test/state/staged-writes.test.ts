import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StagedWrites } from '../../state/internal/staged-writes.js';
import { StoreSpace, type SpaceBatch, type SpaceRoot, type SpaceSublevel } from '../../state/internal/store-space.js';

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

describe('state > StoreSpace staging', () => {
  const fakeSub: SpaceSublevel = { keys: () => ({ nextv: async () => [], close: async () => {} }) };
  const root = (disk: Map<string, Buffer>): SpaceRoot => ({ getSync: (k) => disk.get(k.toString('latin1')) });
  const b = (s: string) => Buffer.from(s);

  it('puts back the writes of a failed batch unless they were overwritten since, keeping write order', () => {
    const space = new StoreSpace('s', fakeSub, root(new Map()), b('!s!'), () => {});
    space.stage(b('a'), b('1'));
    space.stage(b('b'), b('1'));
    space.stage(b('a'), b('2')); // a logged twice: the batch gets both, last one last
    const ops: string[] = [];
    const batch: SpaceBatch = { put: (k, v) => ops.push(`${k}=${v}`), del: (k) => ops.push(`${k}=del`) };
    expect(space.takePending(batch)).toBe(true);
    expect(ops).toEqual(['!s!a=1', '!s!b=1', '!s!a=2']);
    expect(space.get(b('a'))).toEqual(b('2')); // in flight: still readable
    space.stage(b('b'), null);
    space.releaseInFlight(true);
    expect(space.get(b('a'))).toEqual(b('2'));
    expect(space.get(b('b'))).toBeNull();
    const again: string[] = [];
    space.takePending({ put: (k, v) => again.push(`${k}=${v}`), del: (k) => again.push(`${k}=del`) });
    expect(again.sort()).toEqual(['!s!a=2', '!s!b=del']);
  });

  it('hands a batch that copies keys every staged key, prefixed, through one buffer per key length', () => {
    const space = new StoreSpace('s', fakeSub, root(new Map()), b('!s!'), () => {});
    const keys = ['a', 'bb', 'c', 'dd', 'x'.repeat(40), 'y'.repeat(40), 'e'];
    keys.forEach((k, i) => space.stage(b(k), i === 3 ? null : b(String(i))));
    const ops: string[] = [];
    const seen = new Set<Buffer>();
    const batch: SpaceBatch = {
      put: (k, v) => (seen.add(k), ops.push(`${k}=${v}`)),
      del: (k) => (seen.add(k), ops.push(`${k}=del`)),
    };
    space.takePending(batch, true);
    expect(ops).toEqual(['!s!a=0', '!s!bb=1', '!s!c=2', '!s!dd=del', `!s!${'x'.repeat(40)}=4`, `!s!${'y'.repeat(40)}=5`, '!s!e=6']);
    expect(seen.size).toBe(3); // lengths 1, 2 and 40
  });

  it('reads staged writes first, then the disk', () => {
    const space = new StoreSpace('s', fakeSub, root(new Map([['!s!x', b('disk')]])), b('!s!'), () => {});
    expect(space.get(b('x'))).toEqual(b('disk'));
    space.stage(b('x'), null);
    expect(space.get(b('x'))).toBeNull();
    space.stage(b('x'), b('new'));
    expect(space.get(b('x'))).toEqual(b('new'));
    expect(space.pendingCount()).toBe(1);
  });
});
