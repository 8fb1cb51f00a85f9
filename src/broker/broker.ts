/**
 * The built-in broker: topics of partitioned logs, consumer groups, and in-process clients for them.
 */
import type { Observable } from 'rxjs';
import type { Admin, Consumer, ConsumerOptions, Producer, ProducerOptions } from '../core/client.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ConsumedRecord } from '../core/record.js';
import type { BrokerCore, FsyncPolicy } from './broker-core.js';
import { BrokerState, type ResolvedBrokerSettings } from './broker-state.js';
import { EmbeddedConsumer } from './consumer.js';
import { DurableTopicStorage } from './durable-topic-storage.js';
import { EmbeddedAdmin } from './embedded-admin.js';
import { EmbeddedProducer } from './embedded-producer.js';
import { GroupCoordinator } from './group/group-coordinator.js';
import { LogMaintenance, type MaintenanceReport } from './log-maintenance.js';
import { MAX_SEGMENT_BYTES, MIN_SEGMENT_BYTES } from './topic-config.js';
import { validateTopicName } from './topic-name.js';
import { InMemoryTopicStorage, type TopicStorage } from './topic-storage.js';
import { TransactionCoordinator } from './txn/transaction-coordinator.js';

/** Options of `Broker.inMemory()`; every one optional. */
export interface InMemoryBrokerOptions {
  /** Create an unknown topic (with `defaultPartitions`) when a producer first writes to it. Default false. */
  autoCreateTopics?: boolean;
  /** Partitions of a topic created without a count (createTopics or auto-creation). Default 1. */
  defaultPartitions?: number;
  /** Default `max.message.bytes`: the largest record (key + value + headers) a topic accepts. Default 1 MiB (1048576). */
  maxMessageBytes?: number;
  /** Default `segment.bytes`: the size at which a durable partition log rolls a new segment file. Default 1 GiB (Kafka's), also the maximum. */
  segmentBytes?: number;
  /** Source of record timestamps and of timeouts; inject a `ManualClock` in tests. Default the system clock. */
  clock?: Clock;
  /** Receives recovered problems (a torn log tail truncated, an interrupted delete finished, ...). Default console.warn. */
  onWarning?: (message: string) => void;
  /** How often retention (`retention.ms`, `retention.bytes`) runs, in ms. Default 300000 (5 min, as Kafka). */
  logRetentionCheckIntervalMs?: number;
  /** How often the log cleaner looks for compaction work, in ms. Default 15000 (as Kafka's backoff). */
  logCleanerBackoffMs?: number;
}

/** Options of `Broker.open()`. */
export interface BrokerOptions extends InMemoryBrokerOptions {
  /** Folder holding the topics; locked for the broker's life (a second open fails with DataDirLockedError). */
  dataDir: string;
  /**
   * When appended records are fsynced:
   * - `'always'`: before `send()` resolves, every log it wrote to is fsynced.
   * - `'commit'` (default): at every offset commit and transaction commit (all logs written since the
   *   last sync), and at close. A crash can lose sends acknowledged since the last commit, never a commit.
   * - `'never'`: only at close (the OS writes pages back when it likes). For tests and scratch data.
   */
  fsync?: FsyncPolicy;
}

const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
const DEFAULT_SEGMENT_BYTES = MAX_SEGMENT_BYTES; // 1 GiB, Kafka's default

/**
 * A Kafka-like broker running inside this process: durable (`Broker.open`) or in memory
 * (`Broker.inMemory`). Its producers, consumers and admin implement the same interfaces as the
 * clients of a real Kafka cluster, so a streams application runs on either unchanged.
 *
 * @example
 * const broker = await Broker.open({ dataDir: './data' });
 * await broker.admin().createTopics([{ topic: 'orders', partitions: 3 }]);
 * await broker.producer().send([{ topic: 'orders', key: 'o-1', value: '{"total":12}' }]);
 * broker.watch('orders').subscribe((r) => console.log(r.partition, r.offset, r.value?.toString()));
 * await broker.close();
 */
export class Broker {
  private readonly groups: GroupCoordinator;
  private readonly txn: TransactionCoordinator;
  private readonly adminClient: EmbeddedAdmin;
  private closing: Promise<void> | undefined;
  private maintenance: LogMaintenance | undefined;

  private constructor(private readonly state: BrokerState) {
    this.groups = new GroupCoordinator(state);
    this.txn = new TransactionCoordinator(state, this.groups);
    state.transactions = this.txn;
    this.adminClient = new EmbeddedAdmin(state, this.groups);
  }

  /**
   * Opens (or creates) a durable broker in `dataDir`, reloading every topic and its records, and the
   * consumer groups' committed offsets. Throws DataDirLockedError when another broker holds the folder.
   */
  static async open(opts: BrokerOptions): Promise<Broker> {
    if (opts === null || typeof opts !== 'object' || typeof opts.dataDir !== 'string' || opts.dataDir === '') {
      throw new TypeError('Broker.open: opts.dataDir must be a non-empty string');
    }
    const settings = resolveSettings(opts, opts.fsync ?? 'commit');
    const storage = DurableTopicStorage.open(opts.dataDir, {
      defaults: { maxMessageBytes: settings.maxMessageBytes, segmentBytes: settings.segmentBytes },
      warn: settings.onWarning,
    });
    return Broker.start(settings, storage, opts);
  }

