import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { encodeMarkerKey, encodeMarkerValue } from '../../src/broker/log/control-records.js';
import { InMemoryPartitionLog } from '../../src/broker/log/in-memory-partition-log.js';
import type { MaintainablePartitionLog } from '../../src/broker/log/partition-log.js';
import { checkCompactedKey } from '../../src/broker/record-validation.js';
import { ManualClock } from '../../src/core/clock.js';
import { InvalidRecordError } from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';

let broker: Broker | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await broker?.close();
  broker = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-compaction-'));
  dirs.push(dir);
  return dir;
}

/** Polls `t` from the beginning to the high watermark: every record a new consumer sees. */
async function consumeAll(b: Broker): Promise<ConsumedRecord[]> {
  const c = b.consumer({ autoOffsetReset: 'earliest' });
  c.assign([{ topic: 't', partition: 0 }]);
  const out: ConsumedRecord[] = [];
  const end = b.core.getLog('t', 0).logEndOffset;
  while (c.position('t', 0) < end) out.push(...(await c.poll({ timeoutMs: 0 })));
  await c.close();
  return out;
}

function latest(records: ConsumedRecord[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of records) m.set(r.key!.toString(), r.value?.toString() ?? null);
  return m;
}

describe('broker > compaction', () => {
  it('keeps the latest value per key for consumers and drops tombstones after delete.retention.ms', async () => {
    const clock = new ManualClock(1_000_000);
    broker = await Broker.open({ dataDir: tempDir(), clock, fsync: 'never', onWarning: () => undefined });
    const config = { 'cleanup.policy': 'compact', 'segment.bytes': '500', 'delete.retention.ms': '60000' };
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config }]);
    const model = new Map<string, string | null>();
    const send = async (key: string, value: string | null) => {
      model.set(key, value);
      await broker!.producer().send([{ topic: 't', partition: 0, key, value }]);
    };
    for (let i = 0; i < 200; i++) await send(`k${i % 7}`, `v${i}`);
    await send('k3', null);
    for (let i = 0; i < 30; i++) await send('filler', `f${i}`); // pushes the tombstone out of the active segment

    const report = await broker.runLogMaintenance();
    expect(report.compaction.get('t-0')!.recordsRemoved).toBeGreaterThan(150);
    const first = await consumeAll(broker);
    expect(first.length).toBeLessThan(60);
    expect(latest(first)).toEqual(model);
    const offsets = first.map((r) => r.offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(new Set(offsets).size).toBe(offsets.length);

    clock.advance(60_000);
    await broker.runLogMaintenance();
    const second = latest(await consumeAll(broker));
    model.delete('k3');
    expect(second).toEqual(model);
    expect((await broker.admin().describeTopic('t')).partitions[0]!.logStartOffset).toBe(0);
  });

  it('compacts a topic written in transactions (an EOS changelog): read_committed sees the latest committed value per key', async () => {
    broker = await Broker.open({ dataDir: tempDir(), fsync: 'never', onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '600' } }]);
    const producer = broker.producer({ transactionalId: 'changelog-writer' });
    await producer.initTransactions();
    const model = new Map<string, string>();
    for (let txn = 0; txn < 40; txn++) {
      const commit = txn % 5 !== 3;
      producer.beginTransaction();
      const records = [0, 1, 2].map((i) => ({ topic: 't', partition: 0, key: `k${(txn + i) % 4}`, value: `${commit ? 'c' : 'a'}${txn}-${i}` }));
      await producer.send(records);
      if (commit) {
        await producer.commitTransaction();
        for (const r of records) model.set(r.key, r.value);
      } else await producer.abortTransaction();
    }
    await producer.close();
    const before = broker.core.getLog('t', 0).logEndOffset;
    const report = await broker.runLogMaintenance();
    expect(report.compaction.get('t-0')!.recordsRemoved).toBeGreaterThan(60);
    const c = broker.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
    c.assign([{ topic: 't', partition: 0 }]);
    const seen: ConsumedRecord[] = [];
    while (c.position('t', 0) < before) seen.push(...(await c.poll({ timeoutMs: 0 })));
    await c.close();
    expect(latest(seen)).toEqual(model);
    expect(seen.some((r) => r.value!.toString().startsWith('a'))).toBe(false);
  });

  it('produce and poll go on while a large log is cleaned (the cleaner yields between steps)', async () => {
    broker = await Broker.open({ dataDir: tempDir(), fsync: 'never', onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': String(1 << 20) } }]);
    const producer = broker.producer();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ topic: 't', partition: 0, key: `k${i % 100}`, value: `value-${i}-${'x'.repeat(50)}` }));
    for (let i = 0; i < 60; i++) await producer.send(batch);
    const c = broker.consumer({ autoOffsetReset: 'latest' });
    c.assign([{ topic: 't', partition: 0 }]);
    c.position('t', 0); // fix the 'latest' position now, before the first live send
    let done = false;
    const pass = broker.runLogMaintenance().then((r) => {
      done = true;
      return r;
    });
    let rounds = 0;
    while (!done) {
      await producer.send([{ topic: 't', partition: 0, key: 'live', value: `r${rounds}` }]);
      const got = await c.poll({ timeoutMs: 0 });
      expect(got.map((r) => r.value!.toString())).toContain(`r${rounds}`);
      rounds++;
      // A client's next request arrives as I/O, a macrotask: a pure microtask loop would starve any timer.
      await new Promise((r) => setImmediate(r));
    }
    const stats = (await pass).compaction.get('t-0')!;
    expect(stats.recordsRemoved).toBeGreaterThan(40_000); // all but the latest 100 of the sealed ~48k
    expect(rounds).toBeGreaterThan(5);
  });

  it('close() during a pass stops it: no leftover files, everything still there after reopen', async () => {
    const dataDir = tempDir();
    broker = await Broker.open({ dataDir, fsync: 'never', onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': String(256 * 1024) } }]);
    const batch = Array.from({ length: 1000 }, (_, i) => ({ topic: 't', partition: 0, key: `k${i % 100}`, value: `value-${i}-${'x'.repeat(50)}` }));
    for (let i = 0; i < 30; i++) await broker.producer().send(batch);
    const before = latest(await consumeAll(broker));
    const pass = broker.runLogMaintenance();
    await new Promise((r) => setImmediate(r));
    await broker.close();
    const stats = (await pass).compaction.get('t-0');
    expect(stats?.aborted ?? true).toBe(true);
    const partitionDir = path.join(dataDir, 'topics', 't', '0');
    expect(fs.readdirSync(partitionDir).filter((f) => f.includes('.cleaned') || f.includes('.swap'))).toEqual([]);
    broker = await Broker.open({ dataDir, fsync: 'never', onWarning: () => undefined });
    expect(latest(await consumeAll(broker))).toEqual(before);
  });

  it('a corrupt segment fails only its partition (reported, with the file), the others are compacted', async () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    broker = await Broker.open({ dataDir, fsync: 'never', onWarning: (m) => warnings.push(m) });
    const config = { 'cleanup.policy': 'compact', 'segment.bytes': '500' };
    await broker.admin().createTopics([{ topic: 'bad', partitions: 1, config }, { topic: 'good', partitions: 1, config }]);
    for (let i = 0; i < 60; i++) await broker.producer().send([{ topic: 'bad', partition: 0, key: `k${i % 3}`, value: `v${i}` }, { topic: 'good', partition: 0, key: `k${i % 3}`, value: `v${i}` }]);
    const fd = fs.openSync(path.join(dataDir, 'topics', 'bad', '0', `${'0'.repeat(20)}.log`), 'r+');
    fs.writeSync(fd, Buffer.from('garbage!'), 0, 8, 70);
    fs.closeSync(fd);
    const report = await broker.runLogMaintenance();
    expect(report.failed.get('bad-0')?.message).toMatch(/bad[/\\]0.*00000000000000000000\.log.*CRC mismatch/);
    expect(warnings.some((w) => w.includes('topic "bad" partition 0'))).toBe(true);
    expect(report.compaction.get('good-0')!.recordsRemoved).toBeGreaterThan(30);
  });

  it('runs in the background every logCleanerBackoffMs without being asked', async () => {
    broker = await Broker.open({ dataDir: tempDir(), fsync: 'never', logCleanerBackoffMs: 20, onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': '500' } }]);
    for (let i = 0; i < 100; i++) await broker.producer().send([{ topic: 't', partition: 0, key: `k${i % 3}`, value: `v${i}` }]);
    const log = broker.core.getLog('t', 0);
    const before = log.sizeBytes;
    for (let waited = 0; log.sizeBytes >= before / 2 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(log.sizeBytes).toBeLessThan(before / 2);
  });

  it('works the same on Broker.inMemory() (segments roll at the topic segment.bytes)', async () => {
    const clock = new ManualClock(1_000_000);
    broker = await Broker.inMemory({ clock, onWarning: () => undefined });
    const config = { 'cleanup.policy': 'compact,delete', 'segment.bytes': '300', 'delete.retention.ms': '1000', 'retention.ms': '3600000' };
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config }]);
    for (let i = 0; i < 100; i++) await broker.producer().send([{ topic: 't', partition: 0, key: `k${i % 4}`, value: i === 50 ? null : `v${i}` }]);
    await broker.producer().send([{ topic: 't', partition: 0, key: 'k2', value: null }]);
    for (let i = 0; i < 20; i++) await broker.producer().send([{ topic: 't', partition: 0, key: 'z', value: `z${i}` }]);
    expect((await broker.runLogMaintenance()).compaction.get('t-0')!.recordsRemoved).toBeGreaterThan(80);
    expect(latest(await consumeAll(broker))).toEqual(new Map([['k0', 'v96'], ['k1', 'v97'], ['k2', null], ['k3', 'v99'], ['z', 'z19']]));
    clock.advance(1000);
    await broker.runLogMaintenance();
    expect(latest(await consumeAll(broker)).has('k2')).toBe(false);
    clock.advance(3_600_001); // now every sealed segment is past retention.ms too
    expect((await broker.runLogMaintenance()).retention.get('t-0')).toBeGreaterThan(0);
  });

  it('checkCompactedKey refuses a null key on a compacted topic with InvalidRecordError', () => {
    expect(() => checkCompactedKey(null, 'compact', 't', 2, 7)).toThrow(InvalidRecordError);
    expect(() => checkCompactedKey(null, 'compact,delete', 't', 2, 7)).toThrow(/topic "t" partition 2, record 7/);
    expect(() => checkCompactedKey(null, 'delete', 't', 2, 7)).not.toThrow();
    expect(() => checkCompactedKey(Buffer.from('k'), 'compact', 't', 2, 7)).not.toThrow();
  });

  it('the producer refuses a keyless record for a compacted topic, and the whole send changes nothing', async () => {
    broker = await Broker.inMemory({ onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 'c', partitions: 2, config: { 'cleanup.policy': 'compact' } }, { topic: 'd', partitions: 1 }]);
    const send = broker.producer().send([
      { topic: 'd', value: 'keyless is fine here' },
      { topic: 'c', key: 'k', value: 'v' },
      { topic: 'c', value: 'no key' },
    ]);
    await expect(send).rejects.toThrow(/topic "c" partition \d, record 2: a compacted topic/);
    for (const topic of ['c', 'd']) {
      const described = await broker.admin().describeTopic(topic);
      expect(described.partitions.every((p) => p.highWatermark === 0)).toBe(true);
    }
  });
});

