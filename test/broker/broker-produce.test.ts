import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { partitionForKey } from '../../src/broker/murmur2.js';
import { ManualClock } from '../../src/core/clock.js';
import {
  InvalidRecordError,
  InvalidTopicError,
  InvalidTxnStateError,
  PartitionNotFoundError,
  RecordTooLargeError,
  TopicNotFoundError,
} from '../../src/core/errors.js';
import type { ProducedRecord } from '../../src/core/record.js';
import { readPartition, readTopic, snapshot, values } from './broker-test-helpers.js';

const open: Broker[] = [];
async function inMemory(opts: Parameters<typeof Broker.inMemory>[0] = {}): Promise<Broker> {
  const broker = await Broker.inMemory({ onWarning: () => {}, ...opts });
  open.push(broker);
  return broker;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe('broker > Broker > producer', () => {
  it('appends records that read back with offsets, timestamps, keys, values and headers', async () => {
    const clock = new ManualClock(1_000);
    const broker = await inMemory({ clock });
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
    const meta = await broker.producer().send([
      { topic: 't', partition: 1, key: 'k', value: 'v1', headers: { h: 'x', b: Buffer.from([1, 2]) } },
      { topic: 't', partition: 1, key: Buffer.from('k2'), value: null, timestamp: 42 },
      { topic: 't', partition: 0, value: Buffer.from('v3') },
    ]);
    expect(meta).toEqual([
      { topic: 't', partition: 1, offset: 0 },
      { topic: 't', partition: 1, offset: 1 },
      { topic: 't', partition: 0, offset: 0 },
    ]);
    const [p0, p1] = readTopic(broker, 't');
    expect(p1!.map((r) => [r.offset, r.timestamp, r.key?.toString(), r.value?.toString() ?? null])).toEqual([
      [0, 1_000, 'k', 'v1'],
      [1, 42, 'k2', null],
    ]);
    expect(p1![0]!.headers).toEqual({ h: Buffer.from('x'), b: Buffer.from([1, 2]) });
    expect(p0!.map((r) => [r.key, r.value?.toString()])).toEqual([[null, 'v3']]);
  });

  it('writes one batch per partition per send, offsets continuing across sends', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
    const producer = broker.producer();
    await producer.send([0, 1, 0, 1, 0].map((p, i) => ({ topic: 't', partition: p, value: `a${i}` })));
    const meta = await producer.send([{ topic: 't', partition: 0, value: 'b' }]);
    expect(meta).toEqual([{ topic: 't', partition: 0, offset: 3 }]);
    const batches = broker.core.getLog('t', 0).read(0);
    expect(batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([[0, 2], [3, 3]]);
    expect(values(readPartition(broker, 't', 0))).toEqual(['a0', 'a2', 'a4', 'b']);
  });

  it('places keyed records with murmur2 like the Java client', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 7 }]);
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
    const meta = await broker.producer().send(keys.map((key) => ({ topic: 't', key, value: key })));
    keys.forEach((key, i) => expect(meta[i]!.partition).toBe(partitionForKey(Buffer.from(key), 7)));
    expect(new Set(meta.map((m) => m.partition)).size).toBe(7);
    for (let p = 0; p < 7; p++) {
      for (const r of readPartition(broker, 't', p)) expect(partitionForKey(r.key!, 7)).toBe(p);
    }
  });

  it('keeps one send of null keys on one partition and moves to the next partition on the next send', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 4 }]);
    const producer = broker.producer();
    const used: number[] = [];
    for (let s = 0; s < 8; s++) {
      const meta = await producer.send(Array.from({ length: 5 }, (_, i) => ({ topic: 't', value: `${s}-${i}` })));
      const partitions = new Set(meta.map((m) => m.partition));
      expect(partitions.size).toBe(1);
      used.push(meta[0]!.partition);
    }
    for (let s = 1; s < 8; s++) expect(used[s]).toBe((used[s - 1]! + 1) % 4);
    expect(readTopic(broker, 't').map((p) => p.length)).toEqual([10, 10, 10, 10]);
  });

  it('sticks per topic within one send and still honours explicit partitions and keys', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 'a', partitions: 3 }, { topic: 'b', partitions: 5 }]);
    const meta = await broker.producer().send([
      { topic: 'a', value: '1' },
      { topic: 'b', value: '2' },
      { topic: 'a', value: '3' },
      { topic: 'a', value: '4', partition: 2 },
      { topic: 'b', key: 'k', value: '5' },
      { topic: 'b', value: '6' },
    ]);
    expect(meta[2]!.partition).toBe(meta[0]!.partition);
    expect(meta[5]!.partition).toBe(meta[1]!.partition);
    expect(meta[3]!.partition).toBe(2);
    expect(meta[4]!.partition).toBe(partitionForKey(Buffer.from('k'), 5));
  });

  it('stamps records with the broker clock under message.timestamp.type=LogAppendTime', async () => {
    const clock = new ManualClock(5_000);
    const broker = await inMemory({ clock });
    await broker.admin().createTopics([{ topic: 't', config: { 'message.timestamp.type': 'LogAppendTime' } }]);
    await broker.producer().send([{ topic: 't', value: 'x', timestamp: 7 }]);
    expect(readPartition(broker, 't', 0)[0]!.timestamp).toBe(5_000);
  });

  it('auto-creates an unknown topic with defaultPartitions only when autoCreateTopics is on', async () => {
    const off = await inMemory();
    await expect(off.producer().send([{ topic: 'new', value: 'x' }])).rejects.toThrow(TopicNotFoundError);
    expect(await off.admin().listTopics()).toEqual([]);

    const on = await inMemory({ autoCreateTopics: true, defaultPartitions: 3 });
    const meta = await on.producer().send([{ topic: 'new', key: 'k', value: 'x' }]);
    expect(meta).toEqual([{ topic: 'new', partition: partitionForKey(Buffer.from('k'), 3), offset: 0 }]);
    const described = await on.admin().describeTopic('new');
    expect(described.partitions).toHaveLength(3);
  });

  it('resolves an empty send with no metadata', async () => {
    const broker = await inMemory();
    expect(await broker.producer().send([])).toEqual([]);
  });

  it('throws InvalidTxnStateError from every transaction method of a producer without transactionalId', async () => {
    const broker = await inMemory();
    const producer = broker.producer();
    await expect(producer.initTransactions()).rejects.toThrow(InvalidTxnStateError);
    expect(() => producer.beginTransaction()).toThrow(/neither transactional nor idempotent/);
    await expect(producer.sendOffsetsToTransaction([], 'g')).rejects.toThrow(InvalidTxnStateError);
    await expect(producer.commitTransaction()).rejects.toThrow(InvalidTxnStateError);
    await expect(producer.abortTransaction()).rejects.toThrow(InvalidTxnStateError);
  });
});

