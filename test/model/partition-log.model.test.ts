/**
 * Model-based test of the PartitionLog contract: the same random command sequences run against
 * DurablePartitionLog (in a temp dir, with tiny segments so that rolls and multi-segment reads are the
 * normal case) and InMemoryPartitionLog, each compared with a plain array-of-batches model.
 * Raw parameters are resolved against the model inside `run`, so every command is valid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { InMemoryPartitionLog } from '../../src/broker/log/in-memory-partition-log.js';
import type { AppendBatch, LogBatch, LogRecord, LogRecordInput, MaintainablePartitionLog, PartitionLog, ReadOptions } from '../../src/broker/log/partition-log.js';
import { OffsetOutOfRangeError } from '../../src/core/errors.js';

interface Model {
  batches: LogBatch[];
  /** The clock compaction passes see. */
  now: number;
  start: number;
  end: number;
}

interface Real {
  log: PartitionLog;
  /** Closes and reopens the log (durable only). */
  reopen: (() => void) | null;
}

type LogCommand = fc.AsyncCommand<Model, Real>;

// ---- the model's semantics, written out plainly ---------------------------------------------------

function modelRead(m: Model, from: number, opts: ReadOptions): LogBatch[] {
  const maxRecords = opts.maxRecords ?? Infinity;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const maxOffset = opts.maxOffset ?? Infinity;
  const out: LogBatch[] = [];
  let records = 0;
  let bytes = 0;
  for (const b of m.batches) {
    if (b.lastOffset < from) continue;
    if (b.baseOffset >= maxOffset) break;
    const visible = b.records.filter((r) => r.offset >= m.start && r.offset < maxOffset);
    if (visible.length === 0) continue;
    out.push({ ...b, lastOffset: Math.min(b.lastOffset, maxOffset - 1), records: visible });
    records += visible.length;
    for (const r of visible) bytes += 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (records >= maxRecords || bytes >= maxBytes) break;
  }
  return out;
}

function modelOffsetForTimestamp(m: Model, ts: number): number | null {
  for (const b of m.batches) for (const r of b.records) if (r.offset >= m.start && r.timestamp >= ts) return r.offset;
  return null;
}

/** Comparable form: Buffers as hex, headers as [name, hex] pairs. */
function plain(batches: LogBatch[]) {
  const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));
  return batches.map((b) => ({
    ...b,
    records: b.records.map((r) => ({
      offset: r.offset,
      timestamp: r.timestamp,
      key: hex(r.key),
      value: hex(r.value),
      headers: Object.keys(r.headers).map((k) => [k, hex(r.headers[k]!)]),
    })),
  }));
}

function checkOffsets(m: Model, r: Real): void {
  expect(r.log.logStartOffset).toBe(m.start);
  expect(r.log.logEndOffset).toBe(m.end);
}

// ---- commands --------------------------------------------------------------------------------------

class AppendCommand implements LogCommand {
  constructor(readonly batch: AppendBatch) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const n = this.batch.records.length;
    expect(r.log.append(this.batch)).toEqual({ baseOffset: m.end, lastOffset: m.end + n - 1 });
    m.batches.push({
      baseOffset: m.end,
      lastOffset: m.end + n - 1,
      producerId: this.batch.producerId ?? -1,
      producerEpoch: this.batch.producerEpoch ?? -1,
      baseSequence: this.batch.baseSequence ?? -1,
      isTransactional: this.batch.isTransactional ?? false,
      isControl: this.batch.isControl ?? false,
      maxTimestamp: Math.max(...this.batch.records.map((x) => x.timestamp)),
      records: this.batch.records.map((x, i) => ({ ...x, offset: m.end + i })),
    });
    m.end += n;
    checkOffsets(m, r);
  }
  toString = () => `append(${this.batch.records.length} records)`;
}

