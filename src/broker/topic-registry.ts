/**
 * The topics of one broker: their metadata, effective configuration and open partition logs, and the
 * set of logs written since their last fsync. Synchronous on purpose: a create, delete or grow happens
 * between two turns of the event loop, so no producer ever sees a topic half made.
 */
import { InvalidPartitionsError, PartitionNotFoundError, TopicNotFoundError } from '../core/errors.js';
import type { AppendNotifier } from './append-notifier.js';
import type { CommitToken } from './log/journaled-sync.js';
import type { PartitionLog } from './log/partition-log.js';
import { ObservedPartitionLog } from './observed-partition-log.js';
import { effectiveTopicConfig, type TopicConfigDefaults } from './topic-config.js';
import type { CommitTokens, TopicMeta, TopicStorage } from './topic-storage.js';

/** A live topic. `logs[p]` is partition p. */
export interface TopicState {
  readonly name: string;
  readonly internal: boolean;
  /** Keys set explicitly at creation. */
  readonly overrides: Readonly<Record<string, string>>;
  /** Overrides over broker defaults: every known key. */
  readonly config: Readonly<Record<string, string>>;
  /** `max.message.bytes`, parsed once so the produce path does not. */
  readonly maxMessageBytes: number;
  /** `message.timestamp.type=LogAppendTime`: the broker stamps records with its own clock. */
  readonly logAppendTime: boolean;
  logs: ObservedPartitionLog[];
}

/** The live topics of one broker and the logs written since their last fsync. */
export class TopicRegistry {
  private readonly topics = new Map<string, TopicState>();
  private readonly dirty = new Set<ObservedPartitionLog>();
  private readonly innerLogs = new WeakMap<ObservedPartitionLog, PartitionLog>();

  constructor(
    private readonly storage: TopicStorage,
    private readonly defaults: TopicConfigDefaults,
    private readonly notifier: AppendNotifier,
  ) {}

  /** Opens the topics the storage already holds. */
  load(): void {
    for (const stored of this.storage.loadTopics()) this.register(stored.name, stored, stored.logs);
  }

