/**
 * One journal sync per commit (`log/journaled-sync.ts`, `transaction-coordinator.ts`): the PrepareCommit
 * record carries a commit token, sealed in the same journal entry as the records. These tests copy a
 * live data directory at a chosen moment (what a crash leaves), cut a segment back as a power cut may,
 * and open the copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Broker } from '../../../src/broker/broker.js';
import type { BrokerState } from '../../../src/broker/broker-state.js';
import { LOCK_FILE_NAME } from '../../../src/broker/log/data-dir-lock.js';
import { Segment } from '../../../src/broker/log/segment.js';
import { decodeTxnLogRecord, TXN_TOPIC } from '../../../src/broker/txn/txn-log-codec.js';
import { readPartition } from '../broker-test-helpers.js';
import { coordinatorOf, readValues } from './txn-test-helpers.js';

const dirs: string[] = [];
const brokers: Broker[] = [];
const originalFsyncSync = Segment.prototype.fsyncSync;
afterEach(async () => {
  vi.restoreAllMocks();
  for (const b of brokers.splice(0)) await b.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-txn-token-'));
  dirs.push(d);
  return d;
}

/** What a crash leaves: the files as they are now (the page cache), without the lock. */
function crashCopy(dir: string): string {
  const copy = tempDir();
  fs.cpSync(dir, copy, { recursive: true, filter: (src) => path.basename(src) !== LOCK_FILE_NAME });
  return copy;
}

function logFiles(dir: string): string[] {
  return (fs.readdirSync(path.join(dir, 'topics'), { recursive: true }) as string[]).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, 'topics', f));
}

function segmentOf(dir: string, topic: string, partition: number): string {
  const pdir = path.join(dir, 'topics', topic, String(partition));
  const [file] = fs.readdirSync(pdir).filter((f) => f.endsWith('.log'));
  return path.join(pdir, file!);
}

/** A durable broker with topic `t` (2 partitions) and a transactional producer that committed `a0`/`a1`. */
async function started() {
  const dir = tempDir();
  const broker = await Broker.open({ dataDir: dir, fsync: 'commit' });
  brokers.push(broker);
  await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
  const p = broker.producer({ transactionalId: 'tx' });
  await p.initTransactions();
  p.beginTransaction();
  await p.send([{ topic: 't', partition: 0, value: 'a0' }, { topic: 't', partition: 1, value: 'a1' }]);
  await p.commitTransaction();
  return { dir, broker, p, core: broker.core as BrokerState };
}

