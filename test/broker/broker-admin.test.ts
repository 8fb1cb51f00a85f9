import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import type { TopicSpec } from '../../src/core/client.js';
import {
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidTopicError,
  TopicExistsError,
  TopicNotFoundError,
} from '../../src/core/errors.js';
import { readPartition, snapshot, values } from './broker-test-helpers.js';

const open: Broker[] = [];
async function inMemory(opts: Parameters<typeof Broker.inMemory>[0] = {}): Promise<Broker> {
  const broker = await Broker.inMemory({ onWarning: () => {}, ...opts });
  open.push(broker);
  return broker;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

const DEFAULT_CONFIG = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'max.message.bytes': '1048576',
  'delete.retention.ms': '86400000',
  'min.compaction.lag.ms': '0',
  'message.timestamp.type': 'CreateTime',
};

describe('broker > Broker > admin topics', () => {
  it('creates, lists (sorted, without internal topics) and describes topics with their effective config', async () => {
    const broker = await inMemory({ defaultPartitions: 2 });
    const admin = broker.admin();
    await admin.createTopics([
      { topic: 'zeta', partitions: 3, config: { 'cleanup.policy': 'compact', 'retention.ms': '1000' } },
      { topic: 'alpha' },
    ]);
    broker.core.ensureInternalTopic('__internal_test', 1);
    expect(await admin.listTopics()).toEqual(['alpha', 'zeta']);
    expect(broker.core.topicNames(true)).toContain('__internal_test');
    const zeta = await admin.describeTopic('zeta');
    expect(zeta).toEqual({
      name: 'zeta',
      partitions: [0, 1, 2].map((partition) => ({ partition, logStartOffset: 0, highWatermark: 0, lastStableOffset: 0 })),
      config: { ...DEFAULT_CONFIG, 'cleanup.policy': 'compact', 'retention.ms': '1000' },
    });
    expect((await admin.describeTopic('alpha')).partitions).toHaveLength(2);
  });

  it('reports the log end offset as high watermark and last stable offset', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 2 }]);
    await broker.producer().send([1, 1, 1].map(() => ({ topic: 't', partition: 1, value: 'x' })));
    const { partitions } = await broker.admin().describeTopic('t');
    expect(partitions[1]).toEqual({ partition: 1, logStartOffset: 0, highWatermark: 3, lastStableOffset: 3 });
    expect(partitions[0]!.highWatermark).toBe(0);
  });

  it('takes broker defaults for max.message.bytes and segment.bytes', async () => {
    const broker = await inMemory({ maxMessageBytes: 500, segmentBytes: 4096 });
    await broker.admin().createTopics([{ topic: 't' }]);
    const { config } = await broker.admin().describeTopic('t');
    expect(config['max.message.bytes']).toBe('500');
    expect(config['segment.bytes']).toBe('4096');
  });

  const badRequests: [string, TopicSpec[], new (...args: never[]) => Error, RegExp][] = [
    ['a bad name', [{ topic: 'ok' }, { topic: 'a/b' }], InvalidTopicError, /a\/b/],
    ['a name of 250 characters', [{ topic: 'ok' }, { topic: 'x'.repeat(250) }], InvalidTopicError, /250 characters/],
    ['"."', [{ topic: 'ok' }, { topic: '.' }], InvalidTopicError, /"\."/],
    ['zero partitions', [{ topic: 'ok' }, { topic: 'b', partitions: 0 }], InvalidPartitionsError, /topic "b"/],
    ['fractional partitions', [{ topic: 'ok' }, { topic: 'b', partitions: 1.5 }], InvalidPartitionsError, /1.5/],
    ['an unknown config key', [{ topic: 'ok' }, { topic: 'b', config: { 'retention.mss': '1' } }], InvalidConfigError, /topic "b": unknown config "retention.mss"/],
    ['a bad cleanup.policy', [{ topic: 'ok' }, { topic: 'b', config: { 'cleanup.policy': 'shred' } }], InvalidConfigError, /cleanup.policy" = "shred"/],
    ['a non-numeric retention.ms', [{ topic: 'ok' }, { topic: 'b', config: { 'retention.ms': '1h' } }], InvalidConfigError, /retention.ms/],
    ['a retention.bytes below -1', [{ topic: 'ok' }, { topic: 'b', config: { 'retention.bytes': '-2' } }], InvalidConfigError, /retention.bytes/],
    ['a fractional max.message.bytes', [{ topic: 'ok' }, { topic: 'b', config: { 'max.message.bytes': '1.5' } }], InvalidConfigError, /max.message.bytes/],
    ['a tiny segment.bytes', [{ topic: 'ok' }, { topic: 'b', config: { 'segment.bytes': '10' } }], InvalidConfigError, /segment.bytes/],
    ['a segment.bytes over 1 GiB', [{ topic: 'ok' }, { topic: 'b', config: { 'segment.bytes': '1073741825' } }], InvalidConfigError, /in \[57, 1073741824\]/],
    ['a bad message.timestamp.type', [{ topic: 'ok' }, { topic: 'b', config: { 'message.timestamp.type': 'Now' } }], InvalidConfigError, /message.timestamp.type/],
    ['a non-string config value', [{ topic: 'ok' }, { topic: 'b', config: { 'retention.ms': 5 as unknown as string } }], InvalidConfigError, /must be a string/],
    ['an existing topic', [{ topic: 'ok' }, { topic: 'existing' }], TopicExistsError, /"existing" already exists/],
    ['the same topic twice', [{ topic: 'ok' }, { topic: 'ok' }], TopicExistsError, /twice/],
  ];

  it.each(badRequests)('rejects a createTopics request with %s and creates none of it', async (_label, specs, errorClass, message) => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 'existing' }]);
    const before = await snapshot(broker);
    const error = await broker.admin().createTopics(specs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toMatch(message);
    expect(await snapshot(broker)).toEqual(before);
  });

  it('accepts every known config key with a valid value', async () => {
    const broker = await inMemory();
    const config = {
      'cleanup.policy': 'compact,delete',
      'retention.ms': '-1',
      'retention.bytes': '1000000',
      'segment.bytes': '1048576',
      'max.message.bytes': '2048',
      'delete.retention.ms': '0',
      'min.compaction.lag.ms': '5',
      'message.timestamp.type': 'LogAppendTime',
    };
    await broker.admin().createTopics([{ topic: 't', config }]);
    expect((await broker.admin().describeTopic('t')).config).toEqual(config);
  });

  it('describeTopic of an unknown topic is TopicNotFoundError, of a bad name InvalidTopicError', async () => {
    const broker = await inMemory();
    await expect(broker.admin().describeTopic('nope')).rejects.toThrow(TopicNotFoundError);
    await expect(broker.admin().describeTopic('no pe')).rejects.toThrow(InvalidTopicError);
  });

  it('deletes topics; a recreated topic starts empty', async () => {
    const broker = await inMemory();
    const admin = broker.admin();
    await admin.createTopics([{ topic: 't', partitions: 2 }, { topic: 'u' }]);
    await broker.producer().send([{ topic: 't', partition: 1, value: 'old' }]);
    await admin.deleteTopics(['t']);
    expect(await admin.listTopics()).toEqual(['u']);
    await expect(broker.producer().send([{ topic: 't', value: 'x' }])).rejects.toThrow(TopicNotFoundError);
    await admin.createTopics([{ topic: 't', partitions: 2 }]);
    expect((await admin.describeTopic('t')).partitions.map((p) => p.highWatermark)).toEqual([0, 0]);
    expect(readPartition(broker, 't', 1)).toEqual([]);
    await broker.producer().send([{ topic: 't', partition: 1, value: 'new' }]);
    expect(values(readPartition(broker, 't', 1))).toEqual(['new']);
  });

  it('deletes nothing when one name of the request is unknown or internal', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 'a' }, { topic: 'b' }]);
    broker.core.ensureInternalTopic('__internal_test', 1);
    const before = await snapshot(broker);
    await expect(broker.admin().deleteTopics(['a', 'missing'])).rejects.toThrow(TopicNotFoundError);
    await expect(broker.admin().deleteTopics(['a', '__internal_test'])).rejects.toThrow(InvalidTopicError);
    expect(await snapshot(broker)).toEqual(before);
    expect(broker.core.hasTopic('__internal_test')).toBe(true);
  });

  it('grows a topic with createPartitions; new partitions take keyed records', async () => {
    const broker = await inMemory();
    const admin = broker.admin();
    await admin.createTopics([{ topic: 't', partitions: 1 }]);
    await broker.producer().send([{ topic: 't', value: 'a' }]);
    await admin.createPartitions('t', 4);
    const described = await admin.describeTopic('t');
    expect(described.partitions.map((p) => [p.partition, p.highWatermark])).toEqual([[0, 1], [1, 0], [2, 0], [3, 0]]);
    const meta = await broker.producer().send([{ topic: 't', partition: 3, value: 'd' }]);
    expect(meta).toEqual([{ topic: 't', partition: 3, offset: 0 }]);
  });

  it('refuses to shrink, keep or fractionally grow a topic, and to grow an unknown one', async () => {
    const broker = await inMemory();
    await broker.admin().createTopics([{ topic: 't', partitions: 3 }]);
    const before = await snapshot(broker);
    await expect(broker.admin().createPartitions('t', 2)).rejects.toThrow(InvalidPartitionsError);
    await expect(broker.admin().createPartitions('t', 3)).rejects.toThrow(/has 3 partition\(s\)/);
    await expect(broker.admin().createPartitions('t', 3.5)).rejects.toThrow(InvalidPartitionsError);
    await expect(broker.admin().createPartitions('nope', 5)).rejects.toThrow(TopicNotFoundError);
    expect(await snapshot(broker)).toEqual(before);
  });

  it('ensureInternalTopic is idempotent and refuses names without "__"', async () => {
    const broker = await inMemory();
    broker.core.ensureInternalTopic('__x', 2);
    broker.core.ensureInternalTopic('__x', 2);
    expect(broker.core.partitionCount('__x')).toBe(2);
    expect(() => broker.core.ensureInternalTopic('plain', 1)).toThrow(InvalidTopicError);
  });
});
