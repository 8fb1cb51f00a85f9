import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Broker, type BrokerOptions } from '../../src/broker/broker.js';
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { partitionForKey } from '../../src/broker/murmur2.js';
import { DataDirLockedError, TopicNotFoundError } from '../../src/core/errors.js';
import type { ProducedRecord } from '../../src/core/record.js';
import { readPartition, readTopic, values } from './broker-test-helpers.js';

let dataDir: string;
let warnings: string[];
const open: Broker[] = [];

async function openBroker(opts: Partial<BrokerOptions> = {}): Promise<Broker> {
  const broker = await Broker.open({ dataDir, onWarning: (m) => warnings.push(m), ...opts });
  open.push(broker);
  return broker;
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-broker-'));
  warnings = [];
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(open.splice(0).map((b) => b.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('broker > Broker > durable', () => {
  it('keeps topics, partitions, configs and records across a restart', async () => {
    const first = await openBroker();
    await first.admin().createTopics([
      { topic: 'orders', partitions: 3, config: { 'retention.ms': '86400000', 'max.message.bytes': '5000' } },
      { topic: 'empty' },
    ]);
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await first.producer().send(keys.map((key, i) => ({ topic: 'orders', key, value: `v${i}`, timestamp: 1000 + i, headers: { n: `${i}` } })));
    await first.producer().send([{ topic: 'orders', partition: 2, key: null, value: null, timestamp: 5 }]);
    const before = readTopic(first, 'orders');
    const described = await first.admin().describeTopic('orders');
    await first.close();

    const second = await openBroker();
    expect(await second.admin().listTopics()).toEqual(['empty', 'orders']);
    expect(await second.admin().describeTopic('orders')).toEqual(described);
    const after = readTopic(second, 'orders');
    expect(after).toEqual(before);
    for (let p = 0; p < 3; p++) for (const r of after[p]!) if (r.key) expect(partitionForKey(r.key, 3)).toBe(p);
    // Offsets continue where they stopped.
    const meta = await second.producer().send([{ topic: 'orders', partition: 2, value: 'next' }]);
    expect(meta[0]!.offset).toBe(before[2]!.length);
  });

  it('lays topics out as <dataDir>/topics/<topic>/topic.json and one folder per partition', async () => {
    const broker = await openBroker();
    await broker.admin().createTopics([{ topic: 't', partitions: 2, config: { 'retention.ms': '1000' } }]);
    const topicDir = path.join(dataDir, 'topics', 't');
    expect(JSON.parse(fs.readFileSync(path.join(topicDir, 'topic.json'), 'utf8'))).toEqual({
      partitions: 2,
      config: { 'retention.ms': '1000' },
      internal: false,
    });
    expect(fs.statSync(path.join(topicDir, '0')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(topicDir, '1')).isDirectory()).toBe(true);
  });

  it('keeps internal topics internal across a restart', async () => {
    const first = await openBroker();
    first.core.ensureInternalTopic('__test_internal', 2);
    await first.close();
    const second = await openBroker();
    expect(second.core.topicNames(true)).toContain('__test_internal');
    expect(await second.admin().listTopics()).not.toContain('__test_internal');
    expect(second.core.partitionCount('__test_internal')).toBe(2);
  });

  it('reloads committed offsets of consumer groups on open', async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 't', partitions: 2 }]);
    const consumer = first.consumer({ groupId: 'g', autoCommit: false });
    consumer.assign([{ topic: 't', partition: 1 }]);
    await consumer.commit([{ topic: 't', partition: 1, offset: 0 }]);
    await first.producer().send([1, 2, 3].map((v) => ({ topic: 't', partition: 1, value: `${v}` })));
    await consumer.commit([{ topic: 't', partition: 1, offset: 2 }]);
    await consumer.close();
    await first.close();

    const second = await openBroker();
    const again = second.consumer({ groupId: 'g', autoCommit: false });
    expect(await again.committed([{ topic: 't', partition: 1 }])).toEqual([2]);
    again.assign([{ topic: 't', partition: 1 }]);
    expect(values(await again.poll({ timeoutMs: 1_000 }))).toEqual(['3']);
    await again.close();
  });

  it('locks the data directory: a second open fails with DataDirLockedError until the first closes', async () => {
    const first = await openBroker();
    await expect(Broker.open({ dataDir })).rejects.toThrow(DataDirLockedError);
    await first.close();
    const second = await openBroker();
    expect(await second.admin().listTopics()).toEqual([]);
  });

  it('persists createPartitions', async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 't', partitions: 1 }]);
    await first.admin().createPartitions('t', 3);
    await first.producer().send([{ topic: 't', partition: 2, value: 'p2' }]);
    await first.close();
    const second = await openBroker();
    expect((await second.admin().describeTopic('t')).partitions.map((p) => p.highWatermark)).toEqual([0, 0, 1]);
    expect(values(readPartition(second, 't', 2))).toEqual(['p2']);
  });

  it('deletes a topic for good; a recreated topic starts empty, also after a restart', async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 't', partitions: 2 }]);
    await first.producer().send([{ topic: 't', partition: 0, value: 'old' }]);
    await first.admin().deleteTopics(['t']);
    expect(fs.existsSync(path.join(dataDir, 'topics', 't'))).toBe(false);
    await first.close();
    expect(fs.readdirSync(path.join(dataDir, 'deleted'))).toEqual([]);

    const second = await openBroker();
    expect(await second.admin().listTopics()).toEqual([]);
    await expect(second.admin().describeTopic('t')).rejects.toThrow(TopicNotFoundError);
    await second.admin().createTopics([{ topic: 't', partitions: 2 }]);
    expect(readPartition(second, 't', 0)).toEqual([]);
    await second.producer().send([{ topic: 't', partition: 0, value: 'new' }]);
    await second.close();
    const third = await openBroker();
    expect(values(readPartition(third, 't', 0))).toEqual(['new']);
  });

  it("forgets the groups' committed offsets of a deleted topic: a recreated topic is read from its start, also after a restart", async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 't', partitions: 1 }, { topic: 'kept', partitions: 1 }]);
    const c = first.consumer({ groupId: 'g' });
    c.assign([{ topic: 't', partition: 0 }, { topic: 'kept', partition: 0 }]);
    await c.commit([{ topic: 't', partition: 0, offset: 5 }, { topic: 'kept', partition: 0, offset: 3 }]);
    await first.admin().deleteTopics(['t']);
    await first.admin().createTopics([{ topic: 't', partitions: 1 }]);
    expect(await c.committed([{ topic: 't', partition: 0 }, { topic: 'kept', partition: 0 }])).toEqual([null, 3]);
    await c.close();
    await first.close();
    const second = await openBroker();
    const again = second.consumer({ groupId: 'g' });
    expect(await again.committed([{ topic: 't', partition: 0 }, { topic: 'kept', partition: 0 }])).toEqual([null, 3]);
    await again.close();
  });

  it('finishes interrupted operations on open: half-created topic, half-deleted topic, half-added partitions', async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 'kept', partitions: 1 }]);
    await first.close();
    // A create that crashed before topic.json, a delete that crashed after the rename, an add that crashed before topic.json.
    fs.mkdirSync(path.join(dataDir, 'topics', 'half', '0'), { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'deleted', 'gone.deleted-1', '0'), { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'topics', 'kept', '1'), { recursive: true });

    const second = await openBroker();
    expect(await second.admin().listTopics()).toEqual(['kept']);
    expect(second.core.partitionCount('kept')).toBe(1);
    expect(fs.existsSync(path.join(dataDir, 'topics', 'half'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'topics', 'kept', '1'))).toBe(false);
    expect(warnings.some((w) => w.includes('"half"') && w.includes('interrupted create'))).toBe(true);
    expect(warnings.some((w) => w.includes('"kept"') && w.includes('interrupted createPartitions'))).toBe(true);
    await second.close();
    expect(fs.readdirSync(path.join(dataDir, 'deleted'))).toEqual([]);
  });

  it('refuses to open over an unreadable topic.json, keeps its data and releases the lock', async () => {
    const first = await openBroker();
    await first.admin().createTopics([{ topic: 'a' }, { topic: 'b' }]);
    await first.producer().send([{ topic: 'b', value: 'kept' }]);
    await first.close();
    const meta = path.join(dataDir, 'topics', 'b', 'topic.json');
    const good = fs.readFileSync(meta);
    fs.writeFileSync(meta, '{ not json');
    await expect(Broker.open({ dataDir, onWarning: () => {} })).rejects.toThrow(/topic "b": .*topic.json is unreadable/);
    fs.writeFileSync(meta, good);
    const second = await openBroker();
    expect(values(readPartition(second, 'b', 0))).toEqual(['kept']);
  });

  it("fsync 'always': a send resolves only after the logs it wrote are synced", async () => {
    const sync = vi.spyOn(DurablePartitionLog.prototype, 'sync');
    const broker = await openBroker({ fsync: 'always' });
    await broker.admin().createTopics([{ topic: 't', partitions: 3 }]);
    sync.mockClear();
    await broker.producer().send([
      { topic: 't', partition: 0, value: 'a' },
      { topic: 't', partition: 2, value: 'b' },
    ]);
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it("fsync 'commit': sends do not sync; syncDirty syncs each written log once", async () => {
    const sync = vi.spyOn(DurablePartitionLog.prototype, 'sync');
    const broker = await openBroker({ fsync: 'commit' });
    await broker.admin().createTopics([{ topic: 't', partitions: 3 }]);
    sync.mockClear();
    const producer = broker.producer();
    await producer.send([{ topic: 't', partition: 0, value: 'a' }]);
    await producer.send([{ topic: 't', partition: 0, value: 'b' }, { topic: 't', partition: 1, value: 'c' }]);
    expect(sync).not.toHaveBeenCalled();
    await broker.core.syncDirty();
    expect(sync).toHaveBeenCalledTimes(2);
    await broker.core.syncDirty();
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it("fsync 'never': nothing is synced before close; close syncs", async () => {
    const sync = vi.spyOn(DurablePartitionLog.prototype, 'sync');
    const broker = await openBroker({ fsync: 'never' });
    await broker.admin().createTopics([{ topic: 't', partitions: 1 }]);
    sync.mockClear();
    await broker.producer().send([{ topic: 't', value: 'a' }]);
    await broker.core.syncDirty();
    expect(sync).not.toHaveBeenCalled();
    await broker.close();
    expect(sync).toHaveBeenCalled();
  });
});

describe('broker > Broker > durable properties', () => {
  it('property: after a restart every partition reads back exactly the sent records, in order', async () => {
    const recordArb = fc.record({
      key: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
      value: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
      partition: fc.option(fc.nat({ max: 2 }), { nil: undefined }),
      header: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(recordArb, { minLength: 1, maxLength: 15 }), { maxLength: 6 }), fc.nat({ max: 6 }), async (sends, restartAfter) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-broker-prop-'));
        const model: string[][] = [[], [], []];
        try {
          let broker = await Broker.open({ dataDir: dir, fsync: 'never', onWarning: () => {} });
          await broker.admin().createTopics([{ topic: 't', partitions: 3, config: { 'segment.bytes': '200' } }]);
          for (const [s, send] of sends.entries()) {
            if (s === restartAfter) {
              await broker.close();
              broker = await Broker.open({ dataDir: dir, fsync: 'never', onWarning: () => {} });
            }
            const records: ProducedRecord[] = send.map((r) => ({
              topic: 't',
              key: r.key,
              value: r.value,
              timestamp: s,
              ...(r.partition === undefined ? {} : { partition: r.partition }),
              ...(r.header === undefined ? {} : { headers: { h: r.header } }),
            }));
            const meta = await broker.producer().send(records);
            meta.forEach((m, i) => {
              expect(m.offset).toBe(model[m.partition]!.length);
              const r = send[i]!;
              model[m.partition]!.push(JSON.stringify([s, r.key, r.value, r.header ?? null]));
            });
          }
          await broker.close();
          broker = await Broker.open({ dataDir: dir, fsync: 'never', onWarning: () => {} });
          const actual = readTopic(broker, 't').map((p) =>
            p.map((r) => JSON.stringify([r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null, r.headers.h?.toString() ?? null])),
          );
          await broker.close();
          expect(actual).toEqual(model);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});
