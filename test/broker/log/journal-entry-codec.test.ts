import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEntryBody,
  encodeEntry,
  ENTRY_HEADER_SIZE,
  ENTRY_MAGIC,
  ENTRY_MAGIC_BATCHES,
  entryBodyLength,
  type JournalChunkInput,
} from '../../../src/broker/log/journal-entry-codec.js';
import { encodeBatch } from '../../../src/broker/log/record-batch-codec.js';

/** A record batch as a log appends it. */
function batch(baseOffset: number, values: string[]): Buffer {
  const records = values.map((v, i) => ({ timestamp: 1_000 + i, key: Buffer.from(`k${i}`), value: Buffer.from(v), headers: {} }));
  return encodeBatch({ records }, baseOffset).buffer;
}

/** Writes an entry as the journal does and splits it back into the header and the body. */
function roundTrip(chunks: JournalChunkInput[]): { head: Buffer; body: Buffer } {
  const { pieces, size } = encodeEntry(7, chunks);
  const entry = Buffer.concat(pieces);
  expect(entry.length).toBe(size);
  return { head: entry.subarray(0, ENTRY_HEADER_SIZE), body: entry.subarray(ENTRY_HEADER_SIZE) };
}

const flat = (data: Buffer | readonly Buffer[]) => (Buffer.isBuffer(data) ? data : Buffer.concat([...data]));

describe('broker > log > journal entry codec', () => {
  it('writes batch data as a batch entry (no second checksum of the data) and reads it back', () => {
    const chunks: JournalChunkInput[] = [
      { topic: 'orders', partition: 3, baseOffset: 10, data: [batch(10, ['a', 'bb']), batch(12, ['ccc'])] },
      { topic: '', partition: 0, baseOffset: 42, data: Buffer.alloc(0) }, // a seal
      { topic: 'payments', partition: 0, baseOffset: 0, data: batch(0, ['x']) },
    ];
    const { head, body } = roundTrip(chunks);
    expect(head.readUInt32BE(0)).toBe(ENTRY_MAGIC_BATCHES);
    expect(entryBodyLength(head, 7)).toBe(body.length);
    const decoded = decodeEntryBody(head, body);
    expect(typeof decoded).not.toBe('string');
    expect((decoded as JournalChunkInput[]).map((c) => [c.topic, c.partition, c.baseOffset, flat(c.data).toString('hex')])).toEqual(
      chunks.map((c) => [c.topic, c.partition, c.baseOffset, flat(c.data).toString('hex')]),
    );
  });

  it('falls back to a whole-body checksum when the data is not whole batches', () => {
    const { head, body } = roundTrip([{ topic: 't', partition: 0, baseOffset: 0, data: Buffer.from('not a batch') }]);
    expect(head.readUInt32BE(0)).toBe(ENTRY_MAGIC);
    expect(decodeEntryBody(head, body)).toEqual([{ topic: 't', partition: 0, baseOffset: 0, data: Buffer.from('not a batch') }]);
  });

  it('property: any single changed byte of a batch entry (a torn write) makes it invalid', () => {
    const chunks: JournalChunkInput[] = [
      { topic: 'a', partition: 1, baseOffset: 5, data: [batch(5, ['one', 'two']), batch(7, ['three'])] },
      { topic: '', partition: 0, baseOffset: 9, data: Buffer.alloc(0) },
      { topic: 'bb', partition: 0, baseOffset: 0, data: batch(0, ['four']) },
    ];
    const { head, body } = roundTrip(chunks);
    const entry = Buffer.concat([head, body]);
    fc.assert(
      fc.property(fc.nat({ max: entry.length - 1 }).filter((i) => i < 4 || i >= 8), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        // Bytes 4..7 are the generation: a change there makes the entry another lap's, which entryBodyLength rejects.
        const torn = Buffer.from(entry);
        torn[at]! ^= flip;
        const h = torn.subarray(0, ENTRY_HEADER_SIZE);
        const length = entryBodyLength(h, 7);
        if (length === null || length !== body.length) return; // not even read as this entry
        expect(typeof decodeEntryBody(h, torn.subarray(ENTRY_HEADER_SIZE))).toBe('string');
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: a batch entry cut short or with a stale tail (zeros, as an unwritten sector) is invalid', () => {
    const { head, body } = roundTrip([{ topic: 'a', partition: 0, baseOffset: 0, data: [batch(0, ['x'.repeat(300)]), batch(1, ['y'.repeat(300)])] }]);
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), (from) => {
        const stale = Buffer.from(body);
        if (stale.subarray(from).every((b) => b === 0)) return;
        stale.fill(0, from);
        expect(typeof decodeEntryBody(head, stale)).toBe('string');
      }),
    );
  });
});
