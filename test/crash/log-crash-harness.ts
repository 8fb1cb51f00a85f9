/**
 * SIGKILL crash harness of the durable partition log.
 *
 * Each round:
 * 1. start `log-crash-child.ts`, which recovers the log, prints `ready <end>`, then appends with an
 *    fsync before every `ack <lastOffset>`;
 * 2. kill it with SIGKILL at a seeded random moment after `ready` (5–150 ms, sometimes 0–5 ms);
 * 3. reopen the log in this process and check: it starts at 0, every acked offset is present, offsets
 *    are contiguous, and every record served is exactly its deterministic content (nothing corrupt);
 * 4. close it; the next round's child appends onward from the recovered end.
 * Any failure throws an Error naming the seed and the round, so `--seed` replays it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { CRASH_LOG_OPTIONS, mismatch } from './log-crash-content.js';
import { runKilledChild } from './run-killed-child.js';
import { mulberry32 } from './seeded-random.js';

/** Options of {@link runLogCrashHarness}. */
export interface LogCrashHarnessOptions {
  kills: number;
  seed: number;
  /** Partition directory (created; left in place). Default: a fresh temp dir, removed on success. */
  dir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Check the whole log every this many rounds (and at the end); other rounds check the new part. */
  fullCheckEvery?: number;
}

/** What a run did. */
export interface LogCrashHarnessResult {
  kills: number;
  seed: number;
  /** Log end offset after the last round. */
  records: number;
  /** Recovery warnings seen (torn tails truncated and the like). */
  recoveries: number;
  elapsedMs: number;
}

const childFile = fileURLToPath(new URL('./log-crash-child.ts', import.meta.url));

/** Runs `kills` crash rounds against one log directory; throws on the first lost ack or bad record. */
export async function runLogCrashHarness(opts: LogCrashHarnessOptions): Promise<LogCrashHarnessResult> {
  const started = Date.now();
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-log-crash-'));
  const rng = mulberry32(opts.seed);
  const fullCheckEvery = opts.fullCheckEvery ?? 25;
  let acked = -1;
  let checkedUpTo = 0;
  let recoveries = 0;
  let end = 0;
  for (let round = 1; round <= opts.kills; round++) {
    const fail = (what: string): never => {
      throw new Error(`log crash harness (seed ${opts.seed}, round ${round}, dir ${dir}): ${what}`);
    };
    // Steps 1 and 2
    const delay = rng() < 0.2 ? rng() * 5 : 5 + rng() * 145;
    const run = await runKilledChild(childFile, [dir, String(opts.seed)], delay);
    if (run.signal !== 'SIGKILL') fail(`child ended by itself (code ${run.code}): ${run.stderr}`);
    if (run.readyAt < acked + 1) fail(`child recovered the log to ${run.readyAt}, but offset ${acked} was acked`);
    acked = Math.max(acked, run.lastAck);

    // Step 3
    const warnings: string[] = [];
    const log = DurablePartitionLog.open(dir, { ...CRASH_LOG_OPTIONS, onWarning: (m) => warnings.push(m) });
    try {
      recoveries += warnings.length;
      end = log.logEndOffset;
      if (log.logStartOffset !== 0) fail(`log starts at ${log.logStartOffset}`);
      if (end < acked + 1) fail(`log ends at ${end} but offset ${acked} was acked (warnings: ${warnings.join('; ')})`);
      const from = round % fullCheckEvery === 0 || round === opts.kills ? 0 : checkedUpTo;
      checkRecords(log, opts.seed, from, end, fail);
      checkedUpTo = Math.min(acked + 1, end);
    } finally {
      log.close(); // Step 4
    }
    if (round % Math.max(1, Math.floor(opts.kills / 10)) === 0) {
      opts.log?.(`log: round ${round}/${opts.kills}: ${end} records, last ack ${acked}, killed after ${delay.toFixed(1)} ms`);
    }
  }
  if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  return { kills: opts.kills, seed: opts.seed, records: end, recoveries, elapsedMs: Date.now() - started };
}

/** Reads [from, end) and checks contiguity and content of every record. */
function checkRecords(log: DurablePartitionLog, seed: number, from: number, end: number, fail: (what: string) => never): void {
  let next = from;
  while (next < end) {
    const batches = log.read(next, { maxBytes: 256 * 1024 });
    if (batches.length === 0) fail(`read(${next}) returned nothing before the end ${end}`);
    for (const b of batches) {
      for (const r of b.records) {
        if (r.offset < next) continue;
        if (r.offset !== next) fail(`offset ${next} is missing (next record is ${r.offset})`);
        const bad = mismatch(seed, r.offset, r);
        if (bad !== null) fail(`record ${r.offset} is not what was written: ${bad}`);
        next++;
      }
    }
  }
}