type Op = { kind: 'put'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'compact' } | { kind: 'tick'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 5 }), value: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 150 }) }) },
);

const kinds: [string, () => MaintainablePartitionLog][] = [
  ['DurablePartitionLog', () => DurablePartitionLog.open(tempDir(), { segmentBytes: 300, onWarning: () => undefined })],
  ['InMemoryPartitionLog', () => new InMemoryPartitionLog('mem', { segmentBytes: 100 })],
];

describe.each(kinds)('broker > compaction > properties > %s', (_name, makeLog) => {
  it('property: compaction keeps the latest value per key, removes due tombstones, keeps offsets increasing and readable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 120 }), async (ops) => {
        const log = makeLog();
        const model = new Map<string, string | null>();
        const tombstoneAt = new Map<string, number>(); // key -> offset of its (latest) tombstone
        let now = 1000;
        const compact = () => log.compact({ now, minCompactionLagMs: 0, deleteRetentionMs: 100, chunkBytes: 256 });
        try {
          for (const op of ops) {
            if (op.kind === 'compact') await compact();
            else if (op.kind === 'tick') now += op.ms;
            else {
              const key = `k${op.key}`;
              const value = op.kind === 'put' ? `v${op.value}` : null;
              const { baseOffset } = log.append({ records: [{ timestamp: now, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: {} }] });
              model.set(key, value);
              if (value === null) tombstoneAt.set(key, baseOffset);
              else tombstoneAt.delete(key);
            }
          }
          // Two passes a retention period apart: every tombstone in a sealed segment is then due.
          await compact();
          now += 100;
          await compact();
          const segments = log.segmentSummaries();
          const activeBase = segments[segments.length - 1]!.baseOffset;
          const all = readFrom(log, log.logStartOffset);
          const seen = new Map<string, string | null>();
          for (const r of all) seen.set(r.key, r.value);
          for (const [key, value] of model) {
            if (value !== null) expect(seen.get(key)).toBe(value);
            else if (tombstoneAt.get(key)! < activeBase) expect(seen.has(key)).toBe(false);
            else expect(seen.get(key)).toBeNull();
          }
          for (let i = 1; i < all.length; i++) expect(all[i]!.offset).toBeGreaterThan(all[i - 1]!.offset);
          for (let from = log.logStartOffset; from <= log.logEndOffset; from++) {
            expect(readFrom(log, from)).toEqual(all.filter((r) => r.offset >= from));
          }
        } finally {
          log.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

function readFrom(log: MaintainablePartitionLog, from: number): { offset: number; key: string; value: string | null }[] {
  const out: { offset: number; key: string; value: string | null }[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    for (const b of log.read(next, { maxBytes: 200 })) {
      for (const r of b.records) if (r.offset >= next) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null });
      next = b.lastOffset + 1;
    }
  }
  return out;
}

/** One step of the transactional compaction property: a plain put, a transactional put, a marker, a pass. */
const txnOpArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 5 }), value: fc.nat(999) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('txnPut' as const), producer: fc.integer({ min: 1, max: 2 }), key: fc.integer({ min: 0, max: 5 }), value: fc.nat(999) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), producer: fc.integer({ min: 1, max: 2 }), commit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
);