describe('broker > Broker > producer rejects a bad send and changes nothing', () => {
  const good: ProducedRecord = { topic: 't', key: 'k', value: 'ok' };
  const cases: [string, ProducedRecord[], new (...args: never[]) => Error, RegExp][] = [
    ['a bad topic name', [good, { topic: 'bad name!', value: 'x' }], InvalidTopicError, /bad name!/],
    ['an empty topic name', [good, { topic: '', value: 'x' }], InvalidTopicError, /empty/],
    ['an unknown topic', [good, { topic: 'nope', value: 'x' }], TopicNotFoundError, /"nope"/],
    ['a partition past the end', [good, { topic: 't', partition: 3, value: 'x' }], PartitionNotFoundError, /topic "t", record 1: partition 3/],
    ['a negative partition', [good, { topic: 't', partition: -1, value: 'x' }], PartitionNotFoundError, /partition -1/],
    ['a fractional partition', [good, { topic: 't', partition: 0.5, value: 'x' }], PartitionNotFoundError, /partition 0.5/],
    ['a string partition', [good, { topic: 't', partition: '1' as unknown as number, value: 'x' }], InvalidRecordError, /record 1: partition/],
    ['a numeric key', [good, { topic: 't', key: 5 as unknown as string, value: 'x' }], InvalidRecordError, /topic "t", record 1: key/],
    ['an object value', [good, { topic: 't', value: {} as unknown as string }], InvalidRecordError, /topic "t", record 1: value/],
    ['a missing value', [good, { topic: 't' } as ProducedRecord], InvalidRecordError, /record 1: value .*undefined/],
    ['a Uint8Array value', [good, { topic: 't', value: new Uint8Array(2) as Buffer }], InvalidRecordError, /Uint8Array/],
    ['a numeric header', [good, { topic: 't', value: 'x', headers: { h: 1 as unknown as string } }], InvalidRecordError, /record 1: header "h"/],
    ['a null header', [good, { topic: 't', value: 'x', headers: { h: null as unknown as string } }], InvalidRecordError, /header "h"/],
    ['a negative timestamp', [good, { topic: 't', value: 'x', timestamp: -5 }], InvalidRecordError, /record 1: timestamp/],
    ['a record over max.message.bytes', [good, { topic: 't', partition: 2, value: Buffer.alloc(101) }], RecordTooLargeError, /topic "t" partition 2, record 1: 101 bytes exceeds max.message.bytes 100/],
    ['headers pushing a record over the limit', [good, { topic: 't', partition: 0, value: Buffer.alloc(98), headers: { ab: 'c' } }], RecordTooLargeError, /101 bytes/],
    ['a write to an internal topic', [good, { topic: '__consumer_offsets', value: 'x' }], InvalidTopicError, /internal/],
    ['a null record', [good, null as unknown as ProducedRecord], InvalidRecordError, /record 1/],
  ];

  it.each(cases)('%s', async (_label, records, errorClass, message) => {
    const broker = await inMemory({ autoCreateTopics: false });
    await broker.admin().createTopics([{ topic: 't', partitions: 3, config: { 'max.message.bytes': '100' } }]);
    const producer = broker.producer();
    await producer.send([{ topic: 't', partition: 1, value: 'before' }]);
    broker.core.ensureInternalTopic('__consumer_offsets', 1);
    const before = await snapshot(broker);
    const error = await producer.send(records).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toMatch(message);
    expect(await snapshot(broker)).toEqual(before);
    expect(values(readPartition(broker, 't', 1))).toEqual(['before']);
  });

  it('does not auto-create a topic when a later record of the send is bad', async () => {
    const broker = await inMemory({ autoCreateTopics: true });
    const error = await broker
      .producer()
      .send([{ topic: 'fresh', value: 'x' }, { topic: 'fresh', value: 3 as unknown as string }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(await broker.admin().listTopics()).toEqual([]);
  });

  it('checks a partition of an auto-created topic against defaultPartitions', async () => {
    const broker = await inMemory({ autoCreateTopics: true, defaultPartitions: 2 });
    await expect(broker.producer().send([{ topic: 'fresh', partition: 2, value: 'x' }])).rejects.toThrow(PartitionNotFoundError);
    expect(await broker.admin().listTopics()).toEqual([]);
  });

  it('uses the broker-wide maxMessageBytes for topics that do not set it', async () => {
    const broker = await inMemory({ maxMessageBytes: 10 });
    await broker.admin().createTopics([{ topic: 't' }]);
    await broker.producer().send([{ topic: 't', value: Buffer.alloc(10) }]);
    await expect(broker.producer().send([{ topic: 't', value: Buffer.alloc(11) }])).rejects.toThrow(/11 bytes exceeds max.message.bytes 10/);
  });
});

describe('broker > Broker > producer properties', () => {
  const recordArb = (topics: { name: string; partitions: number }[]) =>
    fc.record({
      t: fc.integer({ min: 0, max: topics.length - 1 }),
      key: fc.option(fc.oneof(fc.string({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a))), { nil: null }),
      value: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
      partitionPick: fc.option(fc.nat(), { nil: undefined }),
      timestamp: fc.option(fc.nat({ max: 2 ** 40 }), { nil: undefined }),
    });

  it('property: reading every partition back gives exactly the sent records per partition, in order', async () => {
    const topics = [
      { name: 'p1', partitions: 1 },
      { name: 'p3', partitions: 3 },
      { name: 'p5', partitions: 5 },
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(recordArb(topics), { maxLength: 20 }), { maxLength: 8 }), async (sends) => {
        const broker = await Broker.inMemory({ clock: new ManualClock(99) });
        try {
          await broker.admin().createTopics(topics.map((t) => ({ topic: t.name, partitions: t.partitions })));
          const producer = broker.producer();
          const model = new Map(topics.map((t) => [t.name, Array.from({ length: t.partitions }, () => [] as unknown[])]));
          for (const send of sends) {
            const records: ProducedRecord[] = send.map((r) => {
              const topic = topics[r.t]!;
              return {
                topic: topic.name,
                key: r.key,
                value: r.value,
                ...(r.partitionPick === undefined ? {} : { partition: r.partitionPick % topic.partitions }),
                ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
              };
            });
            const meta = await producer.send(records);
            expect(meta).toHaveLength(records.length);
            records.forEach((r, i) => {
              const m = meta[i]!;
              expect(m.topic).toBe(r.topic);
              if (r.partition !== undefined) expect(m.partition).toBe(r.partition);
              else if (r.key !== null && r.key !== undefined) {
                expect(m.partition).toBe(partitionForKey(Buffer.from(r.key), model.get(r.topic)!.length));
              }
              const partition = model.get(r.topic)![m.partition]!;
              expect(m.offset).toBe(partition.length);
              partition.push([
                m.offset,
                r.timestamp ?? 99,
                r.key === null || r.key === undefined ? null : Buffer.from(r.key).toString('hex'),
                r.value,
              ]);
            });
          }
          for (const t of topics) {
            const actual = readTopic(broker, t.name).map((p) =>
              p.map((r) => [r.offset, r.timestamp, r.key?.toString('hex') ?? null, r.value?.toString() ?? null]),
            );
            expect(actual).toEqual(model.get(t.name));
          }
        } finally {
          await broker.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