  get(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  /** Throws TopicNotFoundError for an unknown topic. */
  require(name: string): TopicState {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new TopicNotFoundError(`topic "${name}" does not exist`);
    return topic;
  }

  /** Throws TopicNotFoundError / PartitionNotFoundError. */
  getLog(name: string, partition: number): PartitionLog {
    const topic = this.require(name);
    const log = Number.isInteger(partition) ? topic.logs[partition] : undefined;
    if (log === undefined) {
      throw new PartitionNotFoundError(
        `topic "${name}" has ${topic.logs.length} partition(s); partition ${partition} does not exist`,
      );
    }
    return log;
  }

  names(includeInternal: boolean): string[] {
    const out: string[] = [];
    for (const topic of this.topics.values()) if (includeInternal || !topic.internal) out.push(topic.name);
    return out.sort();
  }

  /** Creates a topic the caller has validated (name, partitions, config, not existing). */
  create(name: string, meta: TopicMeta): TopicState {
    const logs = this.storage.createTopic(name, meta);
    return this.register(name, meta, logs);
  }

  /** Grows a topic to `total` partitions (never shrinks). */
  addPartitions(name: string, total: number): void {
    const topic = this.require(name);
    const current = topic.logs.length;
    if (!Number.isInteger(total) || total <= current) {
      throw new InvalidPartitionsError(`topic "${name}" has ${current} partition(s); the new total ${total} must be an integer > ${current}`);
    }
    const meta: TopicMeta = { partitions: total, config: { ...topic.overrides }, internal: topic.internal };
    const added = this.storage.addPartitions(name, meta, current);
    topic.logs = [...topic.logs, ...added.map((log, i) => this.observe(name, current + i, log))];
  }

  /** Closes the topic's logs, completes its watchers and removes it from storage. */
  delete(name: string): void {
    const topic = this.require(name);
    this.topics.delete(name);
    for (const log of topic.logs) {
      this.dirty.delete(log);
      log.close();
    }
    this.notifier.topicDeleted(name);
    this.storage.deleteTopic(name);
  }

  /** Fsyncs every log appended to since its last sync. */
  async syncDirty(): Promise<void> {
    if (this.dirty.size === 0) return;
    const logs = [...this.dirty];
    this.dirty.clear();
    await this.syncLogs(logs);
  }

  /** The storage's commit tokens, if it has a commit journal. */
  get commitTokens(): CommitTokens | undefined {
    return this.storage.commitTokens;
  }

  /**
   * `syncDirty` that also seals `token` (see `log/journaled-sync.ts`): true once the token is durable,
   * false when the storage could not seal it (the logs were synced anyway).
   */
  syncDirtySealing(token: CommitToken): Promise<boolean> {
    const logs = [...this.dirty];
    this.dirty.clear();
    return this.syncLogs(logs, [token]);
  }

  /**
   * Makes the given logs durable: through the storage (a durable one journals them all with one
   * fdatasync) or else each log's own sync. A log whose sync fails stays dirty so the next commit retries it.
   * Resolves true when `seals` (commit tokens) were sealed too — always without any.
   */
  async syncLogs(logs: Iterable<ObservedPartitionLog>, seals: readonly CommitToken[] = []): Promise<boolean> {
    if (this.storage.syncLogs === undefined) {
      await this.syncEach(logs);
      return seals.length === 0;
    }
    const open: ObservedPartitionLog[] = [];
    for (const log of logs) {
      this.dirty.delete(log);
      if (!log.closed) open.push(log);
    }
    if (open.length === 0 && seals.length === 0) return true;
    try {
      return await this.storage.syncLogs(
        open.map((log) => this.innerLogs.get(log)!),
        seals,
      );
    } catch (err) {
      for (const log of open) if (!log.closed) this.dirty.add(log);
      throw err;
    }
  }

  /** Fsyncs each log on its own; a log whose sync fails stays dirty. */
  private async syncEach(logs: Iterable<ObservedPartitionLog>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const log of logs) {
      this.dirty.delete(log);
      pending.push(
        log.sync().catch((err: unknown) => {
          this.dirty.add(log);
          throw err;
        }),
      );
    }
    await Promise.all(pending);
  }

  /** Fsyncs (each log directly: nothing is left for the journal to replay) and closes every log, then releases the storage. */
  async close(): Promise<void> {
    const all = [...this.topics.values()].flatMap((t) => t.logs);
    try {
      await this.syncEach(all);
    } finally {
      for (const log of all) log.close();
      this.topics.clear();
      this.dirty.clear();
      await this.storage.close();
    }
  }

  private register(name: string, meta: TopicMeta, logs: PartitionLog[]): TopicState {
    const config = effectiveTopicConfig(meta.config, this.defaults);
    const topic: TopicState = {
      name,
      internal: meta.internal,
      overrides: Object.freeze({ ...meta.config }),
      config: Object.freeze(config),
      maxMessageBytes: Number(config['max.message.bytes']),
      logAppendTime: config['message.timestamp.type'] === 'LogAppendTime',
      logs: logs.map((log, p) => this.observe(name, p, log)),
    };
    this.topics.set(name, topic);
    return topic;
  }

  private observe(name: string, partition: number, log: PartitionLog): ObservedPartitionLog {
    const observed = new ObservedPartitionLog(name, partition, log, this.onAppend);
    this.innerLogs.set(observed, log);
    return observed;
  }

  /** The storage's log behind an observed one: log maintenance needs its segments, which appends need not. */
  innerLog(log: ObservedPartitionLog): PartitionLog | undefined {
    return this.innerLogs.get(log);
  }

  private readonly onAppend = (log: ObservedPartitionLog, batch: Parameters<PartitionLog['append']>[0], baseOffset: number): void => {
    this.dirty.add(log);
    this.notifier.appended(log.topic, log.partition, baseOffset, batch);
  };
}
