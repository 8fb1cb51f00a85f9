/**
 * The admin client of the built-in broker: topics directly, groups through the group coordinator.
 */
import type { Admin, GroupDescription, OffsetResetSpec, TopicDescription, TopicSpec } from '../core/client.js';
import { InvalidPartitionsError, InvalidTopicError, OffsetOutOfRangeError, TopicExistsError } from '../core/errors.js';
import type { BrokerState } from './broker-state.js';
import { validateTopicConfig } from './topic-config.js';
import { validateTopicName } from './topic-name.js';
import type { TopicMeta } from './topic-storage.js';

/** What the admin needs of the group coordinator (kept narrow so topics and groups stay apart). */
export interface GroupAdmin {
  listGroups(): string[];
  describeGroup(groupId: string): GroupDescription;
  resetOffsets(groupId: string, topic: string, to: OffsetResetSpec): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<void>;
  /** Drops the committed offsets of a deleted topic. */
  topicDeleted(topic: string): Promise<void>;
}

/**
 * Implements `Admin` against a broker in the same process. Every multi-topic call validates every
 * entry before changing anything, so a request with one bad entry changes nothing.
 * Internal topics (`__consumer_offsets`, ...) are hidden from `listTopics` and cannot be deleted or grown.
 */
export class EmbeddedAdmin implements Admin {
  constructor(
    private readonly broker: BrokerState,
    private readonly groups: GroupAdmin,
  ) {}

  async createTopics(specs: TopicSpec[]): Promise<void> {
    this.broker.assertOpen('broker');
    if (!Array.isArray(specs)) throw new TypeError(`admin.createTopics: expected an array of topic specs, got ${typeof specs}`);
    const planned = new Map<string, TopicMeta>();
    for (const spec of specs) {
      if (spec === null || typeof spec !== 'object') throw new TypeError(`admin.createTopics: a topic spec must be an object, got ${String(spec)}`);
      validateTopicName(spec.topic);
      const name = spec.topic;
      if (this.broker.hasTopic(name)) throw new TopicExistsError(`topic "${name}" already exists`);
      if (planned.has(name)) throw new TopicExistsError(`topic "${name}" appears twice in one createTopics request`);
      const partitions = spec.partitions ?? this.broker.settings.defaultPartitions;
      if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) {
        throw new InvalidPartitionsError(`topic "${name}": partitions must be an integer >= 1, got ${String(partitions)}`);
      }
      planned.set(name, { partitions, config: validateTopicConfig(name, spec.config), internal: false });
    }
    for (const [name, meta] of planned) this.broker.registry.create(name, meta);
  }

  async deleteTopics(names: string[]): Promise<void> {
    this.broker.assertOpen('broker');
    if (!Array.isArray(names)) throw new TypeError(`admin.deleteTopics: expected an array of topic names, got ${typeof names}`);
    for (const name of names) {
      validateTopicName(name);
      if (this.broker.registry.require(name).internal) {
        throw new InvalidTopicError(`topic "${name}" is internal to the broker and cannot be deleted`);
      }
    }
    for (const name of new Set(names)) {
      this.broker.registry.delete(name);
      await this.groups.topicDeleted(name);
    }
  }

  async listTopics(): Promise<string[]> {
    this.broker.assertOpen('broker');
    return this.broker.topicNames(false);
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.broker.assertOpen('broker');
    validateTopicName(name);
    const topic = this.broker.registry.require(name);
    return {
      name,
      partitions: topic.logs.map((log, partition) => ({
        partition,
        logStartOffset: log.logStartOffset,
        highWatermark: log.logEndOffset,
        lastStableOffset: this.broker.transactions?.lastStableOffset(name, partition) ?? log.logEndOffset,
      })),
      config: { ...topic.config },
    };
  }

  async createPartitions(topic: string, totalPartitions: number): Promise<void> {
    this.broker.assertOpen('broker');
    validateTopicName(topic);
    if (this.broker.registry.require(topic).internal) {
      throw new InvalidTopicError(`topic "${topic}" is internal to the broker; its partition count is fixed`);
    }
    this.broker.registry.addPartitions(topic, totalPartitions);
  }

  async listGroups(): Promise<string[]> {
    this.broker.assertOpen('broker');
    return this.groups.listGroups();
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    this.broker.assertOpen('broker');
    return this.groups.describeGroup(groupId);
  }

  async resetOffsets(groupId: string, topic: string, to: OffsetResetSpec): Promise<void> {
    this.broker.assertOpen('broker');
    return this.groups.resetOffsets(groupId, topic, to);
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    this.broker.assertOpen('broker');
    return this.groups.deleteGroups(groupIds);
  }

  async deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<{ lowWatermark: number }> {
    this.broker.assertOpen('broker');
    validateTopicName(topic);
    if (this.broker.registry.require(topic).internal) {
      throw new InvalidTopicError(`topic "${topic}" is internal to the broker; its records cannot be deleted`);
    }
    const log = this.broker.registry.getLog(topic, partition);
    const target = beforeOffset === -1 ? log.logEndOffset : beforeOffset;
    if (!Number.isSafeInteger(target) || target < 0) {
      throw new RangeError(`admin.deleteRecords: beforeOffset must be an integer >= 0 or -1, got ${beforeOffset}`);
    }
    if (target > log.logEndOffset) {
      throw new OffsetOutOfRangeError(
        `topic "${topic}" partition ${partition}: cannot delete records before offset ${target}, above the high watermark ${log.logEndOffset}`,
      );
    }
    log.deleteRecordsBefore(target);
    return { lowWatermark: log.logStartOffset };
  }
}
