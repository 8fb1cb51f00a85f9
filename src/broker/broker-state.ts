/**
 * The shared state of one open broker, and its `BrokerCore` face: what the producer, the admin, the
 * consumers and the group coordinator all work on. The public `Broker` owns one; nothing outside
 * src/broker sees it.
 */
import type { Clock } from '../core/clock.js';
import { ClosedError, InvalidTopicError } from '../core/errors.js';
import { AppendNotifier } from './append-notifier.js';
import type { BrokerCore, FsyncPolicy, TransactionView } from './broker-core.js';
import type { CommitToken } from './log/journaled-sync.js';
import type { PartitionLog } from './log/partition-log.js';
import { validateTopicConfig } from './topic-config.js';
import { validateTopicName } from './topic-name.js';
import { TopicRegistry } from './topic-registry.js';
import type { CommitTokens, TopicStorage } from './topic-storage.js';

/** Broker settings after defaults and validation. */
export interface ResolvedBrokerSettings {
  clock: Clock;
  fsync: FsyncPolicy;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  maxMessageBytes: number;
  segmentBytes: number;
  onWarning: (message: string) => void;
}

/** Settings, topics and notifications of one open broker; the `BrokerCore` its clients and coordinator use. */
export class BrokerState implements BrokerCore {
  readonly clock: Clock;
  readonly fsync: FsyncPolicy;
  readonly notifier = new AppendNotifier();
  readonly registry: TopicRegistry;
  /** Set by Broker once its transaction coordinator exists. */
  transactions: TransactionView | undefined;
  readonly commitTokens: CommitTokens | undefined;
  private isClosed = false;

  constructor(
    readonly settings: ResolvedBrokerSettings,
    storage: TopicStorage,
  ) {
    this.clock = settings.clock;
    this.fsync = settings.fsync;
    this.registry = new TopicRegistry(
      storage,
      { maxMessageBytes: settings.maxMessageBytes, segmentBytes: settings.segmentBytes },
      this.notifier,
    );
    const tokens = this.registry.commitTokens;
    // Under 'never' a commit is not synced, so no token would ever be sealed: commits go without one.
    this.commitTokens = tokens === undefined || this.fsync !== 'never' ? tokens : { ...tokens, reserve: () => null };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  assertOpen(what: string): void {
    if (this.isClosed) throw new ClosedError(what);
  }

  hasTopic(topic: string): boolean {
    return this.registry.get(topic) !== undefined;
  }

  partitionCount(topic: string): number {
    return this.registry.require(topic).logs.length;
  }

  getLog(topic: string, partition: number): PartitionLog {
    return this.registry.getLog(topic, partition);
  }

  topicNames(includeInternal = false): string[] {
    return this.registry.names(includeInternal);
  }

  ensureInternalTopic(name: string, partitions: number, config: Record<string, string> = {}): void {
    this.assertOpen('broker');
    validateTopicName(name);
    if (!name.startsWith('__')) throw new InvalidTopicError(`internal topic "${name}" must start with "__"`);
    const existing = this.registry.get(name);
    if (existing !== undefined) {
      if (!existing.internal) throw new InvalidTopicError(`topic "${name}" already exists as a user topic; it cannot become internal`);
      return;
    }
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`internal topic "${name}": partitions must be an integer >= 1, got ${partitions}`);
    }
    this.registry.create(name, { partitions, config: validateTopicConfig(name, config), internal: true });
  }

  waitForAppend(timeoutMs: number): Promise<void> {
    return this.notifier.waitForAppend(timeoutMs);
  }

  /** A no-op under `fsync: 'never'`, whoever calls it: that policy syncs only at close. */
  syncDirty(): Promise<void> {
    if (this.fsync === 'never') return Promise.resolve();
    return this.registry.syncDirty();
  }

  syncDirtySealing(token: CommitToken): Promise<boolean> {
    return this.registry.syncDirtySealing(token);
  }

  warn(message: string): void {
    this.settings.onWarning(message);
  }

  /**
   * Step 1 of Broker.close: refuse new work and release everyone waiting (long polls resolve,
   * watchers complete). Step 2 (the caller) closes the group coordinator; step 3 is `closeLogs`.
   */
  markClosed(): void {
    this.isClosed = true;
    this.notifier.close();
  }

  /** Step 3 of Broker.close: fsync and close every log, release the data directory. */
  closeLogs(): Promise<void> {
    return this.registry.close();
  }
}
