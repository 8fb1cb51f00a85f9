import { describe, expect, it } from 'vitest';
import type { Producer } from '../../src/core/client.js';
import type { ProducedRecord, RecordMetadata } from '../../src/core/record.js';
import { ChangelogOffsets } from '../../src/runtime/changelog-offsets.js';

/** A producer that "lands" records at the offsets given per send. */
function fakeProducer(landings: RecordMetadata[][]): Producer {
  let i = 0;
  const fail = () => Promise.reject(new Error('unused'));
  return {
    send: (_records: ProducedRecord[]) => Promise.resolve(landings[i++]!),
    initTransactions: fail,
    beginTransaction: () => {},
    sendOffsetsToTransaction: fail,
    commitTransaction: fail,
    abortTransaction: fail,
    close: () => Promise.resolve(),
  } as Producer;
}

describe('runtime > ChangelogOffsets', () => {
  it('remembers offset + 1 of the highest acknowledged record per changelog partition, ignoring other topics', async () => {
    const offsets = new ChangelogOffsets(['app-a-changelog', 'app-b-changelog']);
    const producer = offsets.wrap(
      fakeProducer([
        [
          { topic: 'app-a-changelog', partition: 2, offset: 7 },
          { topic: 'out', partition: 2, offset: 100 },
          { topic: 'app-a-changelog', partition: 2, offset: 8 },
          { topic: 'app-b-changelog', partition: 0, offset: 0 },
        ],
        // An older acknowledgement arriving later never moves a partition back.
        [{ topic: 'app-a-changelog', partition: 2, offset: 3 }, { topic: 'app-a-changelog', partition: 5, offset: 1 }],
      ]),
    );
    await producer.send([]);
    expect(offsets.get('app-a-changelog', 2)).toBe(9);
    expect(offsets.get('app-b-changelog', 0)).toBe(1);
    expect(offsets.get('out', 2)).toBeUndefined();
    expect(offsets.get('app-a-changelog', 0)).toBeUndefined();
    await producer.send([]);
    expect(offsets.get('app-a-changelog', 2)).toBe(9);
    expect(offsets.get('app-a-changelog', 5)).toBe(2);
    expect(offsets.get('app-a-changelog', 4)).toBeUndefined();
    offsets.forget('app-a-changelog', 2);
    expect(offsets.get('app-a-changelog', 2)).toBeUndefined();
    expect(offsets.get('app-a-changelog', 5)).toBe(2);
  });

  it('returns the producer itself when no store is logged', () => {
    const p = fakeProducer([]);
    expect(new ChangelogOffsets([]).wrap(p)).toBe(p);
  });
});
