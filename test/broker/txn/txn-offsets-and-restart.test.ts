import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/broker.js';
import { decodeTxnLogRecord, TXN_TOPIC } from '../../../src/broker/txn/txn-log-codec.js';
import { readPartition } from '../broker-test-helpers.js';
import { coordinatorOf, readValues } from './txn-test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-txn-'));
  dirs.push(d);
  return d;
}

describe('broker > txn > sendOffsetsToTransaction', () => {
  it('commits group offsets only when the transaction commits', async () => {
    const broker = await Broker.inMemory();
    await broker.admin().createTopics([{ topic: 'in', partitions: 1 }, { topic: 'out', partitions: 1 }]);
    const p = broker.producer({ transactionalId: 'app-0' });
    await p.initTransactions();
    const committed = async () => (await broker.consumer({ groupId: 'app' }).committed([{ topic: 'in', partition: 0 }]))[0];

    p.beginTransaction();
    await p.send([{ topic: 'out', value: 'x' }]);
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5 }], 'app');
    expect(await committed()).toBeNull();
    await p.abortTransaction();
    expect(await committed()).toBeNull();

    p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 7 }], 'app');
    expect(await committed()).toBeNull();
    await p.commitTransaction();
    expect(await committed()).toBe(7);
    await broker.close();
  });
});

describe('broker > txn > restart', () => {
  it('aborts a transaction left open at close (markers written, nothing visible) and keeps committed ones', async () => {
    const dir = tempDir();
    let broker = await Broker.open({ dataDir: dir });
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'kept' }]);
    await p.commitTransaction();
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'open' }, { topic: 't', partition: 1, value: 'open' }]);
    await broker.close();

    const warnings: string[] = [];
    broker = await Broker.open({ dataDir: dir, onWarning: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toMatch(/ended 1 transaction\(s\) left open: "tx" \(aborted\)/);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['kept'], []]);
    expect((await broker.admin().describeTopic('t')).partitions.map((x) => [x.highWatermark, x.lastStableOffset])).toEqual([[4, 4], [2, 2]]);
    await broker.close();

    // The aborted index itself survives: a third open still hides the aborted records.
    broker = await Broker.open({ dataDir: dir });
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['kept'], []]);
    expect(await readValues(broker, 't', 'read_uncommitted')).toEqual([['kept', 'open'], ['open']]);
    // The id keeps working with a newer epoch.
    const again = broker.producer({ transactionalId: 'tx' });
    await again.initTransactions();
    again.beginTransaction();
    await again.send([{ topic: 't', partition: 1, value: 'later' }]);
    await again.commitTransaction();
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['kept'], ['later']]);
    await broker.close();
  });

  it('completes a transaction that reached PrepareCommit before the crash, offsets included', async () => {
    const dir = tempDir();
    let broker = await Broker.open({ dataDir: dir });
    await broker.admin().createTopics([{ topic: 't', partitions: 1 }]);
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([{ topic: 't', value: 'decided' }]);
    await p.sendOffsetsToTransaction([{ topic: 't', partition: 0, offset: 1 }], 'g');
    // Step 1 of a commit only, as if the broker died right after logging the decision.
    const txn = coordinatorOf(broker);
    const meta = txn.txns.get('tx')!;
    meta.state = 'PrepareCommit';
    txn.persistMeta('tx', meta);
    await broker.close();

    broker = await Broker.open({ dataDir: dir, onWarning: () => undefined });
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['decided']]);
    expect(await broker.consumer({ groupId: 'g' }).committed([{ topic: 't', partition: 0 }])).toEqual([1]);
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('CompleteCommit');
    await broker.close();
  });

  it('tombstones the aborted-index record of a deleted topic at the next open', async () => {
    const dir = tempDir();
    let broker = await Broker.open({ dataDir: dir });
    await broker.admin().createTopics([{ topic: 'gone', partitions: 1 }, { topic: 'kept', partitions: 1 }]);
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    for (const topic of ['gone', 'kept']) {
      p.beginTransaction();
      await p.send([{ topic, value: 'aborted' }]);
      await p.abortTransaction();
    }
    await broker.admin().deleteTopics(['gone']);
    await broker.close();

    const abortedRecords = (b: Broker) =>
      readPartition(b, TXN_TOPIC, 0)
        .map((r) => decodeTxnLogRecord(r.key, r.value))
        .flatMap((r) => (r.kind === 'aborted' ? [r.entries === null ? `tombstone ${r.txnNumber}` : `${r.entries[0]!.topic} ${r.txnNumber}`] : []));
    broker = await Broker.open({ dataDir: dir });
    expect(abortedRecords(broker)).toEqual(['gone 1', 'kept 2', 'tombstone 1']);
    expect(await readValues(broker, 'kept', 'read_committed')).toEqual([[]]);
    await broker.close();
    broker = await Broker.open({ dataDir: dir });
    expect(abortedRecords(broker)).toEqual(['gone 1', 'kept 2', 'tombstone 1']); // no second tombstone
    expect(await readValues(broker, 'kept', 'read_committed')).toEqual([[]]);
    await broker.close();
  });
});
