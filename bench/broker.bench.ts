/**
 * Broker throughput (issue 2): 1M records, 100-byte values, 10k distinct keys, 8 partitions, durable
 * broker with fsync 'commit', produced in sends of 1,000 and consumed with poll.
 *
 * Anchor: a hand-written log that does the same partitioning, appends each record length-prefixed with
 * a CRC to one file per partition (one write per partition per batch), fsyncs once, and reads every
 * file back checking each CRC. Peak RSS for a 5M-record topic is measured in a child process so that
 * nothing else in this process inflates it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { Broker, type ProducedRecord } from 'tributary';
import { partitionForKey } from '../src/broker/murmur2.js';
import { fmtRate, printTable, rate, timed } from './report.js';
import type { SuiteOptions } from './suites.js';

const PARTITIONS = 8;
const BATCH = 1000;
const KEYS = 10_000;

export function makeBatches(records: number, topic: string): ProducedRecord[][] {
  const values = Array.from({ length: 1024 }, (_, i) => Buffer.from(`v${i}-`.padEnd(100, 'x')));
  const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key-${i}`));
  const batches: ProducedRecord[][] = [];
  for (let i = 0; i < records; i += BATCH) {
    const batch: ProducedRecord[] = [];
    for (let j = i; j < Math.min(records, i + BATCH); j++) {
      batch.push({ topic, key: keys[j % KEYS]!, value: values[j % values.length]!, timestamp: 1_700_000_000_000 + j });
    }
    batches.push(batch);
  }
  return batches;
}

/** The anchor: what a careful hand-written partitioned append-only log costs on this machine. */
function anchor(dir: string, batches: ProducedRecord[][]): { produceMs: number; consumeMs: number; read: number } {
  const fds = Array.from({ length: PARTITIONS }, (_, p) => openSync(join(dir, `anchor-${p}.log`), 'w+'));
  const t0 = performance.now();
  const perPartition: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const batch of batches) {
    for (const r of batch) {
      const key = r.key as Buffer;
      const value = r.value as Buffer;
      const p = partitionForKey(key, PARTITIONS);
      // Frame: [length u32][crc u32][timestamp f64][key length i32][key][value length i32][value]
      const body = Buffer.allocUnsafe(24 + key.length + value.length);
      body.writeDoubleBE(r.timestamp ?? 0, 8);
      body.writeInt32BE(key.length, 16);
      key.copy(body, 20);
      body.writeInt32BE(value.length, 20 + key.length);
      value.copy(body, 24 + key.length);
      body.writeUInt32BE(body.length - 4, 0);
      body.writeUInt32BE(crc32(body.subarray(8)), 4);
      perPartition[p]!.push(body);
    }
    for (let p = 0; p < PARTITIONS; p++) {
      if (perPartition[p]!.length === 0) continue;
      writeSync(fds[p]!, Buffer.concat(perPartition[p]!));
      perPartition[p] = [];
    }
  }
  for (const fd of fds) fsyncSync(fd);
  const produceMs = performance.now() - t0;

  const t1 = performance.now();
  let read = 0;
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (const fd of fds) {
    let pos = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      let off = 0;
      while (off + 4 <= n) {
        const len = chunk.readUInt32BE(off);
        if (off + 4 + len > n) break;
        if (crc32(chunk.subarray(off + 8, off + 4 + len)) !== chunk.readUInt32BE(off + 4)) throw new Error('anchor: bad crc');
        const keyLen = chunk.readInt32BE(off + 16);
        const key = chunk.subarray(off + 20, off + 20 + keyLen);
        const valueLen = chunk.readInt32BE(off + 20 + keyLen);
        const value = chunk.subarray(off + 24 + keyLen, off + 24 + keyLen + valueLen);
        if (key.length + value.length > 0) read++;
        off += 4 + len;
      }
      pos += off;
    }
    closeSync(fd);
  }
  return { produceMs, consumeMs: performance.now() - t1, read };
}

async function brokerRun(dir: string, batches: ProducedRecord[][], total: number) {
  const broker = await Broker.open({ dataDir: join(dir, 'broker'), fsync: 'commit' });
  await broker.admin().createTopics([{ topic: 'bench', partitions: PARTITIONS }]);
  const producer = broker.producer();
  const produced = await timed(async () => {
    for (const batch of batches) await producer.send(batch);
  });
  const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'bench', partition })));
  const consumed = await timed(async () => {
    let n = 0;
    let bytes = 0;
    while (n < total) {
      const records = await consumer.poll({ maxRecords: 10_000, timeoutMs: 1000 });
      if (records.length === 0) throw new Error(`bench: consumer stalled at ${n}/${total}`);
      for (const r of records) bytes += r.value!.length;
      n += records.length;
    }
    return { n, bytes };
  });
  await consumer.close();
  await producer.close();
  await broker.close();
  return { produceMs: produced.ms, consumeMs: consumed.ms, read: consumed.result.n };
}

function peakRss(records: number): string {
  const child = fileURLToPath(new URL('./broker-rss-child.ts', import.meta.url));
  const out = spawnSync(process.execPath, ['--import', 'tsx', child, String(records)], { encoding: 'utf8', timeout: 600_000 });
  if (out.status !== 0) return `failed: ${out.stderr.slice(-300)}`;
  return out.stdout.trim().split('\n').at(-1) ?? '';
}

export async function runBrokerBench(opts: SuiteOptions): Promise<void> {
  const total = opts.records ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  try {
    const batches = makeBatches(total, 'bench');
    const a = anchor(dir, batches);
    if (a.read !== total) throw new Error(`anchor read ${a.read} of ${total}`);
    const b = await brokerRun(dir, batches, total);
    const rows = [
      ['produce', fmtRate(rate(total, a.produceMs)), fmtRate(rate(total, b.produceMs)), (a.produceMs / b.produceMs).toFixed(2), '≥ 0.33'],
      ['consume', fmtRate(rate(total, a.consumeMs)), fmtRate(rate(total, b.consumeMs)), (a.consumeMs / b.consumeMs).toFixed(2), '≥ 0.33'],
    ];
    console.log(`${total} records, 100-byte values, ${KEYS} keys, ${PARTITIONS} partitions, sends of ${BATCH}, fsync 'commit'\n`);
    printTable(['phase', 'anchor', 'broker', 'ratio broker/anchor', 'target'], rows);
    const rssRecords = opts.rssRecords ?? 5_000_000;
    console.log(`\npeak RSS, ${rssRecords} records produced then consumed: ${peakRss(rssRecords)} (aim < 300 MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
