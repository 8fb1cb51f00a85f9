import { describe, expect, it } from 'vitest';
import type { Admin, Producer } from '../../src/core/client.js';
import type { ProducedRecord } from '../../src/core/record.js';
import { RuntimeRecordCollector } from '../../src/runtime/runtime-record-collector.js';

/** A producer that records each send and can be told to fail. */
function fakeProducer(fail?: Error) {
  const sends: ProducedRecord[][] = [];
  const producer = {
    send: async (records: ProducedRecord[]) => {
      sends.push(records.map((r) => ({ ...r })));
      if (fail) throw fail;
      return records.map((r, i) => ({ topic: r.topic, partition: r.partition ?? 0, offset: i }));
    },
  } as unknown as Producer;
  return { producer, sends };
}

const admin = (partitions: Record<string, number>) =>
  ({
    describeTopic: async (name: string) => {
      if (partitions[name] === undefined) throw new Error(`no topic ${name}`);
      return { name, partitions: Array.from({ length: partitions[name] }, (_, p) => ({ partition: p })), config: {} };
    },
  }) as unknown as Admin;

const b = (s: string) => Buffer.from(s);

describe('runtime > RuntimeRecordCollector', () => {
  it('sends everything buffered since the last flush as one producer.send', async () => {
    const { producer, sends } = fakeProducer();
    const collector = new RuntimeRecordCollector(producer, admin({}));
    collector.send('out', b('k1'), b('v1'), 1, {});
    collector.send('other', null, b('v2'), 2, {});
    expect(sends).toHaveLength(0);
    await collector.flush();
    collector.send('out', b('k3'), b('v3'), 3, {});
    await collector.awaitSends();
    expect(sends.map((s) => s.map((r) => r.value!.toString()))).toEqual([['v1', 'v2'], ['v3']]);
    expect(collector.sent).toBe(3);
    await collector.flush(); // nothing buffered: no empty send
    expect(sends).toHaveLength(2);
  });

  it('sends a sendToPartition record to its partition, in order with the others, without asking for partition counts', async () => {
    const { producer, sends } = fakeProducer();
    const collector = new RuntimeRecordCollector(producer, admin({})); // describeTopic would throw for any topic
    collector.send('out', b('k1'), b('v1'), 1, {});
    collector.sendToPartition('app-s-changelog', 3, b('k2'), b('v2'), 2, {});
    collector.sendToPartition('app-s-changelog', 0, b('k3'), null, 3, {});
    await collector.awaitSends();
    expect(sends[0]!.map((r) => [r.topic, r.partition, r.key!.toString(), r.value?.toString() ?? null, r.timestamp])).toEqual([
      ['out', undefined, 'k1', 'v1', 1],
      ['app-s-changelog', 3, 'k2', 'v2', 2],
      ['app-s-changelog', 0, 'k3', null, 3],
    ]);
  });

  it('rethrows a failed send at the next flush or awaitSends', async () => {
    const { producer } = fakeProducer(new Error('broker down'));
    const collector = new RuntimeRecordCollector(producer, admin({}));
    collector.send('out', null, b('v'), 1, {});
    await collector.flush();
    await expect(collector.awaitSends()).rejects.toThrow('broker down');
  });

  it("gives a sink partitioner the topic's partition count and rejects an out-of-range choice", async () => {
    const { producer, sends } = fakeProducer();
    const collector = new RuntimeRecordCollector(producer, admin({ out: 6 }));
    const seen: number[] = [];
    collector.send('out', b('k'), b('v'), 1, {}, (_t, _k, v, n) => (seen.push(n), Number(v) % n), 'k', 10);
    collector.send('missing', b('k'), b('v'), 1, {}, () => 0, 'k', 1); // unknown topic: default partitioning
    await collector.awaitSends();
    expect(seen).toEqual([6]);
    expect(sends[0]!.map((r) => r.partition)).toEqual([4, undefined]);

    collector.send('out', b('k'), b('v'), 1, {}, () => 6, 'k', 'v');
    await expect(collector.flush()).rejects.toThrow(/returned partition 6; the topic has 6 partitions/);
  });
});
