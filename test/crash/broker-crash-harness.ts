/**
 * SIGKILL crash harness of the durable broker, seen as a user sees it: acknowledged = `send` resolved
 * under `fsync: 'always'`.
 *
 * Each round:
 * 1. start `broker-crash-child.ts` with the next record number; it opens (recovers) the broker and sends;
 * 2. kill it with SIGKILL at a seeded random moment after `ready`;
 * 3. open the broker in this process and read every partition from the start with a consumer: every
 *    acked record is there, no record appears twice, each partition holds its records in send order,
 *    each record sits in the partition murmur2 gives its key, and its value is exactly what was sent
 *    (a corrupt record would fail the read or the comparison);
 * 4. close it; the next child continues after the highest record number found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Broker } from '../../src/broker/broker.js';
import { partitionForKey } from '../../src/broker/murmur2.js';
import { CRASH_PARTITIONS, CRASH_TOPIC, keyFor, valueFor } from './broker-crash-content.js';
import { runKilledChild } from './run-killed-child.js';
import { mulberry32 } from './seeded-random.js';

export interface BrokerCrashHarnessOptions {
  kills: number;
  seed: number;
  dir?: string;
  log?: (line: string) => void;
}

export interface BrokerCrashHarnessResult {
  kills: number;
  seed: number;
  records: number;
  acked: number;
  elapsedMs: number;
}

const childFile = fileURLToPath(new URL('./broker-crash-child.ts', import.meta.url));

export async function runBrokerCrashHarness(opts: BrokerCrashHarnessOptions): Promise<BrokerCrashHarnessResult> {
  const started = Date.now();
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-broker-crash-'));
  const random = mulberry32(opts.seed);
  let acked = -1;
  let nextNumber = 0;
  let found = 0;
  const childStderr: string[] = [];
  const ackedRanges: [number, number][] = [];
  for (let round = 1; round <= opts.kills; round++) {
    let warnings: string[] = [];
    const childWarnings = (): string => {
      const lines = childStderr.flatMap((e, i) => (e.trim() === '' ? [] : [`child of round ${round - childStderr.length + 1 + i}: ${e.trim()}`]));
      return lines.length === 0 ? '' : ` (recent child stderr: ${lines.join(' | ').slice(-1500)})`;
    };
    const fail = (what: string): never => {
      const recovered = warnings.length === 0 ? '' : ` (recovery warnings this round: ${warnings.join(' | ')})`;
      throw new Error(`broker crash harness (seed ${opts.seed}, round ${round}, dir ${dir}): ${what}${recovered}${childWarnings()}`);
    };
    const delay = random() < 0.2 ? random() * 5 : 5 + random() * 120; // Steps 1 and 2
    const run = await runKilledChild(childFile, [dir, String(opts.seed), String(nextNumber)], delay);
    childStderr.push(run.stderr);
    if (childStderr.length > 3) childStderr.shift();
    if (run.signal !== 'SIGKILL') fail(`child ended by itself (code ${run.code}): ${run.stderr.slice(-500)}`);
    // Sends are sequential within one child, so its acks cover [its first number, its last ack]. Numbers
    // a killed child used without an ack (a torn send) may be missing, and the next child skips past them.
    if (run.lastAck >= nextNumber) ackedRanges.push([nextNumber, run.lastAck]);
    acked = Math.max(acked, run.lastAck);

    warnings = [];
    const broker = await Broker.open({ dataDir: dir, fsync: 'always', onWarning: (m) => warnings.push(m) }); // Step 3
    try {
      if (!(await broker.admin().listTopics()).includes(CRASH_TOPIC)) {
        if (acked >= 0) fail(`topic "${CRASH_TOPIC}" is gone although record ${acked} was acked`);
        continue; // killed before the topic was created
      }
      const seen = await readAll(broker, opts.seed, fail);
      for (const [from, to] of ackedRanges) {
        for (let n = from; n <= to; n++) if (!seen.has(n)) fail(`acked record ${n} is missing (a child acked ${from}..${to})`);
      }
      found = seen.size;
      let highest = Math.max(nextNumber - 1, acked);
      for (const n of seen.keys()) if (n > highest) highest = n;
      nextNumber = highest + 1;
    } finally {
      await broker.close(); // Step 4
    }
    if (round % Math.max(1, Math.floor(opts.kills / 10)) === 0) {
      opts.log?.(`broker: round ${round}/${opts.kills}: ${found} records, acked up to ${acked}, killed after ${delay.toFixed(1)} ms`);
    }
  }
  if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  const ackedCount = ackedRanges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
  return { kills: opts.kills, seed: opts.seed, records: found, acked: ackedCount, elapsedMs: Date.now() - started };
}

/** Reads every partition to its high watermark; returns record number -> partition, checking each record. */
async function readAll(broker: Broker, seed: number, fail: (what: string) => never): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  const description = await broker.admin().describeTopic(CRASH_TOPIC);
  const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(description.partitions.map((p) => ({ topic: CRASH_TOPIC, partition: p.partition })));
  const remaining = new Map(description.partitions.map((p) => [p.partition, p.highWatermark - p.logStartOffset]));
  const lastInPartition = new Map<number, number>();
  let left = [...remaining.values()].reduce((a, b) => a + b, 0);
  for (let polls = 0; left > 0; polls++) {
    if (polls > 100_000) fail(`reading stalled with ${left} records left`);
    const records = await consumer.poll({ maxRecords: 5000, timeoutMs: 0 });
    for (const r of records) {
      left--;
      const value = r.value?.toString() ?? fail(`null value at p${r.partition}@${r.offset}`);
      const n = Number(value.slice(0, value.indexOf(':')));
      if (!Number.isInteger(n) || n < 0) fail(`unreadable value at p${r.partition}@${r.offset}: ${value.slice(0, 40)}`);
      if (value !== valueFor(seed, n)) fail(`record ${n} at p${r.partition}@${r.offset} is not what was sent: ${value.slice(0, 40)}`);
      if (r.key?.toString() !== keyFor(n)) fail(`record ${n} at p${r.partition}@${r.offset} has key ${r.key?.toString()}`);
      if (seen.has(n)) fail(`record ${n} appears twice (p${seen.get(n)} and p${r.partition}@${r.offset})`);
      if (partitionForKey(r.key!, CRASH_PARTITIONS) !== r.partition) fail(`record ${n} is in partition ${r.partition}, not its key's`);
      if ((lastInPartition.get(r.partition) ?? -1) >= n) fail(`partition ${r.partition} has record ${n} after ${lastInPartition.get(r.partition)}`);
      lastInPartition.set(r.partition, n);
      seen.set(n, r.partition);
    }
  }
  await consumer.close();
  return seen;
}
