import { join } from 'node:path';
import type { StateStore } from '../../state/state-store.js';
import { TaskStateDb } from '../../state/task-state-db.js';
import type { ClientFactory } from '../client/client-factory.js';
import type { Admin, Consumer, Producer } from '../core/client.js';
import { TopologyError } from '../core/errors.js';
import type { ProducedRecord, TopicPartition } from '../core/record.js';
import type { RecordCollector } from '../processor/record-collector.js';
import { TaskExecutor } from '../processor/task-executor.js';
import type { Topology } from '../processor/topology.js';
import { checkpointKey } from './changelog-offsets.js';
import { globalStoreViews } from './global-store-views.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { TopologyMetadata } from './topology-metadata.js';

/** How long a poll of the background loop waits for new global records. */
const GLOBAL_POLL_MS = 50;

/** The global state directory under `<stateDir>/<applicationId>/` (Kafka's `global`). */
export const GLOBAL_STATE_DIR = 'global';

/** The task id the global updaters run as (named in errors). */
const GLOBAL_TASK_ID = 'global';

/**
 * The global stores of one application instance and the thread that keeps them (Kafka Streams'
 * `GlobalStreamThread` + `GlobalStateManager`): every instance reads *every* partition of each
 * global table's topic — a plain consumer with `assign()`, no group, no committed offsets — into its
 * own copy of the stores. The topic is the stores' changelog; the stores have none of their own.
 *
 * `start()` (step 0 of `KafkaStreams.start()`, before any stream task exists):
 * 1. every global topic must exist (else a `TopologyError` naming the missing ones);
 * 2. open the global state directory `<stateDir>/<applicationId>/global/` (one LevelDB for every
 *    persistent global store, with its checkpoint) and one updater per global table — the
 *    `TaskExecutor` of its source → `KTABLE-SOURCE-` sub-topology — initialized on it;
 * 3. assign every partition of the global topics; seek each to its checkpoint when the table's store
 *    is persistent (it holds what the checkpoint describes), else to the beginning;
 * 4. bootstrap: read to the end offsets taken now (the last stable offsets under `exactly_once_v2`),
 *    each record through the updater (deserialization errors go to the configured handler), the
 *    stores marked restoring meanwhile; then write the stores and the checkpoint (step 6);
 * 5. `run()` then polls in the background and applies new records as they come;
 * 6. every `commitIntervalMs`, and at `close()`: flush the stores and write their staged changes
 *    together with the checkpoint (each partition's next offset) in one atomic LevelDB batch.
 *
 * Stream tasks read the stores through {@link storeViews} (read-only); interactive queries through
 * {@link store}. A failure of the background loop goes to `onFatal`.
 * @example
 * const global = new GlobalStreamThread(topology, meta, config, broker, admin, (e) => app.fail(e));
 * await global.start(); // bootstrapped
 * global.run();
 * await global.close();
 */
export class GlobalStreamThread {
  readonly #topology: Topology;
  readonly #meta: TopologyMetadata;
  readonly #config: ResolvedStreamsConfig;
  readonly #clients: ClientFactory;
  readonly #admin: Admin;
  readonly #onFatal: (error: Error) => void;
  readonly #updaters = new Map<string, TaskExecutor>();
  readonly #pendingDeadLetters: ProducedRecord[] = [];
  #db: TaskStateDb | undefined;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #views: ReadonlyMap<string, StateStore> = new Map();
  #restoring = false;
  #running = false;
  /** Set when applying a record failed: the stores then stop at the last checkpoint (close writes none). */
  #failed = false;
  #loop: Promise<void> = Promise.resolve();
  #nextCommitAt = 0;
  /** Global records applied so far (bootstrap included). */
  processed = 0;
  /** Records the bootstrap read. */
  restored = 0;

  constructor(
    topology: Topology,
    meta: TopologyMetadata,
    config: ResolvedStreamsConfig,
    clients: ClientFactory,
    admin: Admin,
    onFatal: (error: Error) => void,
  ) {
    this.#topology = topology;
    this.#meta = meta;
    this.#config = config;
    this.#clients = clients;
    this.#admin = admin;
    this.#onFatal = onFatal;
  }

  /** Read-only views of the global stores, by name, for the stream tasks' processors. */
  get storeViews(): ReadonlyMap<string, StateStore> {
    return this.#views;
  }

