import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DurablePartitionLog } from '../../../src/broker/log/durable-partition-log.js';
import { Segment } from '../../../src/broker/log/segment.js';
import { ClosedError, CorruptRecordError, OffsetOutOfRangeError } from '../../../src/core/errors.js';
import { expected, readAll, rec, tempDirs } from './log-test-helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

function appendN(log: DurablePartitionLog, from: number, to: number, perBatch: number): void {
  for (let i = from; i < to; i += perBatch) {
    const records = [];
    for (let j = i; j < Math.min(to, i + perBatch); j++) records.push(rec(j));
    log.append({ records });
  }
}

describe('broker > log > DurablePartitionLog', () => {
  it('appends and reads back batches with their header fields', () => {
    const log = DurablePartitionLog.open(dirs.make());
    expect(log.append({ records: [rec(0), rec(1)], producerId: 7, producerEpoch: 2, baseSequence: 10, isTransactional: true }))
      .toEqual({ baseOffset: 0, lastOffset: 1 });
    expect(log.append({ records: [{ timestamp: 5, key: null, value: null, headers: { h: Buffer.from('v') } }], isControl: true }))
      .toEqual({ baseOffset: 2, lastOffset: 2 });
    const [a, b] = log.read(0);
    expect(a).toMatchObject({ baseOffset: 0, lastOffset: 1, producerId: 7, producerEpoch: 2, baseSequence: 10, isTransactional: true, isControl: false, maxTimestamp: 1001 });
    expect(a!.records.map((r) => r.value!.toString())).toEqual(['value-0-', 'value-1-x']);
    expect(b).toMatchObject({ baseOffset: 2, producerId: -1, isControl: true });
    expect(b!.records[0]).toMatchObject({ offset: 2, timestamp: 5, key: null, value: null });
    expect(b!.records[0]!.headers.h!.toString()).toBe('v');
    expect(log.read(3)).toEqual([]);
    expect(() => log.append({ records: [] })).toThrow(RangeError);
    log.close();
  });

  it('reads across many small segments and keeps everything after reopen', () => {
    const dir = dirs.make();
    let log = DurablePartitionLog.open(dir, { segmentBytes: 600, indexIntervalBytes: 64 });
    appendN(log, 0, 500, 3);
    const segments = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(segments.length).toBeGreaterThan(20);
    expect(segments[0]).toBe('00000000000000000000.log');
    expect(readAll(log)).toEqual(expected(0, 500));
    for (const from of [0, 1, 17, 250, 499, 500]) expect(readAll(log, from)).toEqual(expected(from, 500));
    log.close();
    log = DurablePartitionLog.open(dir, { segmentBytes: 600, indexIntervalBytes: 64, onWarning: (m) => expect.fail(m) });
    expect(log.logEndOffset).toBe(500);
    appendN(log, 500, 600, 7);
    expect(readAll(log, 480)).toEqual(expected(480, 600));
    log.close();
  });

  it('respects maxRecords, maxBytes and maxOffset (cutting a batch)', () => {
    const log = DurablePartitionLog.open(dirs.make());
    appendN(log, 0, 30, 10);
    expect(log.read(0, { maxRecords: 1 }).length).toBe(1);
    expect(log.read(0, { maxRecords: 11 }).length).toBe(2);
    expect(log.read(0, { maxBytes: 1 }).length).toBe(1);
    const cut = log.read(5, { maxOffset: 15 });
    expect(cut.map((b) => [b.baseOffset, b.lastOffset, b.records.length])).toEqual([[0, 9, 10], [10, 14, 5]]);
    expect(log.read(12, { maxOffset: 10 })).toEqual([]);
    log.close();
  });

  it('finds offsets by timestamp with out-of-order timestamps, across segments and reopen', () => {
    const dir = dirs.make();
    let log = DurablePartitionLog.open(dir, { segmentBytes: 300, indexIntervalBytes: 64 });
    const timestamps = [50, 10, 40, 30, 100, 20, 90, 60, 200, 5, 150, 70];
    for (let i = 0; i < timestamps.length; i += 2) log.append({ records: [rec(i, timestamps[i]), rec(i + 1, timestamps[i + 1])] });
    const model = (ts: number) => {
      const i = timestamps.findIndex((t) => t >= ts);
      return i < 0 ? null : i;
    };
    const check = () => {
      for (const ts of [-1, 0, 5, 6, 10, 31, 50, 51, 95, 100, 101, 150, 151, 200, 201]) expect(log.offsetForTimestamp(ts), `ts ${ts}`).toBe(model(ts));
    };
    check();
    log.close();
    log = DurablePartitionLog.open(dir, { segmentBytes: 300, indexIntervalBytes: 64 });
    check();
    log.deleteRecordsBefore(5);
    expect(log.offsetForTimestamp(100)).toBe(8); // offset 4 (ts 100) is gone; 8 (ts 200) is next
    expect(log.offsetForTimestamp(6)).toBe(5);
    log.close();
  });

  it('deleteRecordsBefore moves the start, deletes whole segments and survives reopen', () => {
    const dir = dirs.make();
    const opts = { segmentBytes: 500, indexIntervalBytes: 64 };
    let log = DurablePartitionLog.open(dir, opts);
    appendN(log, 0, 200, 4);
    const before = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length;
    log.deleteRecordsBefore(101);
    expect(log.logStartOffset).toBe(101);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBeLessThan(before);
    expect(readAll(log)).toEqual(expected(101, 200));
    expect(() => log.read(100)).toThrow(OffsetOutOfRangeError);
    expect(() => log.deleteRecordsBefore(201)).toThrow(OffsetOutOfRangeError);
    log.deleteRecordsBefore(50); // behind the start: no-op
    log.close();
    log = DurablePartitionLog.open(dir, opts);
    expect(log.logStartOffset).toBe(101);
    expect(readAll(log)).toEqual(expected(101, 200));
    log.deleteRecordsBefore(200); // everything: the active segment rolls and goes too
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual(['00000000000000000200.log']);
    expect(log.sizeBytes).toBe(0);
    log.append({ records: [rec(200)] });
    log.close();
    log = DurablePartitionLog.open(dir, opts);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([200, 201]);
    expect(readAll(log)).toEqual(expected(200, 201));
    log.close();
  });

  it('throws OffsetOutOfRangeError naming the dir and the valid range', () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir);
    appendN(log, 0, 3, 3);
    expect(() => log.read(4)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1)).toThrow(`${dir}: offset -1 is outside [0, 3]`);
    log.close();
  });

  it('throws CorruptRecordError, not garbage, when a served batch was damaged on disk', () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir);
    appendN(log, 0, 20, 5);
    const file = path.join(dir, '00000000000000000000.log');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, fs.fstatSync(fd).size - 3); // inside the last batch
    fs.closeSync(fd);
    expect(log.read(0, { maxRecords: 15 }).length).toBe(3);
    expect(() => log.read(16)).toThrow(CorruptRecordError);
    expect(() => log.read(16)).toThrow(/00000000000000000000\.log at position \d+ \(offset 15\): CRC mismatch/);
    log.close();
  });

  it('sync makes appends durable and close is idempotent; every use after close is a ClosedError', async () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir, { segmentBytes: 300 });
    appendN(log, 0, 50, 5);
    await log.sync();
    await log.sync(); // nothing dirty
    log.close();
    log.close();
    expect(() => log.append({ records: [rec(0)] })).toThrow(ClosedError);
    expect(() => log.read(0)).toThrow(ClosedError);
    expect(() => log.offsetForTimestamp(0)).toThrow(ClosedError);
    expect(() => log.deleteRecordsBefore(1)).toThrow(ClosedError);
    expect(() => log.logEndOffset).toThrow(ClosedError);
    await expect(log.sync()).rejects.toThrow(ClosedError);
  });

  it('keeps index entries in memory until sync, one per indexIntervalBytes of log', async () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir, { indexIntervalBytes: 1024 });
    appendN(log, 0, 2000, 10);
    const index = path.join(dir, '00000000000000000000.index');
    expect(fs.statSync(index).size).toBe(0);
    await log.sync();
    const entries = fs.statSync(index).size / 8;
    const logBytes = fs.statSync(path.join(dir, '00000000000000000000.log')).size;
    // One entry after each 1024 bytes, landing on the next batch boundary (batches are ~400 bytes).
    expect(entries).toBeGreaterThanOrEqual(Math.floor(logBytes / (1024 + 450)));
    expect(entries).toBeLessThanOrEqual(Math.ceil(logBytes / 1024));
    expect(fs.statSync(path.join(dir, '00000000000000000000.timeindex')).size).toBeGreaterThan(0);
    expect(readAll(log, 1234)).toEqual(expected(1234, 2000));
    log.close();
  });

  it('stores a batch larger than a segment and than a read chunk whole', () => {
    const dir = dirs.make();
    const big = Buffer.alloc(3 * 1024 * 1024, 0xab);
    let log = DurablePartitionLog.open(dir, { segmentBytes: 1024 * 1024 });
    appendN(log, 0, 5, 5);
    log.append({ records: [{ timestamp: 1, key: null, value: big, headers: {} }] });
    appendN(log, 6, 10, 4);
    log.close();
    log = DurablePartitionLog.open(dir, { segmentBytes: 1024 * 1024, onWarning: (m) => expect.fail(m) });
    expect(log.segmentBaseOffsets).toEqual([0, 5, 6]);
    const [batch] = log.read(5, { maxRecords: 1 });
    expect(batch!.records[0]!.value!.equals(big)).toBe(true);
    expect(readAll(log, 6)).toEqual(expected(6, 10));
    expect(log.read(0, { maxBytes: 10 }).map((b) => b.baseOffset)).toEqual([0]);
    log.close();
  });

  it('closing while an fsync is in flight does not break it', async () => {
    const log = DurablePartitionLog.open(dirs.make());
    appendN(log, 0, 10, 5);
    const pending = log.sync();
    log.close();
    await expect(pending).resolves.toBeUndefined();
  });
});

