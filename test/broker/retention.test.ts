import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { retentionStartOffset } from '../../src/broker/log-maintenance.js';
import { ManualClock } from '../../src/core/clock.js';
import { InvalidTopicError, OffsetOutOfRangeError } from '../../src/core/errors.js';

let broker: Broker | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await broker?.close();
  broker = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-retention-'));
  dirs.push(dir);
  return dir;
}

/** A durable broker whose topic `t` rolls a segment every few records. */
async function open(dataDir: string, clock: ManualClock, config: Record<string, string>): Promise<Broker> {
  broker = await Broker.open({ dataDir, clock, fsync: 'never', onWarning: () => undefined });
  if (!broker.core.hasTopic('t')) await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'segment.bytes': '400', ...config } }]);
  return broker;
}

async function produce(b: Broker, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) await b.producer().send([{ topic: 't', partition: 0, key: `k${i}`, value: `v${i}` }]);
}

const logStart = async (b: Broker) => (await b.admin().describeTopic('t')).partitions[0]!.logStartOffset;

describe('broker > retention', () => {
  it('retentionStartOffset: by age of the newest record, by bytes, never the active segment', () => {
    const seg = (baseOffset: number, maxTimestamp: number, sizeBytes = 100) => ({ baseOffset, nextOffset: baseOffset + 10, maxTimestamp, sizeBytes });
    const segs = [seg(0, 100), seg(10, 200), seg(20, 300), seg(30, 400)];
    expect(retentionStartOffset(segs, 1000, 750, -1)).toBe(20);
    expect(retentionStartOffset(segs, 1000, 0, -1)).toBe(30); // all expired, the active one stays
    expect(retentionStartOffset(segs, 1000, -1, 250)).toBe(10); // 400 bytes, keep at least 250
    expect(retentionStartOffset(segs, 1000, -1, 200)).toBe(20);
    expect(retentionStartOffset(segs, 1000, -1, 0)).toBe(30);
    expect(retentionStartOffset(segs, 1000, -1, -1)).toBeNull();
    expect(retentionStartOffset(segs, 1000, 950, 1000)).toBeNull();
  });

  it('retention.ms drops whole segments whose newest record is older; the start offset survives a restart', async () => {
    const clock = new ManualClock(1_000_000);
    const dataDir = tempDir();
    let b = await open(dataDir, clock, { 'retention.ms': '60000' });
    await produce(b, 20);
    clock.advance(30_000);
    await produce(b, 20, 20);
    clock.advance(40_000); // the first 20 records are 70 s old, the next 20 are 40 s old
    const report = await b.runLogMaintenance();
    const start = await logStart(b);
    expect(report.retention.get('t-0')).toBe(start);
    expect(start).toBeGreaterThan(10);
    expect(start).toBeLessThanOrEqual(20);
    expect(b.core.getLog('t', 0).logStartOffset).toBe(start);
    await b.close();
    b = await open(dataDir, clock, {});
    expect(await logStart(b)).toBe(start);
  });

  it('retention.bytes keeps the partition at or above the limit, dropping the oldest segments', async () => {
    const clock = new ManualClock(1_000_000);
    const b = await open(tempDir(), clock, { 'retention.bytes': '1000' });
    await produce(b, 60);
    const before = b.core.getLog('t', 0).sizeBytes;
    await b.runLogMaintenance();
    const after = b.core.getLog('t', 0).sizeBytes;
    expect(before).toBeGreaterThan(2000);
    expect(after).toBeGreaterThanOrEqual(1000);
    expect(after).toBeLessThan(1400); // within one segment of the limit
    expect(await logStart(b)).toBeGreaterThan(0);
  });

  it('a consumer behind the new log start resets per autoOffsetReset', async () => {
    const clock = new ManualClock(1_000_000);
    const b = await open(tempDir(), clock, { 'retention.ms': '1000' });
    await produce(b, 30);
    const earliest = b.consumer({ autoOffsetReset: 'earliest' });
    earliest.assign([{ topic: 't', partition: 0 }]);
    earliest.seek('t', 0, 2);
    const latest = b.consumer({ autoOffsetReset: 'latest' });
    latest.assign([{ topic: 't', partition: 0 }]);
    latest.seek('t', 0, 2);
    clock.advance(5000);
    await produce(b, 1, 30); // a fresh record keeps the active segment young
    await b.runLogMaintenance();
    const start = await logStart(b);
    expect(start).toBeGreaterThan(2);
    const got = await earliest.poll();
    expect(got[0]!.offset).toBe(start);
    expect(await latest.poll()).toEqual([]);
    expect(latest.position('t', 0)).toBe(31);
  });

  it('runs in the background every logRetentionCheckIntervalMs; bad intervals are RangeErrors', async () => {
    const clock = new ManualClock(1_000_000);
    broker = await Broker.open({ dataDir: tempDir(), clock, fsync: 'never', logRetentionCheckIntervalMs: 20, onWarning: () => undefined });
    await broker.admin().createTopics([{ topic: 't', partitions: 1, config: { 'segment.bytes': '400', 'retention.ms': '1000' } }]);
    await produce(broker, 30);
    clock.advance(5000);
    await produce(broker, 1, 30);
    for (let waited = 0; (await logStart(broker)) === 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(await logStart(broker)).toBeGreaterThan(0);
    await expect(Broker.inMemory({ logRetentionCheckIntervalMs: 0 })).rejects.toThrow(RangeError);
    await expect(Broker.inMemory({ logCleanerBackoffMs: 1.5 })).rejects.toThrow(/logCleanerBackoffMs/);
  });

  it('cleanup.policy=compact alone never deletes by retention', async () => {
    const clock = new ManualClock(1_000_000);
    const b = await open(tempDir(), clock, { 'cleanup.policy': 'compact', 'retention.ms': '1', 'retention.bytes': '1' });
    await produce(b, 30);
    clock.advance(10_000);
    const report = await b.runLogMaintenance();
    expect(report.retention.size).toBe(0);
    expect(await logStart(b)).toBe(0);
  });
});

describe('broker > Admin.deleteRecords', () => {
  it('moves the log start offset, deletes whole segments below it, and describeTopic reports it', async () => {
    const b = await open(tempDir(), new ManualClock(1), {});
    await produce(b, 40);
    const sizeBefore = b.core.getLog('t', 0).sizeBytes;
    expect(await b.admin().deleteRecords('t', 0, 25)).toEqual({ lowWatermark: 25 });
    expect(await logStart(b)).toBe(25);
    expect(b.core.getLog('t', 0).sizeBytes).toBeLessThan(sizeBefore);
    const c = b.consumer({ autoOffsetReset: 'earliest' });
    c.assign([{ topic: 't', partition: 0 }]);
    expect((await c.poll())[0]!.offset).toBe(25);
    expect(await b.admin().deleteRecords('t', 0, -1)).toEqual({ lowWatermark: 40 });
    expect(await b.admin().deleteRecords('t', 0, 10)).toEqual({ lowWatermark: 40 }); // never moves back
  });

  it('an offset above the high watermark is OffsetOutOfRangeError naming topic and partition', async () => {
    const b = await open(tempDir(), new ManualClock(1), {});
    await produce(b, 5);
    await expect(b.admin().deleteRecords('t', 0, 6)).rejects.toThrow(OffsetOutOfRangeError);
    await expect(b.admin().deleteRecords('t', 0, 6)).rejects.toThrow(/topic "t" partition 0.*offset 6.*high watermark 5/);
    expect(await logStart(b)).toBe(0);
    await expect(b.admin().deleteRecords('__consumer_offsets', 0, 0)).rejects.toThrow(InvalidTopicError);
  });
});
