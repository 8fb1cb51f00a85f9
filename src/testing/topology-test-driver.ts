import { TopologyError } from '../core/errors.js';
import { ManualClock } from '../core/clock.js';
import type { ConsumedRecord, Headers } from '../core/record.js';
import type { RecordCollector } from '../processor/record-collector.js';
import { TaskExecutor } from '../processor/task-executor.js';
import type { Topology } from '../processor/topology.js';
import type { Serde } from '../serdes/serde.js';
import type { ReadOnlyKeyValueStore } from '../../state/read-only-key-value-store.js';
import { ReadOnlyViews } from '../../state/read-only-views.js';
import type { ReadOnlySessionStore } from '../../state/read-only-session-store.js';
import type { ReadOnlyWindowStore } from '../../state/read-only-window-store.js';
import type { ValueAndTimestamp } from '../processor/value-and-timestamp.js';
import { driverStoreFactory, isTimestampedStore, plainValues, plainWindowValues } from './driver-stores.js';
import type { StateStore } from '../../state/state-store.js';
import { TestInputTopic, type TestInputTopicOptions } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import { readDriverConfig } from './driver-config.js';
import { globalStoreViews } from '../runtime/global-store-views.js';

/**
 * A record a sink wrote, kept until a `TestOutputTopic` reads it.
 * @example
 * driver.captured('out')[0]?.value; // the serialized value
 */
export interface CapturedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Runs a topology synchronously with no broker (Kafka Streams' `TopologyTestDriver`), on the same
 * engine (`TaskExecutor`) as the runtime: one task per sub-topology, partition 0.
 *
 * Each piped record is processed completely before `pipeInput` returns: through the graph, then
 * stream-time punctuation, then the task's stores are flushed (as a commit would: caches write
 * through and forward what they held), then every record written to a topic the topology itself
 * reads (a repartition topic) is fed back the same way, in order, until nothing is left — so every
 * update is visible ("flush per record", like Kafka's driver). Wall-clock punctuators fire only on
 * `advanceWallClockTime`.
 *
 * Stores: the driver is synchronous, so stores must open synchronously. A persistent (LevelDB)
 * supplier is served by the in-memory inner store of the same kind (same key byte order, same
 * layers and serdes); see `driverStoreFactory`. Changelog records go to
 * `<applicationId>-<store>-changelog`, readable with `createOutputTopic` like any output.
 *
 * Global tables: piping into a global table's topic updates its store at once (a topology writing
 * to that topic updates it too); joins see the update from the next record on, and
 * `getKeyValueStore(name)` reads the global store like any other.
 *
 * Config (all optional): `applicationId` (default `dummy-topology-test-driver-app-id`),
 * `defaultKeySerde`, `defaultValueSerde`, `deserializationExceptionHandler` (`'logAndFail'`,
 * `'logAndContinue'` or a handler), `deadLetterQueueTopic`, `logger`. Kafka's dotted names
 * (`application.id`, `errors.dead.letter.queue.topic.name`) are accepted too.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build(), {}, 0);
 * const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
 * const output = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
 * input.pipeInput('k', 'hello', 5);
 * expect(output.readKeyValuesToList()).toEqual([{ key: 'k', value: 'HELLO' }]);
 * driver.close();
 */
export class TopologyTestDriver {
  readonly #clock: ManualClock;
  readonly #tasks: TaskExecutor[] = [];
  readonly #taskByTopic = new Map<string, TaskExecutor>();
  readonly #outputs = new Map<string, CapturedRecord[]>();
  readonly #offsets = new Map<string, number>();
  readonly #feedback: ConsumedRecord[] = [];
  readonly #applicationId: string;
  #closed = false;