describe('broker > log > DurablePartitionLog > roll', () => {
  it('fsyncs the segment it rolls away from before writing the next: a power cut leaves no hole between them', () => {
    const log = DurablePartitionLog.open(dirs.make(), { segmentBytes: 300 });
    const fsynced: [string, number][] = [];
    const fsyncSync = Segment.prototype.fsyncSync;
    const spy = vi.spyOn(Segment.prototype, 'fsyncSync').mockImplementation(function (this: Segment) {
      fsynced.push([path.basename(this.logPath), this.size]);
      fsyncSync.call(this);
    });
    try {
      for (let i = 0; i < 12; i++) log.append({ records: [rec(i)] });
      expect(log.segmentBaseOffsets.length).toBeGreaterThan(2);
      // Each rolled segment was fsynced whole, when nothing of the next one was written yet.
      const sizes = log.segmentSummaries().slice(0, -1).map((s) => [`${String(s.baseOffset).padStart(20, '0')}.log`, s.sizeBytes]);
      expect(fsynced).toEqual(sizes);
    } finally {
      spy.mockRestore();
      log.close();
    }
  });

  it('property: a journal tail is exactly the bytes appended since the last hand-off, kept in memory or read back', async () => {
    // Steps: append a batch of n records (large ones push the kept tail past its bound, forcing a read-back),
    // hand the tail to the journal, or sync directly.
    const step = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 5 }), big: fc.boolean() }),
      fc.constant({ kind: 'take' as const }),
      fc.constant({ kind: 'sync' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const dir = dirs.make();
        const log = DurablePartitionLog.open(dir);
        await log.sync(); // a new directory: the first sync is always direct
        let next = 0;
        let handedOff = fs.statSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.log'))!)).size;
        const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.log'))!);
        for (const s of steps) {
          if (s.kind === 'append') {
            const records = [];
            for (let j = 0; j < s.n; j++) records.push({ ...rec(next + j), value: Buffer.alloc(s.big ? 100_000 : 20, 97 + j) });
            log.append({ records });
            next += s.n;
          } else if (s.kind === 'sync') {
            await log.sync();
            handedOff = fs.statSync(file).size;
          } else {
            const tail = log.takeJournalTail(1 << 20);
            const size = fs.statSync(file).size;
            if (size - handedOff > 1 << 20) {
              expect(tail).toBeNull();
              continue;
            }
            const bytes = Buffer.isBuffer(tail!.data) ? tail!.data : Buffer.concat(tail!.data);
            expect(bytes.equals(fs.readFileSync(file).subarray(handedOff, size))).toBe(true);
            handedOff = size;
          }
        }
        log.close();
      }),
      { numRuns: 40 },
    );
  });
});