  /** The global store `name` itself (for interactive queries, which expose only its reads), if it is open. */
  store(name: string): StateStore | undefined {
    for (const updater of this.#updaters.values()) {
      const s = updater.store(name);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  /** True while `store` is a global store being bootstrapped. */
  isRestoring(store: string): boolean {
    return this.#restoring && this.store(store) !== undefined;
  }

  /** Steps 1 to 4; resolves once every global store reflects its topic up to the end offsets read at the start. */
  async start(): Promise<void> {
    const specs = this.#meta.globalStores;
    if (specs.length === 0) return;
    const config = this.#config;
    // Step 1
    const existing = new Set(await this.#admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic)).map((s) => `"${s.topic}" (global store "${s.store}")`);
    if (missing.length > 0) throw new TopologyError(`global table topic(s) ${missing.join(', ')} do not exist; create them before start()`);
    // Step 2
    this.#db = await TaskStateDb.open({
      dir: join(config.stateDir, config.applicationId, GLOBAL_STATE_DIR),
      owner: `the global stores of ${config.applicationId}`,
      onWarning: (m) => config.logger.warn(m),
    });
    const collector: RecordCollector = {
      send: (topic, key, value, timestamp, headers) => this.#pendingDeadLetters.push({ topic, key, value, timestamp, headers: { ...headers } }),
    };
    for (const spec of specs) {
      const updater = new TaskExecutor(this.#topology, {
        subtopologyId: spec.id,
        partition: -1,
        taskId: GLOBAL_TASK_ID,
        applicationId: config.applicationId,
        collector,
        clock: config.clock,
        deserializationExceptionHandler: config.deserializationExceptionHandler,
        defaultKeySerde: config.defaultKeySerde,
        defaultValueSerde: config.defaultValueSerde,
        stateDir: config.stateDir,
        stateDb: this.#db,
      });
      this.#updaters.set(spec.topic, updater);
      await updater.initAsync();
    }
    this.#views = globalStoreViews(specs.map((s) => this.#updaters.get(s.topic)!.store(s.store)!));
    // Step 3
    const consumer = this.#clients.consumer({
      clientId: `${config.applicationId}-global-consumer`,
      autoCommit: false,
      autoOffsetReset: 'earliest',
      maxPollRecords: config.maxPollRecords,
      isolationLevel: config.transactionalId === undefined ? 'read_uncommitted' : 'read_committed',
    });
    this.#consumer = consumer;
    const checkpoint = this.#db.restoreRequired ? new Map<string, number>() : this.#db.readCheckpoint();
    const ends = new Map<string, number>();
    const parts: TopicPartition[] = [];
    for (const spec of specs) {
      const description = await this.#admin.describeTopic(spec.topic);
      for (const p of description.partitions) {
        parts.push({ topic: spec.topic, partition: p.partition });
        ends.set(checkpointKey(spec.topic, p.partition), config.transactionalId === undefined ? p.highWatermark : p.lastStableOffset);
      }
    }
    consumer.assign(parts);
    for (const tp of parts) {
      const persistent = this.#updaters.get(tp.topic)!.storeNames.every((n) => this.store(n)?.persistent() === true);
      const from = persistent ? checkpoint.get(checkpointKey(tp.topic, tp.partition)) : undefined;
      if (from === undefined) consumer.seekToBeginning([tp]);
      else consumer.seek(tp.topic, tp.partition, from);
    }
    // Step 4
    this.#restoring = true;
    try {
      const behind = () => parts.some((tp) => consumer.position(tp.topic, tp.partition) < ends.get(checkpointKey(tp.topic, tp.partition))!);
      while (behind()) {
        const n = await this.#pollOnce(GLOBAL_POLL_MS);
        this.restored += n;
      }
      await this.#commit();
    } finally {
      this.#restoring = false;
    }
    this.#nextCommitAt = config.clock.now() + config.commitIntervalMs;
  }

  /** Step 5: the background loop (until `close()`, or a fatal error reported to `onFatal`). */
  run(): void {
    if (this.#consumer === undefined || this.#running) return;
    this.#running = true;
    this.#loop = this.#runLoop();
  }

  /**
   * Stops the loop, writes the stores and the checkpoint (step 6) unless applying a record failed,
   * closes the stores, their directory and the clients.
   */
  async close(): Promise<void> {
    this.#running = false;
    await this.#loop;
    try {
      if (!this.#failed && this.#db?.isOpen() === true && this.#consumer !== undefined) await this.#commit();
    } finally {
      for (const updater of this.#updaters.values()) await updater.close();
      this.#updaters.clear();
      this.#views = new Map();
      await this.#db?.close();
      await this.#consumer?.close().catch((e: unknown) => this.#config.logger.warn('closing the global consumer failed', e));
      await this.#producer?.close().catch((e: unknown) => this.#config.logger.warn('closing the global producer failed', e));
      this.#consumer = undefined;
      this.#producer = undefined;
    }
  }

  async #runLoop(): Promise<void> {
    try {
      while (this.#running) {
        await this.#pollOnce(GLOBAL_POLL_MS);
        // Step 6
        if (this.#running && this.#config.clock.now() >= this.#nextCommitAt) await this.#commit();
        // Let timers and I/O run between polls even when records keep coming.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      this.#running = false;
      this.#onFatal(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** One poll: each record through its table's updater, in offset order per partition; returns how many. */
  async #pollOnce(timeoutMs: number): Promise<number> {
    const records = await this.#consumer!.poll({ maxRecords: this.#config.maxPollRecords, timeoutMs });
    try {
      for (const record of records) {
        const updater = this.#updaters.get(record.topic);
        if (updater === undefined) continue;
        if (updater.process(record)) this.processed++;
      }
    } catch (e) {
      // The consumer's positions are past records never applied: they must not be checkpointed.
      this.#failed = true;
      throw e;
    }
    await this.#sendDeadLetters();
    return records.length;
  }

  /** Step 6: flush the stores, then their staged writes with every partition's next offset, atomically. */
  async #commit(): Promise<void> {
    this.#nextCommitAt = this.#config.clock.now() + this.#config.commitIntervalMs;
    for (const updater of this.#updaters.values()) await updater.flushStores();
    const consumer = this.#consumer!;
    const offsets = new Map<string, number>();
    for (const tp of consumer.assignment()) offsets.set(checkpointKey(tp.topic, tp.partition), consumer.position(tp.topic, tp.partition));
    await this.#db!.commit(offsets);
  }

  /** Dead-letter records of the deserialization handler (the updaters write nothing else). */
  async #sendDeadLetters(): Promise<void> {
    if (this.#pendingDeadLetters.length === 0) return;
    const batch = this.#pendingDeadLetters.splice(0);
    this.#producer ??= this.#clients.producer({ clientId: `${this.#config.applicationId}-global-producer` });
    await this.#producer.send(batch);
  }
}
