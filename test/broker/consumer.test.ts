import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import {
  ClosedError,
  IllegalStateError,
  NoOffsetForPartitionError,
  OffsetOutOfRangeError,
  TopicNotFoundError,
} from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';

let broker: Broker;
afterEach(async () => {
  await broker?.close();
});

async function withTopic(partitions = 1): Promise<Broker> {
  broker = await Broker.inMemory({ onWarning: () => {} });
  await broker.admin().createTopics([{ topic: 't', partitions }]);
  return broker;
}

async function send(values: string[], partition = 0, timestamp?: number): Promise<void> {
  await broker.producer().send(values.map((value) => ({ topic: 't', partition, value, ...(timestamp === undefined ? {} : { timestamp }) })));
}

const vals = (rs: ConsumedRecord[]) => rs.map((r) => r.value?.toString());

describe('broker > EmbeddedConsumer > positions', () => {
  it("autoOffsetReset 'earliest' reads from the log start, 'latest' only what comes next", async () => {
    await withTopic();
    await send(['a', 'b']);
    const early = broker.consumer({ autoOffsetReset: 'earliest' });
    early.assign([{ topic: 't', partition: 0 }]);
    const late = broker.consumer({}); // Kafka's default: latest
    late.assign([{ topic: 't', partition: 0 }]);
    expect(late.position('t', 0)).toBe(2);
    expect(vals(await early.poll())).toEqual(['a', 'b']);
    expect(await late.poll()).toEqual([]);
    await send(['c']);
    expect(vals(await late.poll())).toEqual(['c']);
    expect(vals(await early.poll())).toEqual(['c']);
  });

  it("autoOffsetReset 'none' with no committed offset throws NoOffsetForPartitionError naming the partition", async () => {
    await withTopic();
    const c = broker.consumer({ groupId: 'g', autoOffsetReset: 'none' });
    c.assign([{ topic: 't', partition: 0 }]);
    await expect(c.poll()).rejects.toThrow(NoOffsetForPartitionError);
    await expect(c.poll()).rejects.toThrow(/t-0.*group "g"/);
    c.seek('t', 0, 0);
    expect(await c.poll()).toEqual([]);
  });

  it('starts from the committed offset when there is one', async () => {
    await withTopic();
    await send(['a', 'b', 'c']);
    const first = broker.consumer({ groupId: 'g', autoCommit: false });
    first.assign([{ topic: 't', partition: 0 }]);
    await first.commit([{ topic: 't', partition: 0, offset: 1 }]);
    expect(await first.committed([{ topic: 't', partition: 0 }])).toEqual([1]);
    await first.close();
    const second = broker.consumer({ groupId: 'g', autoOffsetReset: 'none' });
    second.assign([{ topic: 't', partition: 0 }]);
    expect(vals(await second.poll())).toEqual(['b', 'c']);
  });

  it('a position below the log start (records deleted) resets per policy, or fails under none', async () => {
    await withTopic();
    await send(['a', 'b', 'c', 'd']);
    const c = broker.consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek('t', 0, 0);
    broker.core.getLog('t', 0).deleteRecordsBefore(2);
    expect(vals(await c.poll())).toEqual(['c', 'd']);
    const strict = broker.consumer({ autoOffsetReset: 'none' });
    strict.assign([{ topic: 't', partition: 0 }]);
    strict.seek('t', 0, 1);
    await expect(strict.poll()).rejects.toThrow(OffsetOutOfRangeError);
    await expect(strict.poll()).rejects.toThrow(/position 1 of t-0 is outside \[2, 4\]/);
  });

  it('seek, seekToBeginning, seekToEnd and position', async () => {
    await withTopic();
    await send(['a', 'b', 'c', 'd']);
    const c = broker.consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek('t', 0, 2);
    expect(c.position('t', 0)).toBe(2);
    expect(vals(await c.poll({ maxRecords: 1 }))).toEqual(['c']);
    expect(c.position('t', 0)).toBe(3);
    c.seekToBeginning([{ topic: 't', partition: 0 }]);
    expect(vals(await c.poll())).toEqual(['a', 'b', 'c', 'd']);
    c.seek('t', 0, 1);
    c.seekToEnd([{ topic: 't', partition: 0 }]);
    expect(await c.poll()).toEqual([]);
    expect(() => c.seek('t', 1, 0)).toThrow(IllegalStateError);
    expect(() => c.seek('t', 0, -1)).toThrow(RangeError);
  });

  it('skips records of the first batch that lie below the position', async () => {
    await withTopic();
    await send(['a', 'b', 'c', 'd', 'e']); // one batch
    const c = broker.consumer({});
    c.assign([{ topic: 't', partition: 0 }]);
    c.seek('t', 0, 3);
    const rs = await c.poll();
    expect(rs.map((r) => r.offset)).toEqual([3, 4]);
    expect(rs[0]!.value).toBe(broker.core.getLog('t', 0).read(0)[0]!.records[3]!.value); // the log's Buffer, not a copy
  });

  it('a batch cut short by maxRecords continues at the next poll, and a seek in between is honoured', async () => {
    await withTopic();
    await send(['a', 'b', 'c', 'd', 'e', 'f']); // one batch
    const c = broker.consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    expect(vals(await c.poll({ maxRecords: 2 }))).toEqual(['a', 'b']);
    expect(vals(await c.poll({ maxRecords: 2 }))).toEqual(['c', 'd']);
    c.seek('t', 0, 1);
    expect(vals(await c.poll({ maxRecords: 2 }))).toEqual(['b', 'c']);
    await send(['g']);
    expect(vals(await c.poll())).toEqual(['d', 'e', 'f', 'g']);
    broker.core.getLog('t', 0).deleteRecordsBefore(6);
    c.seek('t', 0, 0);
    expect(vals(await c.poll())).toEqual(['g']);
  });

  it('offsetsForTimes returns the first offset at or after the timestamp, or null', async () => {
    await withTopic();
    await send(['a'], 0, 100);
    await send(['b'], 0, 200);
    await send(['c'], 0, 300);
    const c = broker.consumer({});
    const q = (timestamp: number) => ({ topic: 't', partition: 0, timestamp });
    expect(await c.offsetsForTimes([q(0), q(150), q(300), q(301)])).toEqual([0, 1, 2, null]);
  });
});