describe('broker > txn > commit token', () => {
  it('aborts a PrepareCommit whose journal entry never became durable, though a power cut kept its bytes', async () => {
    const { dir, broker, p, core } = await started();
    const p1Before = fs.statSync(segmentOf(dir, 't', 1)).size;
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'b0' }, { topic: 't', partition: 1, value: 'b1' }]);
    core.syncDirtySealing = () => new Promise<boolean>(() => undefined); // the journal entry is never written
    void p.commitTransaction().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('PrepareCommit');
    const copy = crashCopy(dir);
    // The power cut kept partition 0's tail and the PrepareCommit, but not partition 1's record.
    fs.truncateSync(segmentOf(copy, 't', 1), p1Before);

    const warnings: string[] = [];
    const reopened = await Broker.open({ dataDir: copy, fsync: 'commit', onWarning: (m) => warnings.push(m) });
    brokers.push(reopened);
    expect(await readValues(reopened, 't', 'read_committed')).toEqual([['a0'], ['a1']]); // never half visible
    expect(warnings.join('\n')).toMatch(/1 PrepareCommit record\(s\) were never made durable/);
    expect(coordinatorOf(reopened).txns.get('tx')!.state).toBe('CompleteAbort');
  });

  it('the abort decided at open is itself durable: a second power cut cannot bring the PrepareCommit back', async () => {
    const { dir, broker, p, core } = await started();
    const p1Before = fs.statSync(segmentOf(dir, 't', 1)).size;
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'b0' }, { topic: 't', partition: 1, value: 'b1' }]);
    core.syncDirtySealing = () => new Promise<boolean>(() => undefined);
    void p.commitTransaction().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('PrepareCommit');
    const copy = crashCopy(dir);
    fs.truncateSync(segmentOf(copy, 't', 1), p1Before);
    // On disk after the first power cut: the files as they are now, plus whatever the recovery fsyncs.
    const durable = new Map(logFiles(copy).map((f) => [f, fs.statSync(f).size]));
    const fsync = vi.spyOn(Segment.prototype, 'fsyncSync').mockImplementation(function (this: Segment) {
      durable.set(this.logPath, Math.max(durable.get(this.logPath) ?? 0, this.size));
      return originalFsyncSync.call(this);
    });
    const first = await Broker.open({ dataDir: copy, fsync: 'commit', onWarning: () => undefined });
    // A second power cut right after the recovery: it loses whatever the recovery did not fsync.
    const again = crashCopy(copy);
    for (const file of logFiles(again)) fs.truncateSync(file, Math.min(fs.statSync(file).size, durable.get(path.join(copy, path.relative(again, file))) ?? 0));
    vi.restoreAllMocks();
    await first.close();
    const second = await Broker.open({ dataDir: again, fsync: 'commit', onWarning: () => undefined });
    brokers.push(second);
    expect(await readValues(second, 't', 'read_committed')).toEqual([['a0'], ['a1']]);
    expect(coordinatorOf(second).txns.get('tx')!.state).toBe('CompleteAbort');
  });

  it('finishes a sealed PrepareCommit at open, its records restored from the journal after a power cut', async () => {
    const { dir, broker, p } = await started();
    const p1Before = fs.statSync(segmentOf(dir, 't', 1)).size;
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'b0' }, { topic: 't', partition: 1, value: 'b1' }]);
    const txn = coordinatorOf(broker);
    const complete = txn.completeCommit.bind(txn);
    let copy = '';
    // The crash comes after the seal, before the markers.
    txn.completeCommit = () => {
      copy = crashCopy(dir);
      txn.completeCommit = complete;
    };
    await p.commitTransaction();
    fs.truncateSync(segmentOf(copy, 't', 1), p1Before);
    const reopened = await Broker.open({ dataDir: copy, fsync: 'commit', onWarning: () => undefined });
    brokers.push(reopened);
    expect(await readValues(reopened, 't', 'read_committed')).toEqual([['a0', 'b0'], ['a1', 'b1']]);
  });

  it('counts a token of an earlier journal generation: a checkpoint between reserve and seal fsynced everything', async () => {
    const { dir, broker, p, core } = await started();
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'b0' }, { topic: 't', partition: 1, value: 'b1' }]);
    let copy = '';
    core.syncDirtySealing = () => {
      core.commitTokens!.checkpoint(); // as a topic deletion or a full journal would
      copy = crashCopy(dir); // and the crash comes before the seal is written
      return new Promise<boolean>(() => undefined);
    };
    void p.commitTransaction().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(coordinatorOf(broker).txns.get('tx')!.state).toBe('PrepareCommit');
    const reopened = await Broker.open({ dataDir: copy, fsync: 'commit', onWarning: () => undefined });
    brokers.push(reopened);
    expect(await readValues(reopened, 't', 'read_committed')).toEqual([['a0', 'b0'], ['a1', 'b1']]);
  });

  it('a fencing producer finishing a commit whose seal is pending fsyncs everything first', async () => {
    const durable = new Map<string, number>();
    const fsyncSync = Segment.prototype.fsyncSync;
    vi.spyOn(Segment.prototype, 'fsyncSync').mockImplementation(function (this: Segment) {
      const size = this.size;
      fsyncSync.call(this);
      durable.set(this.logPath, Math.max(durable.get(this.logPath) ?? 0, size));
    });
    const fsyncAsync = Segment.prototype.fsync;
    vi.spyOn(Segment.prototype, 'fsync').mockImplementation(async function (this: Segment) {
      const size = this.size;
      await fsyncAsync.call(this);
      durable.set(this.logPath, Math.max(durable.get(this.logPath) ?? 0, size));
    });
    const { dir, broker, p, core } = await started();
    p.beginTransaction();
    await p.send([{ topic: 't', partition: 0, value: 'b0' }, { topic: 't', partition: 1, value: 'b1' }]);
    core.syncDirtySealing = () => new Promise<boolean>(() => undefined);
    void p.commitTransaction().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    await broker.producer({ transactionalId: 'tx' }).initTransactions(); // finishes the commit: markers, CompleteCommit
    expect(await readValues(broker, 't', 'read_committed')).toEqual([['a0', 'b0'], ['a1', 'b1']]);
    const copy = crashCopy(dir);
    vi.restoreAllMocks();
    // A power cut keeps the markers and CompleteCommit but partition 1 only as far as it was fsynced.
    const p1 = segmentOf(copy, 't', 1);
    fs.truncateSync(p1, Math.min(fs.statSync(p1).size, durable.get(segmentOf(dir, 't', 1)) ?? 0));
    const reopened = await Broker.open({ dataDir: copy, fsync: 'commit', onWarning: () => undefined });
    brokers.push(reopened);
    expect(await readValues(reopened, 't', 'read_committed')).toEqual([['a0', 'b0'], ['a1', 'b1']]);
  });

  it('writes the token into the PrepareCommit record only when a commit journal seals it', async () => {
    const tokens = async (fsync: 'commit' | 'never') => {
      const dir = tempDir();
      const broker = await Broker.open({ dataDir: dir, fsync });
      brokers.push(broker);
      await broker.admin().createTopics([{ topic: 't', partitions: 1 }]);
      const p = broker.producer({ transactionalId: 'tx' });
      await p.initTransactions();
      p.beginTransaction();
      await p.send([{ topic: 't', value: 'v' }]);
      await p.commitTransaction();
      return (await readPartition(broker, TXN_TOPIC, 0))
        .map((r) => decodeTxnLogRecord(r.key, r.value))
        .flatMap((rec) => (rec.kind === 'txn' && rec.meta !== null ? [[rec.meta.state, rec.meta.commitToken !== undefined]] : []));
    };
    const committed = await tokens('commit');
    expect(committed.filter(([state]) => state === 'PrepareCommit')).toEqual([['PrepareCommit', true]]);
    expect(committed.filter(([, token]) => token)).toHaveLength(1); // CompleteCommit does not repeat it
    expect((await tokens('never')).filter(([, token]) => token)).toEqual([]);
  });
});
