/**
 * SIGKILL crash harness of the log cleaner.
 *
 * 1. Write a big log (`initialRecords` deterministic records over a few hundred keys, some tombstones).
 * Then each round:
 * 2. start `compaction-crash-child.ts`, which recovers the log, prints `ready`, and alternates compaction
 *    passes (small steps, many segment swaps) with fsynced appends, printing `ack <lastOffset>`;
 * 3. kill it with SIGKILL at a seeded random moment (0–400 ms after `ready`);
 * 4. reopen the log here and check: nothing after the acked end was lost; offsets are unique and strictly
 *    increasing; every record read is exactly the content written at its offset (nothing duplicated,
 *    mixed up or corrupt); the latest value per key equals the model computed from the generator; no
 *    `.cleaned` or `.swap` file is left.
 * Any failure throws an Error naming the seed, the round and the directory, so `--seed` replays it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { BATCH, COMPACTION_LOG_OPTIONS, compactionRecordFor, contentAt, latestModel } from './compaction-crash-content.js';
import { runKilledChild } from './run-killed-child.js';
import { mulberry32 } from './seeded-random.js';

/** Options of {@link runCompactionCrashHarness}. */
export interface CompactionCrashHarnessOptions {
  kills: number;
  seed: number;
  /** Records written before the first round. Default 40000. */
  initialRecords?: number;
  /** Partition directory (created; left in place). Default: a fresh temp dir, removed on success. */
  dir?: string;
  log?: (line: string) => void;
}

/** What a run did. */
export interface CompactionCrashHarnessResult {
  kills: number;
  seed: number;
  /** Log end offset after the last round. */
  records: number;
  /** Records still stored after the last round (compaction removed the rest). */
  stored: number;
  /** Recovery warnings about interrupted cleanings (`.cleaned` discarded or `.swap` completed). */
  interruptedCleanings: number;
  elapsedMs: number;
}

const childFile = fileURLToPath(new URL('./compaction-crash-child.ts', import.meta.url));

/** Runs `kills` crash rounds against one compacting log; throws on the first lost or wrong record. */
export async function runCompactionCrashHarness(opts: CompactionCrashHarnessOptions): Promise<CompactionCrashHarnessResult> {
  const started = Date.now();
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-compaction-crash-'));
  const rng = mulberry32(opts.seed);
  // Step 1
  const initial = DurablePartitionLog.open(dir, { ...COMPACTION_LOG_OPTIONS, onWarning: () => undefined });
  for (let base = initial.logEndOffset; base < (opts.initialRecords ?? 40_000); base += BATCH) {
    initial.append({ records: Array.from({ length: BATCH }, (_, i) => compactionRecordFor(opts.seed, base + i)) });
  }
  await initial.sync();
  initial.close();

  let acked = -1;
  let interrupted = 0;
  let end = 0;
  let stored = 0;
  for (let round = 1; round <= opts.kills; round++) {
    const fail = (what: string): never => {
      throw new Error(`compaction crash harness (seed ${opts.seed}, round ${round}, dir ${dir}): ${what}`);
    };
    // Steps 2 and 3
    const delay = rng() * 400;
    const run = await runKilledChild(childFile, [dir, String(opts.seed)], delay);
    if (run.signal !== 'SIGKILL') fail(`child ended by itself (code ${run.code}): ${run.stderr}`);
    acked = Math.max(acked, run.lastAck);
    // Step 4
    const warnings: string[] = [];
    const log = DurablePartitionLog.open(dir, { ...COMPACTION_LOG_OPTIONS, onWarning: (m) => warnings.push(m) });
    try {
      interrupted += warnings.filter((w) => w.includes('log cleaning')).length;
      end = log.logEndOffset;
      if (log.logStartOffset !== 0) fail(`log starts at ${log.logStartOffset}`);
      if (end < acked + 1) fail(`log ends at ${end} but offset ${acked} was acked (warnings: ${warnings.join('; ')})`);
      const leftovers = fs.readdirSync(dir).filter((f) => f.endsWith('.cleaned') || f.endsWith('.swap'));
      if (leftovers.length > 0) fail(`recovery left ${leftovers.join(', ')}`);
      stored = checkLog(log, opts.seed, fail);
    } finally {
      log.close();
    }
    if (round % Math.max(1, Math.floor(opts.kills / 10)) === 0) {
      opts.log?.(`compaction: round ${round}/${opts.kills}: end ${end}, ${stored} stored, ${interrupted} interrupted cleanings, killed after ${delay.toFixed(1)} ms`);
    }
  }
  if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  return { kills: opts.kills, seed: opts.seed, records: end, stored, interruptedCleanings: interrupted, elapsedMs: Date.now() - started };
}

/** Reads the whole log: order, uniqueness, exact content per offset, latest value per key. Returns the count. */
function checkLog(log: DurablePartitionLog, seed: number, fail: (what: string) => never): number {
  const end = log.logEndOffset;
  const seen = new Map<string, string | null>();
  let next = 0;
  let last = -1;
  let count = 0;
  while (next < end) {
    const batches = log.read(next, { maxBytes: 256 * 1024 });
    if (batches.length === 0) fail(`read(${next}) returned nothing before the end ${end}`);
    for (const b of batches) {
      for (const r of b.records) {
        if (r.offset < next) continue;
        if (r.offset <= last) fail(`offset ${r.offset} comes after ${last}: not strictly increasing`);
        last = r.offset;
        const want = contentAt(seed, r.offset);
        const got = { key: r.key?.toString() ?? null, value: r.value?.toString() ?? null };
        if (got.key !== want.key || got.value !== want.value) fail(`record ${r.offset} is ${JSON.stringify(got)}, written as ${JSON.stringify(want)}`);
        seen.set(want.key, want.value);
        count++;
      }
      next = b.lastOffset + 1;
    }
  }
  const model = latestModel(seed, end);
  for (const [key, value] of model) {
    if (!seen.has(key) || seen.get(key) !== value) fail(`key ${key}: latest is ${JSON.stringify(seen.get(key))}, the model says ${JSON.stringify(value)}`);
  }
  if (seen.size !== model.size) fail(`the log shows ${seen.size} keys, the model ${model.size}`);
  return count;
}
