import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { ClosedError, InvalidTopicError, TopicNotFoundError } from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';

const open: Broker[] = [];
async function inMemory(opts: Parameters<typeof Broker.inMemory>[0] = {}): Promise<Broker> {
  const broker = await Broker.inMemory({ onWarning: () => {}, ...opts });
  open.push(broker);
  return broker;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe('broker > Broker > watch', () => {
  it('emits every record appended after subscription, across partitions, and stops on unsubscribe', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }, { topic: 'other' }]);
    const producer = broker.producer();
    await producer.send([{ topic: 't', value: 'before' }]);
    const seen: ConsumedRecord[] = [];
    const subscription = broker.watch('t').subscribe((r) => seen.push(r));
    const meta = await producer.send([
      { topic: 't', partition: 0, key: 'k', value: 'a', headers: { h: 'v' } },
      { topic: 'other', value: 'not watched' },
      { topic: 't', partition: 1, value: 'b' },
    ]);
    expect(seen.map((r) => [r.topic, r.partition, r.offset, r.key?.toString() ?? null, r.value?.toString()])).toEqual([
      ['t', meta[0]!.partition, meta[0]!.offset, 'k', 'a'],
      ['t', 1, meta[2]!.offset, null, 'b'],
    ]);
    expect(seen[0]!.headers).toEqual({ h: Buffer.from('v') });
    subscription.unsubscribe();
    await producer.send([{ topic: 't', value: 'after' }]);
    expect(seen).toHaveLength(2);
  });

  it('is cold: nothing is observed before subscribe, each subscriber gets its own stream', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't' }]);
    const watched = broker.watch('t');
    await broker.producer().send([{ topic: 't', value: 'early' }]);
    const first = firstValueFrom(watched.pipe(take(2), toArray()));
    const second = firstValueFrom(watched.pipe(take(1), toArray()));
    await broker.producer().send([{ topic: 't', value: 'x' }, { topic: 't', value: 'y' }]);
    expect((await first).map((r) => r.value?.toString())).toEqual(['x', 'y']);
    expect((await second).map((r) => r.value?.toString())).toEqual(['x']);
  });

  it('errors with TopicNotFoundError for an unknown topic and InvalidTopicError for a bad name', async () => {
    const broker = await inMemory();
    await expect(firstValueFrom(broker.watch('missing'))).rejects.toThrow(TopicNotFoundError);
    await expect(firstValueFrom(broker.watch('bad name'))).rejects.toThrow(InvalidTopicError);
  });

  it('completes when the topic is deleted and when the broker closes', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 'a' }, { topic: 'b' }]);
    const events: string[] = [];
    broker.watch('a').subscribe({ complete: () => events.push('a complete') });
    broker.watch('b').subscribe({ complete: () => events.push('b complete') });
    await broker.admin().deleteTopics(['a']);
    expect(events).toEqual(['a complete']);
    await broker.close();
    expect(events).toEqual(['a complete', 'b complete']);
  });
});

describe('broker > Broker > close', () => {
  it('is idempotent and makes every broker, producer and admin call fail with ClosedError', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't' }]);
    const admin = broker.admin();
    const producer = broker.producer();
    const first = broker.close();
    expect(broker.close()).toBe(first);
    await first;
    await broker.close();
    expect(() => broker.admin()).toThrow(ClosedError);
    expect(() => broker.producer()).toThrow(ClosedError);
    expect(() => broker.consumer({})).toThrow(ClosedError);
    expect(() => broker.watch('t')).toThrow(ClosedError);
    await expect(producer.send([{ topic: 't', value: 'x' }])).rejects.toThrow(ClosedError);
    await expect(producer.initTransactions()).rejects.toThrow(ClosedError);
    await expect(admin.listTopics()).rejects.toThrow(ClosedError);
    await expect(admin.createTopics([{ topic: 'u' }])).rejects.toThrow(ClosedError);
    await expect(admin.describeTopic('t')).rejects.toThrow(ClosedError);
    await expect(admin.deleteTopics(['t'])).rejects.toThrow(ClosedError);
    await expect(admin.createPartitions('t', 2)).rejects.toThrow(ClosedError);
    await expect(admin.listGroups()).rejects.toThrow(ClosedError);
    await expect(admin.describeGroup('g')).rejects.toThrow(ClosedError);
    await expect(admin.deleteGroups(['g'])).rejects.toThrow(ClosedError);
    await expect(admin.resetOffsets('g', 't', { earliest: true })).rejects.toThrow(ClosedError);
    expect(() => broker.core.assertOpen('broker')).toThrow(ClosedError);
  });

  it('a closed producer fails with ClosedError while the broker stays usable', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't' }]);
    const producer = broker.producer();
    await producer.close();
    await producer.close();
    await expect(producer.send([{ topic: 't', value: 'x' }])).rejects.toThrow(/producer is closed/);
    await expect(broker.producer().send([{ topic: 't', value: 'x' }])).resolves.toHaveLength(1);
  });

  it('releases long-polling waiters at close and answers later waits at once', async () => {
    const broker = await inMemory();
    const started = Date.now();
    const waiting = broker.core.waitForAppend(20_000);
    await broker.close();
    await waiting;
    await broker.core.waitForAppend(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('broker > Broker > consumers', () => {
  it('hands its consumers the records its producers wrote', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
    await broker.producer().send([
      { topic: 't', partition: 0, value: 'a' },
      { topic: 't', partition: 1, value: 'b' },
    ]);
    const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    const records = await consumer.poll({ timeoutMs: 1_000 });
    expect(records.map((r) => `${r.partition}:${r.offset}:${r.value?.toString()}`).sort()).toEqual(['0:0:a', '1:0:b']);
  });

  it('releases a consumer blocked in a long poll when the broker closes, then refuses it', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't' }]);
    const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    const started = Date.now();
    const polling = consumer.poll({ timeoutMs: 20_000 }).then(
      (records) => records,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 10));
    await broker.close();
    const outcome = await polling;
    expect(Date.now() - started).toBeLessThan(5_000);
    if (!Array.isArray(outcome)) expect(outcome).toBeInstanceOf(ClosedError);
    await expect(consumer.poll({ timeoutMs: 0 })).rejects.toThrow(ClosedError);
    expect(() => consumer.seek('t', 0, 0)).toThrow(ClosedError);
  });
});

describe('broker > Broker > waitForAppend', () => {
  it('resolves on the next append to any topic, or after the timeout', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't' }]);
    let woke = false;
    const waiting = broker.core.waitForAppend(20_000).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    await broker.producer().send([{ topic: 't', value: 'x' }]);
    await waiting;
    expect(woke).toBe(true);
    const started = Date.now();
    await broker.core.waitForAppend(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
  });

  it('is woken by appends that bypass the producer (the group coordinator writes logs directly)', async () => {
    const broker = await inMemory();
    broker.core.ensureInternalTopic('__test_internal', 1);
    const waiting = broker.core.waitForAppend(20_000);
    broker.core.getLog('__test_internal', 0).append({ records: [{ timestamp: 1, key: null, value: null, headers: {} }] });
    await waiting;
  });
});