class ReadCommand implements LogCommand {
  constructor(
    readonly rawFrom: number,
    readonly maxRecords: number | undefined,
    readonly maxBytes: number | undefined,
    readonly rawMaxOffset: number | undefined,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const from = m.start + (this.rawFrom % (m.end - m.start + 1));
    const opts: ReadOptions = {};
    if (this.maxRecords !== undefined) opts.maxRecords = this.maxRecords;
    if (this.maxBytes !== undefined) opts.maxBytes = this.maxBytes;
    if (this.rawMaxOffset !== undefined) opts.maxOffset = this.rawMaxOffset % (m.end + 2);
    expect(plain(r.log.read(from, opts))).toEqual(plain(modelRead(m, from, opts)));
  }
  toString = () => `read(raw ${this.rawFrom}, maxRecords ${this.maxRecords}, maxBytes ${this.maxBytes}, rawMaxOffset ${this.rawMaxOffset})`;
}

class ReadOutOfRangeCommand implements LogCommand {
  constructor(readonly below: boolean, readonly distance: number) {}
  check = (m: Readonly<Model>) => !this.below || m.start > 0;
  async run(m: Model, r: Real): Promise<void> {
    const from = this.below ? Math.max(0, m.start - 1 - this.distance) : m.end + 1 + this.distance;
    expect(() => r.log.read(from)).toThrow(OffsetOutOfRangeError);
  }
  toString = () => `readOutOfRange(${this.below ? 'below' : 'above'}, ${this.distance})`;
}

class OffsetForTimestampCommand implements LogCommand {
  constructor(readonly timestamp: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    expect(r.log.offsetForTimestamp(this.timestamp)).toBe(modelOffsetForTimestamp(m, this.timestamp));
  }
  toString = () => `offsetForTimestamp(${this.timestamp})`;
}

class DeleteRecordsBeforeCommand implements LogCommand {
  constructor(readonly raw: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const offset = m.start + (this.raw % (m.end - m.start + 1));
    r.log.deleteRecordsBefore(offset);
    m.start = Math.max(m.start, offset);
    m.batches = m.batches.filter((b) => b.lastOffset >= m.start);
    checkOffsets(m, r);
  }
  toString = () => `deleteRecordsBefore(raw ${this.raw})`;
}

class ReopenCommand implements LogCommand {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.reopen!();
    checkOffsets(m, r);
  }
  toString = () => 'closeAndReopen';
}

/**
 * One compaction pass (every sealed segment cleanable; tombstones due at the next pass). The cleaner's
 * output depends on segment boundaries, so the model checks it rather than predicts it: every record
 * left is the model's record at that offset, offsets increase, control and transactional batches are
 * untouched, and the latest record of every key survives unless it is a tombstone. Then the model adopts
 * what is left, so later reads, deletes, reopens and timestamp lookups run over a log with gaps.
 */
class CompactCommand implements LogCommand {
  constructor(readonly tick: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const log = r.log as MaintainablePartitionLog;
    m.now += this.tick;
    await log.compact({ now: m.now, minCompactionLagMs: 0, deleteRetentionMs: 50 });
    const byOffset = new Map<number, LogRecord>();
    const latest = new Map<string, LogRecord>();
    for (const b of m.batches) {
      for (const rec of b.records) {
        byOffset.set(rec.offset, rec);
        if (!b.isControl && !b.isTransactional && rec.key !== null && rec.offset >= m.start) latest.set(rec.key.toString('hex'), rec);
      }
    }
    const kept = readEverything(log, m.start);
    const keptOffsets = new Set<number>();
    let last = -1;
    for (const b of kept) {
      const original = m.batches.find((x) => x.baseOffset === b.baseOffset)!;
      expect(original).toBeDefined();
      expect(b.lastOffset).toBe(original.lastOffset);
      if (b.isControl || b.isTransactional) expect(plain([b])).toEqual(plain([{ ...original, records: original.records.filter((x) => x.offset >= m.start) }]));
      for (const rec of b.records) {
        expect(rec.offset).toBeGreaterThan(last);
        last = rec.offset;
        keptOffsets.add(rec.offset);
        expect(plain([{ ...b, records: [rec] }])[0]!.records).toEqual(plain([{ ...b, records: [byOffset.get(rec.offset)!] }])[0]!.records);
      }
    }
    for (const rec of latest.values()) if (rec.value !== null) expect(keptOffsets.has(rec.offset)).toBe(true);
    m.batches = kept;
    checkOffsets(m, r);
  }
  toString = () => `compact(+${this.tick} ms)`;
}

