import { describe, expect, it } from 'vitest';
import type { EmbeddedProducer } from '../../../src/broker/embedded-producer.js';
import { ManualClock } from '../../../src/core/clock.js';
import { InvalidTxnStateError, ProducerFencedError } from '../../../src/core/errors.js';
import { brokerWith, coordinatorOf, readValues } from './txn-test-helpers.js';

const rec = (value: string, partition = 0, topic = 't') => ({ topic, partition, value });

describe('broker > txn > transactional producer', () => {
  it('shows a committed transaction to read_committed, across partitions and topics, and hides the markers', async () => {
    const broker = await brokerWith({ t: 2, u: 1 });
    const p = broker.producer({ transactionalId: 'tx-1' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('a', 0), rec('b', 1), rec('c', 0, 'u')]);
    await p.send([rec('d', 0)]);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[], []]);
    expect(await readValues(broker, 't', 'read_uncommitted')).toEqual([['a', 'd'], ['b']]);
    await p.commitTransaction();
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['a', 'd'], ['b']]);
    expect(await readValues(broker, 'u', 'read_committed')).toEqual([['c']]);
    // A COMMIT marker follows the data in every touched partition, and no consumer sees it.
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(3);
    expect(broker.core.getLog('u', 0).logEndOffset).toBe(2);
    expect(await readValues(broker, 'u', 'read_uncommitted')).toEqual([['c']]);
    await broker.close();
  });

  it('hides an aborted transaction from read_committed but not from read_uncommitted', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx-1' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('x1'), rec('x2')]);
    await p.abortTransaction();
    p.beginTransaction();
    await p.send([rec('y')]);
    await p.commitTransaction();
    await broker.producer().send([rec('plain')]);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['y', 'plain']]);
    expect(await readValues(broker, 't', 'read_uncommitted')).toEqual([['x1', 'x2', 'y', 'plain']]);
    await broker.close();
  });

  it('reports the last stable offset: the first offset of the earliest open transaction', async () => {
    const broker = await brokerWith({ t: 2 });
    await broker.producer().send([rec('plain-0'), rec('plain-1')]);
    const a = broker.producer({ transactionalId: 'a' });
    const b = broker.producer({ transactionalId: 'b' });
    await a.initTransactions();
    await b.initTransactions();
    a.beginTransaction();
    b.beginTransaction();
    await a.send([rec('a0'), rec('a1')]); // offsets 2, 3
    await b.send([rec('b0')]); // offset 4
    const lso = async () => (await broker.admin().describeTopic('t')).partitions.map((p) => [p.highWatermark, p.lastStableOffset]);
    expect(await lso()).toEqual([[5, 2], [0, 0]]);
    await a.commitTransaction(); // marker at 5
    expect(await lso()).toEqual([[6, 4], [0, 0]]);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['plain-0', 'plain-1', 'a0', 'a1'], []]);
    await b.abortTransaction();
    expect(await lso()).toEqual([[7, 7], [0, 0]]);
    await broker.close();
  });

  it('rejects calls in the wrong state with InvalidTxnStateError', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' });
    expect(() => p.beginTransaction()).toThrow(/call initTransactions\(\) first/);
    await expect(p.send([rec('v')])).rejects.toThrow(InvalidTxnStateError);
    await p.initTransactions();
    await expect(p.initTransactions()).rejects.toThrow(InvalidTxnStateError);
    await expect(p.send([rec('v')])).rejects.toThrow(/transactionalId "tx" is Ready, expected InTransaction/);
    await expect(p.commitTransaction()).rejects.toThrow(InvalidTxnStateError);
    await expect(p.abortTransaction()).rejects.toThrow(InvalidTxnStateError);
    await expect(p.sendOffsetsToTransaction([{ topic: 't', partition: 0, offset: 1 }], 'g')).rejects.toThrow(InvalidTxnStateError);
    p.beginTransaction();
    expect(() => p.beginTransaction()).toThrow(InvalidTxnStateError);
    await p.commitTransaction(); // empty: nothing to write
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(0);
    await broker.close();
  });

  it('fences the older producer when a second one with the same id initializes, aborting its transaction', async () => {
    const broker = await brokerWith({ t: 1 });
    const old = broker.producer({ transactionalId: 'tx' });
    await old.initTransactions();
    old.beginTransaction();
    await old.send([rec('zombie')]);
    const fresh = broker.producer({ transactionalId: 'tx' });
    await fresh.initTransactions();
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[]]);
    expect((await broker.admin().describeTopic('t')).partitions[0]!.lastStableOffset).toBe(2); // aborted + marker
    await expect(old.send([rec('late')])).rejects.toThrow(ProducerFencedError);
    await expect(old.commitTransaction()).rejects.toThrow(/transactionalId "tx": producerId \d+ epoch 0 is fenced/);
    expect(() => old.beginTransaction()).toThrow(ProducerFencedError);
    fresh.beginTransaction();
    await fresh.send([rec('ok')]);
    await fresh.commitTransaction();
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['ok']]);
    await broker.close();
  });

  it('fences a producer whose next call comes after a newer one began, even with no transaction open', async () => {
    const broker = await brokerWith({ t: 1 });
    const old = broker.producer({ transactionalId: 'tx' });
    await old.initTransactions();
    await broker.producer({ transactionalId: 'tx' }).initTransactions();
    expect(() => old.beginTransaction()).toThrow(ProducerFencedError);
    await broker.close();
  });

  it('aborts a transaction open longer than transactionTimeoutMs and fences its producer', async () => {
    const clock = new ManualClock(1_000);
    const broker = await brokerWith({ t: 1 }, { clock });
    const p = broker.producer({ transactionalId: 'slow', transactionTimeoutMs: 5_000 });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('stale')]);
    clock.advance(4_999);
    expect(coordinatorOf(broker).abortExpired()).toBe(0);
    clock.advance(1);
    // The coordinator's own (unref'd) timer notices it: no explicit call needed.
    await expect.poll(async () => (await broker.admin().describeTopic('t')).partitions[0]!.lastStableOffset, { timeout: 2_000 }).toBe(2);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[]]);
    await expect(p.commitTransaction()).rejects.toThrow(ProducerFencedError);
    await broker.close();
  });

  it('aborts the open transaction when its producer closes', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('gone')]);
    await p.close();
    expect((await broker.admin().describeTopic('t')).partitions[0]).toMatchObject({ highWatermark: 2, lastStableOffset: 2 });
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[]]);
    await broker.close();
  });

  it('lets a read_committed consumer that waits at the LSO continue once the transaction commits', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' }) as EmbeddedProducer;
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('1'), rec('2')]);
    const consumer = broker.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    expect(await consumer.poll({ timeoutMs: 0 })).toEqual([]);
    expect(consumer.position('t', 0)).toBe(0);
    await p.commitTransaction();
    expect((await consumer.poll({ timeoutMs: 0 })).map((r) => r.value?.toString())).toEqual(['1', '2']);
    await consumer.close();
    await broker.close();
  });
});

