import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/core/errors.js';
import { int64IsSafe, readInt64BE, writeInt64BE } from '../../src/serdes/int64-bytes.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { ValueAndTimestampSerde } from '../../src/processor/value-and-timestamp.js';

/** The obvious (BigInt) encoding the halves must match byte for byte. */
function viaBigInt(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

const edges = [0, 1, -1, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];

describe('serdes > int64 bytes', () => {
  it('property: writes the same bytes as writeBigInt64BE and reads back every safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.constantFrom(...edges), fc.integer()), (n) => {
        const b = Buffer.alloc(8);
        writeInt64BE(b, n, 0);
        expect(b.toString('hex')).toBe(viaBigInt(n).toString('hex'));
        expect(readInt64BE(b, 0)).toBe(n);
        expect(int64IsSafe(b, 0)).toBe(true);
      }),
    );
  });

  it('property: int64IsSafe agrees with the BigInt range check on any 8 bytes', () => {
    const nearEdges = fc.constantFrom(0x001fffffn << 32n, 0x00200000n << 32n, -(0x00200000n << 32n), -(0x00200000n << 32n) + 1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n));
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), nearEdges), (big) => {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(big);
        const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
        expect(int64IsSafe(b, 0)).toBe(safe);
        if (safe) expect(readInt64BE(b, 0)).toBe(Number(big));
      }),
    );
  });

  it('still rejects what BigInt rejects (fractions, NaN) and writes unsafe integers through BigInt', () => {
    expect(() => writeInt64BE(Buffer.alloc(8), 1.5, 0)).toThrow(RangeError);
    expect(() => writeInt64BE(Buffer.alloc(8), Number.NaN, 0)).toThrow(RangeError);
    const b = Buffer.alloc(8);
    writeInt64BE(b, 2 ** 60, 0);
    expect(b.readBigInt64BE(0)).toBe(2n ** 60n);
  });

  it('Serdes.long refuses 2^53 and -2^53 (outside the safe range) and reads +-(2^53 - 1)', () => {
    expect(() => Serdes.long().deserialize(viaBigInt(2 ** 53))).toThrow(SerializationError);
    expect(() => Serdes.long().deserialize(viaBigInt(-(2 ** 53)))).toThrow(SerializationError);
    expect(Serdes.long().deserialize(viaBigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(Serdes.long().deserialize(viaBigInt(Number.MIN_SAFE_INTEGER))).toBe(Number.MIN_SAFE_INTEGER);
    expect(() => Serdes.long().serialize(1.5)).toThrow(SerializationError);
  });

  it('property: windowed keys (any string, lone surrogates too) and ValueAndTimestamp keep their BigInt-era bytes', () => {
    const windowed = Serdes.windowed(Serdes.string(), 60_000);
    const session = Serdes.sessionWindowed(Serdes.string());
    const vat = new ValueAndTimestampSerde(Serdes.long());
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), fc.maxSafeInteger(), fc.maxSafeInteger(), (key, a, b) => {
        const k = Buffer.from(key);
        const w = windowed.serialize({ key, window: { start: a, end: a + 60_000 } })!;
        expect(w.toString('hex')).toBe(Buffer.concat([k, viaBigInt(a)]).toString('hex'));
        expect(windowed.deserialize(w)).toEqual({ key: k.toString('utf8'), window: { start: a, end: a + 60_000 } });
        const s = session.serialize({ key, window: { start: a, end: b } })!;
        expect(s.toString('hex')).toBe(Buffer.concat([k, viaBigInt(b), viaBigInt(a)]).toString('hex'));
        expect(session.deserialize(s)).toEqual({ key: k.toString('utf8'), window: { start: a, end: b } });
        const v = vat.serialize({ value: b, timestamp: a })!;
        expect(v.toString('hex')).toBe(Buffer.concat([viaBigInt(a), viaBigInt(b)]).toString('hex'));
        expect(vat.deserialize(v)).toEqual({ value: b, timestamp: a });
      }),
    );
  });
});