  constructor(topology: Topology, config: Record<string, unknown> = {}, initialWallClockMs: number = Date.now()) {
    const cfg = readDriverConfig(config);
    this.#applicationId = cfg.applicationId;
    this.#clock = new ManualClock(initialWallClockMs);
    const collector: RecordCollector = { send: (topic, key, value, timestamp, headers) => this.#capture(topic, key, value, timestamp, headers) };
    const options = {
      partition: 0,
      applicationId: cfg.applicationId,
      collector,
      clock: this.#clock,
      deserializationExceptionHandler: cfg.handler,
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
      storeFactory: driverStoreFactory,
    };
    // Global stores first: one updater per global table, each fed by piping into its topic; the
    // stream tasks then read the updated stores (read-only) at once, as Kafka's driver does.
    const subs = topology.subtopologies();
    const globals = subs.filter((s) => s.global).map((sub) => new TaskExecutor(topology, { ...options, subtopologyId: sub.id, taskId: `global-${sub.id}` }));
    for (const task of globals) task.init();
    const globalStores = globalStoreViews(globals.flatMap((t) => t.storeNames.map((n) => t.store(n)!)));
    const tasks = subs.filter((s) => !s.global).map((sub) => new TaskExecutor(topology, { ...options, subtopologyId: sub.id, globalStores }));
    for (const task of [...globals, ...tasks]) {
      this.#tasks.push(task);
      for (const topic of task.sourceTopics) this.#taskByTopic.set(topic, task);
    }
    for (const task of tasks) task.init();
  }

  /** The application id the driver runs as (prefix of repartition topics). */
  get applicationId(): string {
    return this.#applicationId;
  }

  /** A handle to pipe records into `topic` with these serdes. */
  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>, options?: TestInputTopicOptions): TestInputTopic<K, V> {
    this.#checkOpen();
    if (!this.#taskByTopic.has(topic)) throw new TopologyError(`Unknown topic: ${topic} (no source of this topology reads it)`);
    return new TestInputTopic(this, topic, keySerde, valueSerde, options ?? {}, this.#clock.now());
  }

  /** A handle to read what the topology wrote to `topic`, with these serdes. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    this.#checkOpen();
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /** Moves the mock wall clock forward and fires the wall-clock punctuators that became due. */
  advanceWallClockTime(ms: number): void {
    this.#checkOpen();
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advanceWallClockTime: ms must be >= 0, got ${ms}`);
    this.#clock.advance(ms);
    for (const task of this.#tasks) {
      task.punctuateWallClock();
      this.#flush(task);
      this.#drainFeedback();
    }
  }

  /**
   * A read-only view of the key-value store `name` (reads see every update at once: the driver
   * flushes per record). Throws a `TopologyError` if the topology has no such store or it is not
   * a key-value store.
   */
  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const store = this.#store(name, ['get', 'range', 'all'], 'key-value');
    const view = ReadOnlyViews.keyValue(store as unknown as ReadOnlyKeyValueStore<K, V>);
    if (!isTimestampedStore(store)) return view;
    return plainValues(view as unknown as ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>);
  }

  /**
   * A read-only view of the DSL key-value store `name` with each value's timestamp (Kafka's
   * `getTimestampedKeyValueStore`). Throws a `TopologyError` if the store keeps no timestamps.
   */
  getTimestampedKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> {
    const store = this.#store(name, ['get', 'range', 'all'], 'key-value');
    if (!isTimestampedStore(store)) throw new TopologyError(`store ${name} is not a timestamped key-value store`);
    return ReadOnlyViews.keyValue(store as unknown as ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>);
  }

  /** A read-only view of the session store `name`; same rules as {@link getKeyValueStore}. */
  getSessionStore<K, AGG>(name: string): ReadOnlySessionStore<K, AGG> {
    const store = this.#store(name, ['findSessions', 'fetchSession'], 'session');
    return ReadOnlyViews.session(store as unknown as ReadOnlySessionStore<K, AGG>);
  }

  /**
   * The store `name` itself (any kind, e.g. a custom Processor-API store), as Kafka's
   * `getStateStore`: writes through it bypass the topology, so use it for setup only.
   */
  getStateStore<S extends StateStore = StateStore>(name: string): S {
    return this.#store(name, [], 'state') as S;
  }

  /**
   * A read-only view of the window store `name`; same rules as {@link getKeyValueStore}: a DSL
   * (timestamped) window store hands out plain values, as in Kafka.
   */
  getWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    const store = this.#store(name, ['fetch', 'fetchAll', 'all'], 'window');
    const view = ReadOnlyViews.window(store as unknown as ReadOnlyWindowStore<K, V>);
    if (!isTimestampedStore(store)) return view;
    return plainWindowValues(view as unknown as ReadOnlyWindowStore<K, ValueAndTimestamp<V>>);
  }

  /**
   * A read-only view of the DSL window store `name` with each value's timestamp (Kafka's
   * `getTimestampedWindowStore`). Throws a `TopologyError` if the store keeps no timestamps.
   */
  getTimestampedWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, ValueAndTimestamp<V>> {
    const store = this.#store(name, ['fetch', 'fetchAll', 'all'], 'window');
    if (!isTimestampedStore(store)) throw new TopologyError(`store ${name} is not a timestamped window store`);
    return ReadOnlyViews.window(store as unknown as ReadOnlyWindowStore<K, ValueAndTimestamp<V>>);
  }

  /**
   * Counters summed over the driver's tasks: `process-total` (records processed),
   * `skipped-records-total` (deserialization failures skipped), `dropped-records-total` (records
   * operators dropped on purpose, e.g. null keys in aggregations), `punctuate-total`.
   */
  metrics(): Record<string, number> {
    const total = { 'process-total': 0, 'skipped-records-total': 0, 'dropped-records-total': 0, 'punctuate-total': 0 };
    for (const task of this.#tasks) {
      const m = task.metrics;
      total['process-total'] += m.processed;
      total['skipped-records-total'] += m.skipped;
      total['dropped-records-total'] += m.dropped;
      total['punctuate-total'] += m.punctuations;
    }
    return total;
  }

  /** Topics the topology has written to so far. */
  producedTopicNames(): string[] {
    return [...this.#outputs.keys()];
  }

  /** Closes every task (processors' `close`, then stores). Further calls throw. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const task of this.#tasks) void task.close();
  }

  /** @internal Called by `TestInputTopic`. */
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.#checkOpen();
    const task = this.#taskByTopic.get(topic);
    if (task === undefined) throw new TopologyError(`Unknown topic: ${topic} (no source of this topology reads it)`);
    task.process(this.#consumed(topic, key, value, timestamp, headers));
    task.punctuateStreamTime();
    this.#flush(task);
    this.#drainFeedback();
  }

  /** @internal Called by `TestOutputTopic`: the captured records of a topic (mutable queue; empty if none). */
  captured(topic: string): CapturedRecord[] {
    return this.#outputs.get(topic) ?? [];
  }


  #capture(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    let queue = this.#outputs.get(topic);
    if (queue === undefined) {
      queue = [];
      this.#outputs.set(topic, queue);
    }
    queue.push({ key, value, timestamp, headers });
    if (this.#taskByTopic.has(topic)) this.#feedback.push(this.#consumed(topic, key, value, timestamp, headers));
  }

  #drainFeedback(): void {
    while (this.#feedback.length > 0) {
      const record = this.#feedback.shift()!;
      const task = this.#taskByTopic.get(record.topic)!;
      task.process(record);
      task.punctuateStreamTime();
      this.#flush(task);
    }
  }

  /** Flushes a task's stores now (caches forward and log what they held): the driver's per-record commit. */
  #flush(task: TaskExecutor): void {
    const pending = task.flushStores();
    if (pending instanceof Promise) {
      pending.catch(() => undefined);
      throw new TopologyError(`a store of task ${task.taskId} flushed asynchronously; the TopologyTestDriver needs synchronous stores`);
    }
  }

  #consumed(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): ConsumedRecord {
    const offset = this.#offsets.get(topic) ?? 0;
    this.#offsets.set(topic, offset + 1);
    return { topic, partition: 0, offset, timestamp, key, value, headers };
  }

  #store(name: string, methods: readonly string[], kind: string): StateStore {
    this.#checkOpen();
    for (const task of this.#tasks) {
      const store = task.store(name);
      if (store === undefined) continue;
      if (methods.some((m) => typeof (store as unknown as Record<string, unknown>)[m] !== 'function')) {
        throw new TopologyError(`store ${name} is not a ${kind} store`);
      }
      return store;
    }
    throw new TopologyError(`no store named ${name} in this topology`);
  }


  #checkOpen(): void {
    if (this.#closed) throw new TopologyError('the TopologyTestDriver is closed');
  }
}

