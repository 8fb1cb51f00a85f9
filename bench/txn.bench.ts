/**
 * Transaction cost (issue 6): the same records produced on the durable broker (fsync 'commit'),
 * (a) by a plain producer in sends of 1,000, with one fsync at the end, and (b) by a transactional
 * producer committing every 1,000 records (a commit = sync of the records, PrepareCommit record and its
 * sync — on the durable broker each sync is one fdatasync of the commit journal, see
 * src/broker/log/journaled-sync.ts — then markers in the touched partitions). Ratio = plain ms /
 * transactional ms; the target is >= 0.5.
 * Best of three alternating rounds, each on a fresh topic, so JIT warm-up or one slow fsync does not decide.
 * Row (c) runs (b) on a broker with fsync 'never': what the transaction protocol costs without the disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, type ProducedRecord } from 'tributary';
import { partitionForKey } from '../src/broker/murmur2.js';
import { makeBatches } from './broker.bench.js';
import { fmtRate, printTable, rate, timed } from './report.js';

const PARTITIONS = 8;

async function plain(broker: Broker, batches: ProducedRecord[][]): Promise<number> {
  const producer = broker.producer();
  const { ms } = await timed(async () => {
    for (const batch of batches) await producer.send(batch);
    await broker.core.syncDirty(); // what 'commit' would make durable at the consumer's next offset commit
  });
  await producer.close();
  return ms;
}

async function transactional(broker: Broker, batches: ProducedRecord[][], id: string): Promise<number> {
  const producer = broker.producer({ transactionalId: id });
  await producer.initTransactions();
  const { ms } = await timed(async () => {
    for (const batch of batches) {
      producer.beginTransaction();
      await producer.send(batch);
      await producer.commitTransaction();
    }
  });
  await producer.close();
  return ms;
}

/** Runs the transaction suite and prints one table: rates and the plain / transactional ratio. */
export async function runTxnBench(opts: { records?: number } = {}): Promise<void> {
  const n = opts.records ?? 500_000;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-txn-bench-'));
  let plainMs = Infinity;
  let txnMs = Infinity;
  let commits = 0;
  let noFsyncMs = Infinity;
  try {
    const broker = await Broker.open({ dataDir: dir, fsync: 'commit' });
    try {
      for (let round = 0; round < 3; round++) {
        const topics = [`plain-${round}`, `txn-${round}`];
        await broker.admin().createTopics(topics.map((topic) => ({ topic, partitions: PARTITIONS })));
        const p = await plain(broker, makeBatches(n, topics[0]!));
        const txnBatches = makeBatches(n, topics[1]!);
        const t = await transactional(broker, txnBatches, `bench-${round}`);
        commits = txnBatches.length;
        plainMs = Math.min(plainMs, p);
        txnMs = Math.min(txnMs, t);
        // Every record once, plus one COMMIT marker per partition each transaction touched, nothing left open.
        const d = await broker.admin().describeTopic(topics[1]!);
        const written = d.partitions.reduce((sum, x) => sum + x.highWatermark, 0);
        const expected = n + markers(txnBatches);
        if (written !== expected || d.partitions.some((x) => x.lastStableOffset !== x.highWatermark)) {
          throw new Error(`transactional run wrote ${written} offsets, expected ${expected} with every transaction closed`);
        }
      }
    } finally {
      await broker.close();
    }
    const unsynced = await Broker.open({ dataDir: join(dir, 'never'), fsync: 'never' });
    try {
      for (let round = 0; round < 3; round++) {
        await unsynced.admin().createTopics([{ topic: `txn-${round}`, partitions: PARTITIONS }]);
        noFsyncMs = Math.min(noFsyncMs, await transactional(unsynced, makeBatches(n, `txn-${round}`), `bench-${round}`));
      }
    } finally {
      await unsynced.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    ['case', 'rate', 'ratio (plain ms / transactional ms)'],
    [
      ['(a) plain producer, sends of 1,000, one fsync at the end', fmtRate(rate(n, plainMs)), ''],
      ['(b) transactional producer, commit every 1,000', fmtRate(rate(n, txnMs)), (plainMs / txnMs).toFixed(2)],
      ["(c) as (b), broker with fsync 'never' (protocol cost alone)", fmtRate(rate(n, noFsyncMs)), (plainMs / noFsyncMs).toFixed(2)],
    ],
  );
  console.log(`\n${n} records of 100 bytes, ${PARTITIONS} partitions, durable broker (fsync 'commit'); ${commits} commits per transactional run`);
}

/** One marker per (transaction, partition it wrote to). */
function markers(batches: ProducedRecord[][]): number {
  let total = 0;
  for (const batch of batches) total += new Set(batch.map((r) => partitionForKey(r.key as Buffer, PARTITIONS))).size;
  return total;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const records = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  await runTxnBench({ records });
}
