import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/core/errors.js';
import { Serdes } from '../../src/serdes/serdes.js';

const hex = (b: Buffer | null) => b?.toString('hex');

describe('serdes > Serdes', () => {
  it('writes int32 as 4 big-endian bytes, like Kafka IntegerSerializer', () => {
    expect(hex(Serdes.int32().serialize(1))).toBe('00000001');
    expect(hex(Serdes.int32().serialize(-1))).toBe('ffffffff');
    expect(hex(Serdes.int32().serialize(0x12345678))).toBe('12345678');
    expect(Serdes.int32().deserialize(Buffer.from('80000000', 'hex'))).toBe(-2147483648);
  });

  it('writes int64 and long as 8 big-endian bytes, like Kafka LongSerializer', () => {
    expect(hex(Serdes.int64().serialize(1))).toBe('0000000000000001');
    expect(hex(Serdes.int64().serialize(-2n))).toBe('fffffffffffffffe');
    expect(Serdes.int64().deserialize(Buffer.from('7fffffffffffffff', 'hex'))).toBe(2n ** 63n - 1n);
    expect(hex(Serdes.long().serialize(256))).toBe('0000000000000100');
    expect(Serdes.long().deserialize(Buffer.from('ffffffffffffffff', 'hex'))).toBe(-1);
  });

  it('writes double as IEEE 754 big-endian, like Kafka DoubleSerializer', () => {
    expect(hex(Serdes.double().serialize(1.5))).toBe('3ff8000000000000');
    expect(Serdes.double().deserialize(Buffer.from('c000000000000000', 'hex'))).toBe(-2);
  });

  it('writes strings as UTF-8 and JSON as UTF-8 JSON text', () => {
    expect(hex(Serdes.string().serialize('é'))).toBe('c3a9');
    expect(Serdes.json().serialize({ a: 1 })?.toString()).toBe('{"a":1}');
  });

  it('maps null to null for every serde', () => {
    for (const serde of [Serdes.string(), Serdes.json(), Serdes.int32(), Serdes.int64(), Serdes.long(), Serdes.double(), Serdes.bytes()]) {
      expect((serde as { serialize(v: null): Buffer | null }).serialize(null)).toBeNull();
      expect(serde.deserialize(null)).toBeNull();
    }
  });

  it.each([
    ['int32', () => Serdes.int32().deserialize(Buffer.from('0102', 'hex'))],
    ['int64', () => Serdes.int64().deserialize(Buffer.from('01', 'hex'))],
    ['long', () => Serdes.long().deserialize(Buffer.from('7fffffffffffffff', 'hex'))],
    ['double', () => Serdes.double().deserialize(Buffer.alloc(3))],
    ['json', () => Serdes.json().deserialize(Buffer.from('{nope'))],
    ['int32', () => Serdes.int32().serialize(1.5)],
    ['windowed', () => Serdes.windowed(Serdes.string(), 10).deserialize(Buffer.alloc(4))],
  ])('throws a SerializationError naming the %s serde for bad input', (name, run) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).serde).toBe(name);
    expect((error as Error).message).toContain(name);
  });

  it('lays out windowed keys as key + start (time) and key + end + start (session), like Kafka', () => {
    const w = Serdes.windowed(Serdes.string(), 100);
    const bytes = w.serialize({ key: 'a', window: { start: 5, end: 105 } })!;
    expect(hex(bytes)).toBe('61' + '0000000000000005');
    expect(w.deserialize(bytes)).toEqual({ key: 'a', window: { start: 5, end: 105 } });
    const s = Serdes.sessionWindowed(Serdes.string());
    const sb = s.serialize({ key: 'a', window: { start: 5, end: 9 } })!;
    expect(hex(sb)).toBe('61' + '0000000000000009' + '0000000000000005');
    expect(s.deserialize(sb)).toEqual({ key: 'a', window: { start: 5, end: 9 } });
  });

  it('property: every serde round-trips its values', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true }),
        fc.jsonValue(),
        fc.uint8Array(),
        (s, i, big, safe, d, j, bytes) => {
          expect(Serdes.string().deserialize(Serdes.string().serialize(s))).toBe(s);
          expect(Serdes.int32().deserialize(Serdes.int32().serialize(i))).toBe(i);
          expect(Serdes.int64().deserialize(Serdes.int64().serialize(big))).toBe(big);
          expect(Serdes.long().deserialize(Serdes.long().serialize(safe))).toBe(safe);
          expect(Object.is(Serdes.double().deserialize(Serdes.double().serialize(d)), d)).toBe(true);
          expect(Serdes.json().deserialize(Serdes.json().serialize(j))).toEqual(JSON.parse(JSON.stringify(j)));
          const buf = Buffer.from(bytes);
          expect(Serdes.bytes().deserialize(Serdes.bytes().serialize(buf))?.equals(buf)).toBe(true);
        },
      ),
    );
  });
});