describe('broker > EmbeddedConsumer > poll', () => {
  it('pause and resume stop and restart one partition without losing its position', async () => {
    await withTopic(2);
    await send(['a0'], 0);
    await send(['b0'], 1);
    const c = broker.consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    c.pause([{ topic: 't', partition: 1 }]);
    expect(c.paused()).toEqual([{ topic: 't', partition: 1 }]);
    expect(vals(await c.poll())).toEqual(['a0']);
    await send(['b1'], 1);
    expect(await c.poll()).toEqual([]);
    c.resume([{ topic: 't', partition: 1 }]);
    expect(c.paused()).toEqual([]);
    expect(vals(await c.poll())).toEqual(['b0', 'b1']);
    expect(() => c.pause([{ topic: 't', partition: 5 }])).toThrow(/t-5 is not assigned/);
  });

  it('shares maxRecords fairly: the start partition rotates between polls', async () => {
    await withTopic(3);
    for (let p = 0; p < 3; p++) await send(['x', 'y', 'z'].map((v) => `${p}${v}`), p);
    const c = broker.consumer({ autoOffsetReset: 'earliest' });
    c.assign([0, 1, 2].map((partition) => ({ topic: 't', partition })));
    const first = await c.poll({ maxRecords: 2 });
    const second = await c.poll({ maxRecords: 2 });
    expect(first.every((r) => r.partition === first[0]!.partition)).toBe(true);
    expect(second[0]!.partition).not.toBe(first[0]!.partition);
  });

  it('long-polls: a poll with a timeout returns as soon as a record is appended', async () => {
    await withTopic();
    const c = broker.consumer({});
    c.assign([{ topic: 't', partition: 0 }]);
    const started = Date.now();
    const polling = c.poll({ timeoutMs: 5000 });
    setTimeout(() => void send(['late']), 30);
    expect(vals(await polling)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(2000);
    const t0 = Date.now();
    expect(await c.poll({ timeoutMs: 50 })).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it('assign and subscribe exclude each other', async () => {
    await withTopic();
    const c = broker.consumer({ groupId: 'g' });
    c.assign([{ topic: 't', partition: 0 }]);
    await expect(c.subscribe(['t'])).rejects.toThrow(IllegalStateError);
    const d = broker.consumer({ groupId: 'g2' });
    await d.subscribe(['t']);
    expect(() => d.assign([{ topic: 't', partition: 0 }])).toThrow(IllegalStateError);
    await expect(broker.consumer({}).subscribe(['t'])).rejects.toThrow(/groupId/);
    expect(() => broker.consumer({}).assign([{ topic: 'nope', partition: 0 }])).toThrow(TopicNotFoundError);
    await expect(broker.consumer({}).poll()).rejects.toThrow(IllegalStateError);
  });

  it('close commits (autoCommit), is idempotent, and every later call throws ClosedError', async () => {
    await withTopic();
    await send(['a', 'b']);
    const c = broker.consumer({ groupId: 'g', autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    expect(await c.poll()).toHaveLength(2);
    await c.close();
    await c.close();
    await expect(c.poll()).rejects.toThrow(ClosedError);
    await expect(c.commit()).rejects.toThrow(ClosedError);
    expect(() => c.assignment()).toThrow(ClosedError);
    expect(broker.admin() && (await broker.admin().describeGroup('g')).offsets).toEqual([{ topic: 't', partition: 0, committed: 2, lag: 0 }]);
  });

  it('commit() with no arguments commits the positions of the assigned partitions', async () => {
    await withTopic(2);
    await send(['a', 'b'], 0);
    await send(['c'], 1);
    const c = broker.consumer({ groupId: 'g', autoOffsetReset: 'earliest', autoCommit: false });
    c.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    await c.poll();
    await c.commit();
    expect(await c.committed([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toEqual([2, 1]);
    expect(c.groupMetadata()).toEqual({ groupId: 'g', generationId: -1, memberId: '' });
    expect(broker.consumer({}).groupMetadata()).toBeNull();
  });
});
