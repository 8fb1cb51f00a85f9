import { describe, expect, it } from 'vitest';
import type { BrokerState } from '../../../src/broker/broker-state.js';
import type { EmbeddedProducer } from '../../../src/broker/embedded-producer.js';
import { ProducerFencedError } from '../../../src/core/errors.js';
import { brokerWith, coordinatorOf, readValues } from './txn-test-helpers.js';

/** Makes the broker's syncs after the first `pass` ones wait until the test releases them, counting calls. */
function holdFsync(core: BrokerState, pass = 0): { release: () => void; calls: () => number } {
  const original = core.syncDirty.bind(core);
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  core.syncDirty = async () => {
    if (++calls > pass) await gate;
    return original();
  };
  return { release, calls: () => calls };
}

// These brokers are in memory: no commit journal, so commits take the two-sync (tokenless) protocol. The
// one-sync protocol of a durable broker is tested in txn-commit-token.test.ts.
describe('broker > txn > commit ordering', () => {
  it('syncs the records before PrepareCommit exists: a power cut must not keep the decision without them', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([{ topic: 't', value: 'v' }]);
    const txnLog = () => broker.core.getLog('__transaction_state', 0).logEndOffset;
    const before = txnLog();
    const fsync = holdFsync(broker.core as BrokerState);
    const commit = p.commitTransaction();
    await new Promise((r) => setTimeout(r, 20));
    expect(fsync.calls()).toBe(1);
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('Ongoing');
    expect(txnLog()).toBe(before); // nothing appended to __transaction_state while the records sync
    fsync.release();
    await commit;
    expect(fsync.calls()).toBe(2);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['v']]);
    await broker.close();
  });

  it('fails a commit with ProducerFencedError when a new producer aborts it while its records sync', async () => {
    const broker = await brokerWith({ t: 1 });
    const old = broker.producer({ transactionalId: 'tx' });
    await old.initTransactions();
    old.beginTransaction();
    await old.send([{ topic: 't', value: 'undecided' }]);
    const fsync = holdFsync(broker.core as BrokerState);
    const commit = old.commitTransaction();
    await new Promise((r) => setTimeout(r, 10));
    const fresh = broker.producer({ transactionalId: 'tx' });
    await fresh.initTransactions(); // aborts the Ongoing transaction, bumps the epoch
    fsync.release();
    await expect(commit).rejects.toThrow(ProducerFencedError);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[]]);
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('Empty'); // aborted, then taken by the new producer
    await broker.close();
  });

  it('acknowledges a commit only after PrepareCommit is synced, and writes its markers only after it', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' });
    await p.initTransactions();
    p.beginTransaction();
    await p.send([{ topic: 't', value: 'v' }]);
    const fsync = holdFsync(broker.core as BrokerState, 1);
    let acked = false;
    const commit = p.commitTransaction().then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fsync.calls()).toBe(2);
    expect(acked).toBe(false);
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('PrepareCommit');
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(1); // no marker yet
    expect(await readValues(broker, 't', 'read_committed')).toEqual([[]]);
    fsync.release();
    await commit;
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(2);
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['v']]);
    await broker.close();
  });

  it('finishes a commit past its commit point when a new producer fences the old one meanwhile', async () => {
    const broker = await brokerWith({ t: 1 });
    const old = broker.producer({ transactionalId: 'tx' });
    await old.initTransactions();
    old.beginTransaction();
    await old.send([{ topic: 't', value: 'decided' }]);
    const fsync = holdFsync(broker.core as BrokerState, 1);
    const commit = old.commitTransaction();
    await new Promise((r) => setTimeout(r, 10));
    const fresh = broker.producer({ transactionalId: 'tx' });
    await fresh.initTransactions(); // completes the PrepareCommit, then bumps the epoch
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['decided']]);
    fsync.release();
    await commit; // the commit did happen
    expect(() => old.beginTransaction()).toThrow(ProducerFencedError);
    expect(broker.core.getLog('t', 0).logEndOffset).toBe(2); // one marker, not two
    await broker.close();
  });

  it('writes a batch retried inside a transaction once', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ transactionalId: 'tx' }) as EmbeddedProducer;
    await p.initTransactions();
    p.beginTransaction();
    const [first] = await p.send([{ topic: 't', value: 'once' }]);
    expect(p.resendLastSendForTest()).toEqual([{ topic: 't', partition: 0, baseOffset: first!.offset }]);
    await p.commitTransaction();
    expect(await readValues(broker, 't', 'read_uncommitted')).toEqual([['once']]);
    await broker.close();
  });
});
