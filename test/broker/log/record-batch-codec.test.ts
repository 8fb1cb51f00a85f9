import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_HEADERS } from '../../../src/core/record.js';
import type { AppendBatch } from '../../../src/broker/log/partition-log.js';
import {
  batchCrcMatches,
  BATCH_HEADER_SIZE,
  decodeBatchHeader,
  decodeRecords,
  encodeBatch,
  peekBatchSize,
} from '../../../src/broker/log/record-batch-codec.js';

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const recordArb = fc.record({
  timestamp: fc.integer({ min: -1, max: 2 ** 50 }),
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.dictionary(fc.string({ maxLength: 8 }), bytes, { maxKeys: 3 }),
});
const batchArb: fc.Arbitrary<AppendBatch> = fc.record({
  records: fc.array(recordArb, { minLength: 1, maxLength: 20 }),
  producerId: fc.integer({ min: -1, max: 2 ** 53 - 1 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  isTransactional: fc.boolean(),
  isControl: fc.boolean(),
});

const plain = (b: Buffer | null) => (b === null ? null : [...b]);

describe('broker > log > record-batch-codec', () => {
  it('property: a batch decodes to what was encoded', () => {
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 0, max: 2 ** 53 - 1 - 20 }), (batch, baseOffset) => {
        const { buffer, maxTimestamp } = encodeBatch(batch, baseOffset);
        expect(peekBatchSize(buffer, 0)).toBe(buffer.length);
        expect(batchCrcMatches(buffer, 0, buffer.length)).toBe(true);
        const h = decodeBatchHeader(buffer, 0);
        expect(h).toMatchObject({
          size: buffer.length,
          baseOffset,
          lastOffset: baseOffset + batch.records.length - 1,
          recordCount: batch.records.length,
          maxTimestamp,
          producerId: batch.producerId,
          producerEpoch: batch.producerEpoch,
          baseSequence: batch.baseSequence,
          isTransactional: batch.isTransactional,
          isControl: batch.isControl,
        });
        expect(maxTimestamp).toBe(Math.max(...batch.records.map((r) => r.timestamp)));
        const records = decodeRecords(buffer, 0, h);
        expect(records.map((r) => ({ ...r, key: plain(r.key), value: plain(r.value), headers: mapHeaders(r.headers) }))).toEqual(
          batch.records.map((r, i) => ({
            offset: baseOffset + i,
            timestamp: r.timestamp,
            key: plain(r.key),
            value: plain(r.value),
            headers: mapHeaders(r.headers),
          })),
        );
      }),
    );
  });

  it('property: any flipped bit after the CRC field is detected', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (batch, rawPos, bit) => {
        const { buffer } = encodeBatch(batch, 0);
        const pos = 9 + (rawPos % (buffer.length - 9));
        buffer[pos]! ^= 1 << bit;
        expect(batchCrcMatches(buffer, 0, buffer.length)).toBe(false);
      }),
    );
  });

  it('decodes keys and values as views of the input buffer, without copying', () => {
    const { buffer } = encodeBatch({ records: [{ timestamp: 5, key: Buffer.from('k'), value: Buffer.from('v'), headers: EMPTY_HEADERS }] }, 7);
    const [r] = decodeRecords(buffer, 0, decodeBatchHeader(buffer, 0));
    expect(r!.value!.buffer).toBe(buffer.buffer);
    expect(r!.headers).toBe(EMPTY_HEADERS);
  });

  it('keeps a header named __proto__ as a plain header', () => {
    const headers: Record<string, Buffer> = {};
    Object.defineProperty(headers, '__proto__', { value: Buffer.from('x'), enumerable: true, writable: true, configurable: true });
    const { buffer } = encodeBatch({ records: [{ timestamp: 0, key: null, value: null, headers }] }, 0);
    const [r] = decodeRecords(buffer, 0, decodeBatchHeader(buffer, 0));
    expect(Object.keys(r!.headers)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r!.headers)).toBe(Object.prototype);
  });

  it('rejects empty batches, unsafe timestamps and garbage length prefixes', () => {
    expect(() => encodeBatch({ records: [] }, 0)).toThrow(RangeError);
    expect(() => encodeBatch({ records: [{ timestamp: 1.5, key: null, value: null, headers: {} }] }, 0)).toThrow(RangeError);
    const zeros = Buffer.alloc(BATCH_HEADER_SIZE);
    expect(peekBatchSize(zeros, 0)).toMatch(/too small/);
    const { buffer } = encodeBatch({ records: [{ timestamp: 0, key: null, value: null, headers: {} }] }, 0);
    buffer[4] = 9;
    expect(peekBatchSize(buffer, 0)).toMatch(/magic/);
  });
});

function mapHeaders(h: Record<string, Buffer>): [string, number[]][] {
  return Object.keys(h).map((k) => [k, [...h[k]!]]);
}
