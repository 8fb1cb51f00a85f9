/** Shared helpers of the partition-log tests: temp dirs and deterministic records. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogBatch, LogRecordInput, PartitionLog } from '../../../src/broker/log/partition-log.js';

/** A fresh temp directory; `cleanup()` removes every one made so far. */
export function tempDirs(): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-log-'));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Record `i` of a test log: its value names it, so any mix-up shows. */
export function rec(i: number, timestamp = 1000 + i): LogRecordInput {
  return { timestamp, key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}-${'x'.repeat(i % 17)}`), headers: {} };
}

/** Every record from `from` to the end, reading in a loop as a consumer would. */
export function readAll(log: PartitionLog, from = log.logStartOffset): { offset: number; value: string | null }[] {
  const out: { offset: number; value: string | null }[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const batches: LogBatch[] = log.read(next, { maxBytes: 512 });
    for (const b of batches) {
      for (const r of b.records) {
        if (r.offset < next) continue;
        out.push({ offset: r.offset, value: r.value === null ? null : r.value.toString() });
      }
      next = b.lastOffset + 1;
    }
  }
  return out;
}

/** The values `readAll` must return for records `from`..`to - 1` written with {@link rec}. */
export function expected(from: number, to: number): { offset: number; value: string | null }[] {
  const out = [];
  for (let i = from; i < to; i++) out.push({ offset: i, value: rec(i).value!.toString() });
  return out;
}
