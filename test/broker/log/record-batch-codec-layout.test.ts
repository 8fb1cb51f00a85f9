import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_HEADERS, type Headers } from '../../../src/core/record.js';
import { decodeBatchHeader, decodeRecords, encodeBatch } from '../../../src/broker/log/record-batch-codec.js';

/**
 * The on-disk record layout read and written independently, with Node's checked Buffer readers and
 * writers at the documented positions (record-batch-codec.ts header): pins the format both ways,
 * whatever byte-level tricks the codec uses.
 */
interface R {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const recordArb: fc.Arbitrary<R> = fc.record({
  // Wide spreads: timestamp deltas far past 32 bits, negative ones too.
  timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 })),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.oneof(fc.constant(EMPTY_HEADERS), fc.dictionary(fc.string({ maxLength: 6 }).filter((n) => n !== '__proto__'), bytes, { minKeys: 1, maxKeys: 2 })),
});

/** Reads the records of a batch at 0 by the documented layout. */
function readByLayout(buf: Buffer): { offsetDelta: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: [string, Buffer][] }[] {
  const count = buf.readInt32BE(21);
  const first = Number(buf.readBigInt64BE(25));
  let p = 57;
  const out = [];
  for (let i = 0; i < count; i++) {
    const offsetDelta = buf.readInt32BE(p);
    const timestamp = first + Number(buf.readBigInt64BE(p + 4));
    p += 12;
    const kl = buf.readInt32BE(p);
    p += 4;
    const key = kl < 0 ? null : buf.subarray(p, (p += kl));
    const vl = buf.readInt32BE(p);
    p += 4;
    const value = vl < 0 ? null : buf.subarray(p, (p += vl));
    const hc = buf.readInt32BE(p);
    p += 4;
    const headers: [string, Buffer][] = [];
    for (let h = 0; h < hc; h++) {
      const nl = buf.readInt16BE(p);
      const name = buf.toString('utf8', p + 2, p + 2 + nl);
      p += 2 + nl;
      const hl = buf.readInt32BE(p);
      p += 4;
      headers.push([name, buf.subarray(p, (p += hl))]);
    }
    out.push({ offsetDelta, timestamp, key, value, headers });
  }
  expect(p).toBe(buf.length);
  return out;
}

/** Rewrites the records section of `template` (a batch) from `records` by the documented layout. */
function writeByLayout(template: Buffer, records: R[]): Buffer {
  const first = Number(template.readBigInt64BE(25));
  const parts: Buffer[] = [template.subarray(0, 57)];
  records.forEach((r, i) => {
    const fixed = Buffer.alloc(12);
    fixed.writeInt32BE(i, 0);
    fixed.writeBigInt64BE(BigInt(r.timestamp - first), 4);
    parts.push(fixed);
    for (const b of [r.key, r.value]) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(b === null ? -1 : b.length);
      parts.push(len, ...(b === null ? [] : [b]));
    }
    const names = Object.keys(r.headers);
    const hc = Buffer.alloc(4);
    hc.writeInt32BE(names.length);
    parts.push(hc);
    for (const name of names) {
      const nb = Buffer.from(name, 'utf8');
      const nl = Buffer.alloc(2);
      nl.writeInt16BE(nb.length);
      const vl = Buffer.alloc(4);
      vl.writeInt32BE(r.headers[name]!.length);
      parts.push(nl, nb, vl, r.headers[name]!);
    }
  });
  return Buffer.concat(parts);
}

describe('broker > log > record-batch-codec layout', () => {
  it('property: encoded records sit where the documented layout says, and a layout-written batch decodes to its records', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 2 ** 40 }), (records, baseOffset) => {
        const { buffer } = encodeBatch({ records }, baseOffset);
        const read = readByLayout(buffer);
        expect(read.map((r) => r.offsetDelta)).toEqual(records.map((_, i) => i));
        expect(read.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
        expect(read.map((r) => [r.key && [...r.key], r.value && [...r.value]])).toEqual(records.map((r) => [r.key && [...r.key], r.value && [...r.value]]));
        expect(read.map((r) => r.headers.map(([n, v]) => [n, [...v]]))).toEqual(records.map((r) => Object.keys(r.headers).map((n) => [n, [...r.headers[n]!]])));
        // The other way: the same bytes written by the layout decode to the records.
        const byLayout = writeByLayout(buffer, records);
        expect(byLayout.equals(buffer)).toBe(true);
        const decoded = decodeRecords(byLayout, 0, decodeBatchHeader(byLayout, 0));
        expect(decoded.map((r) => [r.offset, r.timestamp])).toEqual(records.map((r, i) => [baseOffset + i, r.timestamp]));
      }),
    );
  });

  it('rejects a record whose value length or header count would lie past the batch', () => {
    const { buffer } = encodeBatch({ records: [{ timestamp: 1, key: Buffer.from('k'), value: null, headers: EMPTY_HEADERS }] }, 0);
    // Claim a key of 20 bytes: it still fits the 24 + 1 bytes of the record, but nothing is left after it.
    const bad = Buffer.from(buffer);
    bad.writeInt32BE(bad.length - 57 - 16, 57 + 12);
    expect(() => decodeRecords(bad, 0, decodeBatchHeader(bad, 0))).toThrow(/overruns the batch/);
  });
});
