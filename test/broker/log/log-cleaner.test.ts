import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurablePartitionLog } from '../../../src/broker/log/durable-partition-log.js';
import type { CompactOptions, LogRecordInput } from '../../../src/broker/log/partition-log.js';
import { readAll, tempDirs } from './log-test-helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const kv = (key: string | null, value: string | null, timestamp = 1000): LogRecordInput => ({
  timestamp,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: {},
});
const opts = (now: number, more: Partial<CompactOptions> = {}): CompactOptions => ({ now, minCompactionLagMs: 0, deleteRetentionMs: 100, ...more });

/** A log of small segments: each append of `records` is its own batch. */
function openLog(dir: string): DurablePartitionLog {
  return DurablePartitionLog.open(dir, { segmentBytes: 400, onWarning: () => undefined });
}

function latestPerKey(log: DurablePartitionLog): Map<string, string | null> {
  const m = new Map<string, string | null>();
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    for (const b of log.read(next)) {
      for (const r of b.records) if (r.offset >= next && r.key !== null) m.set(r.key.toString(), r.value?.toString() ?? null);
      next = b.lastOffset + 1;
    }
  }
  return m;
}

describe('broker > log > LogCleaner', () => {
  it('keeps the latest record per key in sealed segments; offsets keep their numbers, with gaps', async () => {
    const log = openLog(dirs.make());
    for (let i = 0; i < 60; i++) log.append({ records: [kv(`k${i % 3}`, `v${i}`)] });
    const before = latestPerKey(log);
    const stats = await log.compact(opts(10_000));
    expect(stats.ran).toBe(true);
    expect(stats.recordsRemoved).toBeGreaterThan(40);
    expect(latestPerKey(log)).toEqual(before);
    const offsets = readAll(log).map((r) => r.offset);
    expect(offsets.length).toBeLessThan(20);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]!);
    expect(offsets[offsets.length - 1]).toBe(59);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(60);
    // Every offset is a valid read position, gaps included.
    for (let from = 0; from <= 60; from++) expect(readAll(log, from).map((r) => r.offset)).toEqual(offsets.filter((o) => o >= from));
    expect(log.offsetForTimestamp(0)).toBe(offsets[0]);
    log.close();
  });

  it('survives a reopen after compaction (recovery accepts gaps between batches and segments)', async () => {
    const dir = dirs.make();
    const log = openLog(dir);
    for (let i = 0; i < 40; i++) log.append({ records: [kv(`k${i % 2}`, `v${i}`)] });
    await log.compact(opts(10_000));
    const content = readAll(log);
    log.close();
    const warnings: string[] = [];
    const again = DurablePartitionLog.open(dir, { segmentBytes: 400, onWarning: (m) => warnings.push(m) });
    expect(readAll(again)).toEqual(content);
    expect(again.logEndOffset).toBe(40);
    expect(warnings.filter((w) => !w.includes('rebuilt'))).toEqual([]);
    again.append({ records: [kv('k0', 'after')] });
    expect(again.logEndOffset).toBe(41);
    again.close();
  });

  it('never cleans the active segment nor segments younger than min.compaction.lag.ms', async () => {
    const log = openLog(dirs.make());
    for (let i = 0; i < 30; i++) log.append({ records: [kv('same', `v${i}`, 1000 + i)] });
    const segments = log.segmentSummaries();
    const activeCount = segments[segments.length - 1]!.nextOffset - segments[segments.length - 1]!.baseOffset;
    // Only segments whose newest record is at least 1010 ms old at now=2015 (timestamps <= 1005) qualify.
    await log.compact(opts(2015, { minCompactionLagMs: 1010 }));
    const offsets = readAll(log).map((r) => r.offset);
    expect(offsets.filter((o) => o <= 5).length).toBeLessThan(6);
    expect(offsets.filter((o) => o > 5 && o < 30).length).toBe(24);
    await log.compact(opts(100_000));
    // The latest of the sealed range survives: its successors in the active segment are not in the map yet.
    expect(readAll(log).length).toBe(activeCount + 1);
    log.close();
  });

  it('keeps a tombstone until delete.retention.ms after the pass that cleaned it, then drops it', async () => {
    const log = openLog(dirs.make());
    for (let i = 0; i < 20; i++) log.append({ records: [kv(`k${i % 2}`, `v${i}`)] });
    log.append({ records: [kv('k0', null)] });
    for (let i = 0; i < 20; i++) log.append({ records: [kv('other', `o${i}`)] });
    const first = await log.compact(opts(5000, { deleteRetentionMs: 300 }));
    expect(first.nextDeleteHorizonMs).toBe(5300);
    expect(latestPerKey(log).has('k0')).toBe(true);
    expect(latestPerKey(log).get('k0')).toBeNull();
    // Nothing new and the horizon not reached: the pass is skipped.
    expect((await log.compact(opts(5299, { deleteRetentionMs: 300 }))).ran).toBe(false);
    expect(latestPerKey(log).get('k0')).toBeNull();
    const due = await log.compact(opts(5300, { deleteRetentionMs: 300 }));
    expect(due.ran).toBe(true);
    expect(latestPerKey(log).has('k0')).toBe(false);
    expect(latestPerKey(log).get('k1')).toBe('v19');
    log.close();
  });

  it('copies control and transactional batches as they are and drops null-key data records', async () => {
    const log = openLog(dirs.make());
    log.append({ records: [kv(null, 'keyless')] });
    log.append({ records: [kv('t', 'txn-1')], isTransactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0 });
    log.append({ records: [kv('t', 'txn-2')], isTransactional: true, producerId: 7, producerEpoch: 0, baseSequence: 1 });
    log.append({ records: [kv(null, 'marker')], isControl: true, isTransactional: true, producerId: 7, producerEpoch: 0 });
    for (let i = 0; i < 20; i++) log.append({ records: [kv('t', `plain-${i}`)] });
    await log.compact(opts(10_000));
    const batches = log.read(0, { maxRecords: 3 });
    expect(batches.map((b) => [b.baseOffset, b.isTransactional, b.isControl, b.records.map((r) => r.value?.toString())])).toEqual([
      [1, true, false, ['txn-1']],
      [2, true, false, ['txn-2']],
      [3, true, true, ['marker']],
    ]);
    log.close();
  });

  it('lets appends and reads go on while it runs, and swaps in one step', async () => {
    const log = DurablePartitionLog.open(dirs.make(), { segmentBytes: 64 * 1024, onWarning: () => undefined });
    for (let i = 0; i < 20_000; i++) log.append({ records: [kv(`k${i % 50}`, `v${i}`)] });
    const events: string[] = [];
    const pass = log.compact({ ...opts(10_000), chunkBytes: 16 * 1024 }).then(() => events.push('done'));
    for (let i = 0; events.length === 0 || events[events.length - 1] !== 'done'; i++) {
      log.append({ records: [kv(`k${i % 50}`, `late${i}`)] });
      expect(readAll(log, log.logEndOffset - 1)).toHaveLength(1);
      events.push('io');
      await new Promise((r) => setImmediate(r));
    }
    await pass;
    expect(events.filter((e) => e === 'io').length).toBeGreaterThan(10);
    const latest = latestPerKey(log);
    expect(latest.size).toBe(50);
    log.close();
  });

  it('stops when its segments are deleted under it, leaving no .cleaned file', async () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir, { segmentBytes: 64 * 1024, onWarning: () => undefined });
    for (let i = 0; i < 20_000; i++) log.append({ records: [kv(`k${i % 50}`, `v${i}`)] });
    const pass = log.compact({ ...opts(10_000), chunkBytes: 16 * 1024 });
    await new Promise((r) => setImmediate(r));
    log.deleteRecordsBefore(log.logEndOffset - 10);
    const stats = await pass;
    expect(stats.aborted).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.cleaned') || f.includes('.swap'))).toEqual([]);
    expect(readAll(log).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 19_990 + i));
    log.close();
  });

  it('on open deletes a leftover .cleaned file and completes a .swap, losing and duplicating nothing', async () => {
    const original = dirs.make();
    const log = openLog(original);
    for (let i = 0; i < 40; i++) log.append({ records: [kv(`k${i % 4}`, `v${i}`)] });
    await log.sync();
    const before = readAll(log);
    log.close();
    const compacted = dirs.make();
    fs.cpSync(original, compacted, { recursive: true });
    const c = openLog(compacted);
    const segs = c.segmentSummaries();
    await c.compact({ ...opts(10_000), chunkBytes: 1 << 20 });
    const after = readAll(c);
    const cleanedFile = path.join(compacted, fs.readdirSync(compacted).filter((f) => f.endsWith('.log')).sort()[0]!);
    c.close();
    // Segments of ~350 bytes under segment.bytes 400 are not merged: the first output covers [0, end).
    const end = segs[1]!.baseOffset;
    const name = (suffix: string) => `${'0'.repeat(20)}-${String(end).padStart(20, '0')}${suffix}`;

    // Crash after step 1: the .cleaned output is discarded, the originals serve.
    const crashed1 = dirs.make();
    fs.cpSync(original, crashed1, { recursive: true });
    fs.writeFileSync(path.join(crashed1, name('.log.cleaned')), Buffer.from('half written'));
    const warnings: string[] = [];
    const r1 = DurablePartitionLog.open(crashed1, { segmentBytes: 400, onWarning: (m) => warnings.push(m) });
    expect(readAll(r1)).toEqual(before);
    expect(fs.readdirSync(crashed1).some((f) => f.includes('.cleaned'))).toBe(false);
    expect(warnings.some((w) => w.includes('interrupted before it was committed'))).toBe(true);
    r1.close();

    // Crash in step 3: the .swap replaces what is left of the first segment.
    const crashed2 = dirs.make();
    fs.cpSync(original, crashed2, { recursive: true });
    const firstSegmentOnly = readAll(openLogReadOnly(original)).filter((r) => r.offset < end);
    expect(firstSegmentOnly.length).toBeGreaterThan(0);
    fs.copyFileSync(cleanedFile, path.join(crashed2, name('.log.swap')));
    fs.rmSync(path.join(crashed2, `${'0'.repeat(20)}.index`));
    const r2 = DurablePartitionLog.open(crashed2, { segmentBytes: 400, onWarning: () => undefined });
    const recovered = readAll(r2);
    const offsets = recovered.map((r) => r.offset);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(recovered.filter((r) => r.offset < end)).toEqual(after.filter((r) => r.offset < end));
    expect(recovered.filter((r) => r.offset >= end)).toEqual(before.filter((r) => r.offset >= end));
    expect(fs.readdirSync(crashed2).some((f) => f.includes('.swap'))).toBe(false);
    r2.close();
  });
});

/** Opens a copy of `dir` so that reading it does not touch the original's files. */
function openLogReadOnly(dir: string): DurablePartitionLog {
  const copy = dirs.make();
  fs.cpSync(dir, copy, { recursive: true });
  return openLog(copy);
}