describe('broker > txn > read_committed positions', () => {
  it("starts a read_committed consumer at the LSO for 'latest' and seekToEnd, a read_uncommitted one at the log end", async () => {
    const broker = await brokerWith({ t: 1 });
    await broker.producer().send([rec('0'), rec('1')]);
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([rec('open')]);
    const committed = broker.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'latest' });
    const uncommitted = broker.consumer({ isolationLevel: 'read_uncommitted', autoOffsetReset: 'latest' });
    for (const c of [committed, uncommitted]) c.assign([{ topic: 't', partition: 0 }]);
    expect(await committed.poll({ timeoutMs: 0 })).toEqual([]);
    expect(committed.position('t', 0)).toBe(2);
    await uncommitted.poll({ timeoutMs: 0 });
    expect(uncommitted.position('t', 0)).toBe(3);
    committed.seek('t', 0, 0);
    committed.seekToEnd([{ topic: 't', partition: 0 }]);
    expect(committed.position('t', 0)).toBe(2);
    await p.commitTransaction();
    expect((await committed.poll({ timeoutMs: 0 })).map((r) => r.value?.toString())).toEqual(['open']);
    await committed.close();
    await uncommitted.close();
    await broker.close();
  });
});

describe('broker > txn > deleted topics', () => {
  it('does not let an open or aborted transaction of a deleted topic affect a new topic of the same name', async () => {
    const broker = await brokerWith({ t: 1 });
    const a = broker.producer({ transactionalId: 'a' });
    await a.initTransactions();
    a.beginTransaction();
    await a.send([rec('old-aborted')]);
    await a.abortTransaction();
    a.beginTransaction();
    await a.send([rec('old-open')]);
    await broker.admin().deleteTopics(['t']);
    await broker.admin().createTopics([{ topic: 't', partitions: 1 }]);
    await broker.producer().send([rec('new-0'), rec('new-1')]);
    expect((await broker.admin().describeTopic('t')).partitions[0]).toMatchObject({ highWatermark: 2, lastStableOffset: 2 });
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['new-0', 'new-1']]);
    await a.abortTransaction(); // its partition is gone: no marker to write, nothing breaks
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['new-0', 'new-1']]);
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(2); // no stray ABORT marker in the new topic
    await broker.close();
  });
});