/** Every batch from `from` to the end, read in a loop as a consumer does. */
function readEverything(log: PartitionLog, from: number): LogBatch[] {
  const out: LogBatch[] = [];
  for (let next = from; next < log.logEndOffset; ) {
    for (const b of log.read(next)) {
      out.push(b);
      next = b.lastOffset + 1;
    }
  }
  return out;
}

// ---- arbitraries -----------------------------------------------------------------------------------

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const record: fc.Arbitrary<LogRecordInput> = fc.record({
  timestamp: fc.integer({ min: 0, max: 1000 }),
  key: fc.option(bytes, { nil: null, freq: 4 }),
  value: fc.option(bytes, { nil: null, freq: 4 }),
  headers: fc.dictionary(fc.constantFrom('a', 'b', 'trace-id', 'ü', '__proto__'), bytes, { maxKeys: 3 }),
});
const appendBatch: fc.Arbitrary<AppendBatch> = fc.record(
  {
    records: fc.array(record, { minLength: 1, maxLength: 20 }),
    producerId: fc.integer({ min: -1, max: 1e12 }),
    producerEpoch: fc.integer({ min: -1, max: 100 }),
    baseSequence: fc.integer({ min: -1, max: 1e6 }),
    isTransactional: fc.boolean(),
    isControl: fc.boolean(),
  },
  { requiredKeys: ['records'] },
);

function commands(durable: boolean): fc.Arbitrary<Iterable<LogCommand>> {
  const list: fc.Arbitrary<LogCommand>[] = [
    appendBatch.map((b) => new AppendCommand(b)),
    appendBatch.map((b) => new AppendCommand(b)),
    fc
      .tuple(fc.nat(), fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }), fc.option(fc.nat(), { nil: undefined, freq: 3 }))
      .map(([from, mr, mb, mo]) => new ReadCommand(from, mr, mb, mo)),
    fc.tuple(fc.boolean(), fc.nat(5)).map(([below, d]) => new ReadOutOfRangeCommand(below, d)),
    fc.integer({ min: -5, max: 1010 }).map((ts) => new OffsetForTimestampCommand(ts)),
    fc.nat().map((raw) => new DeleteRecordsBeforeCommand(raw)),
    fc.integer({ min: 0, max: 60 }).map((tick) => new CompactCommand(tick)),
  ];
  if (durable) list.push(fc.constant(new ReopenCommand()));
  // 'max' size: long sequences, so that segments roll, reopen and deletion interleave many times per run.
  return fc.commands(list, { maxCommands: 50, size: 'max' });
}

// ---- the runs --------------------------------------------------------------------------------------

describe('model > PartitionLog', () => {
  it('property: DurablePartitionLog behaves like the array model (tiny segments, close/reopen)', async () => {
    await fc.assert(
      fc.asyncProperty(commands(true), fc.integer({ min: 512, max: 4096 }), async (cmds, segmentBytes) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-model-'));
        const opts = { segmentBytes, indexIntervalBytes: 64, onWarning: (msg: string) => expect.fail(`unexpected warning: ${msg}`) };
        const real: Real = {
          log: DurablePartitionLog.open(dir, opts),
          reopen() {
            real.log.close();
            real.log = DurablePartitionLog.open(dir, opts);
          },
        };
        try {
          await fc.asyncModelRun(() => ({ model: { batches: [], now: 10_000, start: 0, end: 0 }, real }), cmds);
        } finally {
          real.log.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('property: InMemoryPartitionLog behaves like the array model', async () => {
    await fc.assert(
      fc.asyncProperty(commands(false), async (cmds) => {
        const real: Real = { log: new InMemoryPartitionLog('mem', { segmentBytes: 300 }), reopen: null };
        await fc.asyncModelRun(() => ({ model: { batches: [], now: 10_000, start: 0, end: 0 }, real }), cmds);
      }),
      { numRuns: 100 },
    );
  });
});