describe.each(kinds)('broker > compaction > transactions > %s', (_name, makeLog) => {
  it('property: committed transactional records are compacted like plain ones, aborted ones are dropped once their marker is cleanable, undecided ones are kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(txnOpArb, { minLength: 1, maxLength: 100 }), async (ops) => {
        const log = makeLog();
        // Per data record: its transaction (null for plain records). A transaction's outcome and marker offset once ended.
        const txnOf = new Map<number, { commit?: boolean; markerAt?: number }>();
        const open = new Map<number, { commit?: boolean; markerAt?: number }>();
        const compact = () => log.compact({ now: 1_000, minCompactionLagMs: 0, deleteRetentionMs: 100, chunkBytes: 256 });
        const rec = (key: string | Buffer, value: string | Buffer) => ({ timestamp: 1_000, key: Buffer.from(key), value: Buffer.from(value), headers: {} });
        try {
          for (const op of ops) {
            if (op.kind === 'compact') await compact();
            else if (op.kind === 'put') log.append({ records: [rec(`k${op.key}`, `v${op.value}`)] });
            else if (op.kind === 'txnPut') {
              let txn = open.get(op.producer);
              if (txn === undefined) open.set(op.producer, (txn = {}));
              const { baseOffset } = log.append({ records: [rec(`k${op.key}`, `t${op.value}`)], producerId: op.producer, producerEpoch: 0, isTransactional: true });
              txnOf.set(baseOffset, txn);
            } else {
              const txn = open.get(op.producer);
              if (txn === undefined) continue;
              const { baseOffset } = log.append({
                records: [rec(encodeMarkerKey(op.commit), encodeMarkerValue())],
                producerId: op.producer, producerEpoch: 0, isTransactional: true, isControl: true,
              });
              Object.assign(txn, { commit: op.commit, markerAt: baseOffset });
              open.delete(op.producer);
            }
          }
          await compact();
          const segments = log.segmentSummaries();
          const activeBase = segments[segments.length - 1]!.baseOffset;
          // What read_committed sees of the log as appended (the model) and of the compacted log.
          const visible = (offset: number) => {
            const txn = txnOf.get(offset);
            return txn === undefined || txn.commit === true;
          };
          const data = readData(log);
          const modelLatest = new Map<string, string>();
          for (const op of replayed(ops)) if (visible(op.offset)) modelLatest.set(op.key, op.value);
          const seenLatest = new Map<string, string>();
          for (const r of data) if (visible(r.offset)) seenLatest.set(r.key, r.value);
          expect(seenLatest).toEqual(modelLatest);
          for (const r of data) {
            const txn = txnOf.get(r.offset);
            // An aborted record whose marker was cleanable is gone.
            if (txn?.commit === false) expect(txn.markerAt!).toBeGreaterThanOrEqual(activeBase);
          }
          // Among decided, visible records of the cleaned range, one per key at most.
          const decided = data.filter((r) => r.offset < activeBase && (txnOf.get(r.offset) === undefined || (txnOf.get(r.offset)!.commit === true && txnOf.get(r.offset)!.markerAt! < activeBase)));
          expect(new Set(decided.map((r) => r.key)).size).toBe(decided.length);
          for (let i = 1; i < data.length; i++) expect(data[i]!.offset).toBeGreaterThan(data[i - 1]!.offset);
        } finally {
          log.close();
        }

        /** The data records of `ops` at the offsets they were appended at (markers take an offset too). */
        function replayed(steps: typeof ops): { offset: number; key: string; value: string }[] {
          const out: { offset: number; key: string; value: string }[] = [];
          const opened = new Set<number>();
          let offset = 0;
          for (const op of steps) {
            if (op.kind === 'put') out.push({ offset: offset++, key: `k${op.key}`, value: `v${op.value}` });
            else if (op.kind === 'txnPut') {
              opened.add(op.producer);
              out.push({ offset: offset++, key: `k${op.key}`, value: `t${op.value}` });
            } else if (op.kind === 'end' && opened.delete(op.producer)) offset++;
          }
          return out;
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** Every data record of `log` from its start, markers left out. */
function readData(log: MaintainablePartitionLog): { offset: number; key: string; value: string }[] {
  const out: { offset: number; key: string; value: string }[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    for (const b of log.read(next, { maxBytes: 200 })) {
      if (!b.isControl) for (const r of b.records) if (r.offset >= next) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value!.toString() });
      next = b.lastOffset + 1;
    }
  }
  return out;
}
