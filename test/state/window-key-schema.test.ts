import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InnerWindowKey, OrderedKey, WindowKeySchema } from '../../state/internal/window-key-schema.js';

/** The layout spelled out with the obvious pieces: ordered key, start int64 BE, seq int32 BE. */
function model(key: Buffer, start: number, seq: number): Buffer {
  const suffix = Buffer.alloc(12);
  suffix.writeBigInt64BE(BigInt(start), 0);
  suffix.writeInt32BE(seq, 8);
  return Buffer.concat([OrderedKey.encode(key), suffix]);
}

// Keys with many zero bytes (the escaped byte) as well as arbitrary ones.
const keyArb = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.array(fc.constantFrom(0, 0xff, 1), { maxLength: 12 })).map((a) => Buffer.from(a));
const startArb = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: 0, max: 2 ** 42 }));
const seqArb = fc.integer({ min: -0x80000000, max: 0x7fffffff });

describe('state > window key schema', () => {
  it('property: InnerWindowKey.of and fromChangelog build the model layout, and its parts read back', () => {
    fc.assert(
      fc.property(keyArb, startArb, seqArb, (key, start, seq) => {
        const expected = model(key, start, seq);
        const inner = InnerWindowKey.of(key, start, seq);
        expect(inner.toString('hex')).toBe(expected.toString('hex'));
        expect(InnerWindowKey.fromChangelog(WindowKeySchema.toStoreKey(key, start, seq)).toString('hex')).toBe(expected.toString('hex'));
        expect(InnerWindowKey.keyOf(inner).equals(key)).toBe(true);
        expect(InnerWindowKey.startOf(inner)).toBe(start);
        expect(InnerWindowKey.seqOf(inner)).toBe(seq >>> 0);
      }),
    );
  });

  it('property: inner keys order by (key, start, unsigned seq) like Buffer.compare of the keys', () => {
    fc.assert(
      fc.property(keyArb, keyArb, fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (a, b, s, t) => {
        const byKey = Buffer.compare(a, b);
        const expected = byKey !== 0 ? byKey : Math.sign(s - t);
        expect(Math.sign(Buffer.compare(InnerWindowKey.of(a, s, 0), InnerWindowKey.of(b, t, 0)))).toBe(expected);
      }),
    );
  });
});