  /** A broker that keeps everything in memory: for unit tests. Same behaviour, nothing survives close. */
  static async inMemory(opts: InMemoryBrokerOptions = {}): Promise<Broker> {
    return Broker.start(resolveSettings(opts, 'never'), new InMemoryTopicStorage(), opts);
  }

  private static async start(settings: ResolvedBrokerSettings, storage: TopicStorage, opts: InMemoryBrokerOptions): Promise<Broker> {
    const state = new BrokerState(settings, storage);
    try {
      state.registry.load();
      const broker = new Broker(state);
      broker.maintenance = new LogMaintenance(state.registry, state.clock, settings.onWarning, {
        logRetentionCheckIntervalMs: opts.logRetentionCheckIntervalMs,
        logCleanerBackoffMs: opts.logCleanerBackoffMs,
      });
      broker.maintenance.start();
      broker.groups.load();
      broker.txn.load(); // after the groups: finishing a commit writes its group offsets
      return broker;
    } catch (err) {
      state.markClosed();
      await state.closeLogs().catch(() => undefined);
      throw err;
    }
  }

  /** The admin client: topics, partitions, groups. Cheap; every call returns the same one. */
  admin(): Admin {
    this.state.assertOpen('broker');
    return this.adminClient;
  }

  /**
   * A new producer: plain, idempotent (`idempotent: true`) or transactional (`transactionalId`, which
   * implies idempotent; call `initTransactions()` first).
   */
  producer(opts: ProducerOptions = {}): Producer {
    this.state.assertOpen('broker');
    return new EmbeddedProducer(this.state, opts, this.txn, this.groups);
  }

  /** A new consumer, in a group when `groupId` is given, else standalone (assign + seek). */
  consumer(opts: ConsumerOptions): Consumer {
    this.state.assertOpen('broker');
    return new EmbeddedConsumer(this.state, this.groups, opts ?? {});
  }

  /**
   * Every record appended to `topic` (all partitions) after subscription, as it is appended — including
   * records of transactions not yet committed (read_uncommitted). Cold: nothing is observed until
   * someone subscribes, and the produce path does no work for a topic nobody watches. An unknown topic
   * is an error notification (TopicNotFoundError; InvalidTopicError for a bad name); the Observable completes when the topic is deleted
   * or the broker closes.
   */
  watch(topic: string): Observable<ConsumedRecord> {
    this.state.assertOpen('broker');
    return this.state.notifier.watch(topic, () => {
      this.state.assertOpen('broker');
      validateTopicName(topic);
      this.state.registry.require(topic);
    });
  }

  /**
   * Closes the broker; idempotent (every call returns the same promise). Afterwards every call on the
   * broker and on its producers, consumers and admin fails with ClosedError.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** @internal The services this broker gives its clients; for tests and in-package code only. */
  get core(): BrokerCore {
    return this.state;
  }

  /**
   * @internal Runs retention and compaction over every partition now (the background timers do the same
   * periodically); for tests and tools.
   */
  runLogMaintenance(): Promise<MaintenanceReport> {
    this.state.assertOpen('broker');
    return this.maintenance!.runOnce();
  }

  private async shutdown(): Promise<void> {
    // Step 1: refuse new work; long polls resolve, watchers complete.
    this.state.markClosed();
    try {
      // Step 2: the group and transaction coordinators stop their timers.
      this.groups.close();
      this.txn.close();
    } finally {
      // Step 3: fsync and close every log, release the data directory lock.
      await this.maintenance?.stop();
      await this.state.closeLogs();
    }
  }
}

function resolveSettings(opts: InMemoryBrokerOptions, fsync: FsyncPolicy): ResolvedBrokerSettings {
  if (fsync !== 'always' && fsync !== 'commit' && fsync !== 'never') {
    throw new RangeError(`broker: fsync must be 'always', 'commit' or 'never', got ${String(fsync)}`);
  }
  const defaultPartitions = opts.defaultPartitions ?? 1;
  if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1) {
    throw new RangeError(`broker: defaultPartitions must be an integer >= 1, got ${defaultPartitions}`);
  }
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 0) {
    throw new RangeError(`broker: maxMessageBytes must be an integer >= 0, got ${maxMessageBytes}`);
  }
  const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
    throw new RangeError(`broker: segmentBytes must be an integer in [${MIN_SEGMENT_BYTES}, ${MAX_SEGMENT_BYTES}], got ${segmentBytes}`);
  }
  return {
    clock: opts.clock ?? systemClock,
    fsync,
    autoCreateTopics: opts.autoCreateTopics ?? false,
    defaultPartitions,
    maxMessageBytes,
    segmentBytes,
    onWarning: opts.onWarning ?? ((message) => console.warn(`tributary broker: ${message}`)),
  };
}
