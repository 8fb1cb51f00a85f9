import type { StateStore } from '../../state/state-store.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import type { ThreadCache } from '../../state/thread-cache.js';
import { StreamsProcessingError, TopologyError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ConsumedRecord } from '../core/record.js';
import type { Serde } from '../serdes/serde.js';
import {
  DeserializationExceptionHandlers,
  type DeserializationExceptionHandler,
} from './deserialization-exception-handler.js';
import { buildTaskGraph, type TaskGraph } from './internal/build-task-graph.js';
import { handleDeserializationFailure } from './internal/deserialization-failure.js';
import { PunctuationQueue, type PunctuationSchedule } from './internal/punctuation-queue.js';
import { RecordBuffer } from './internal/record-buffer.js';
import { closeStores, flushStores, initStores } from './internal/task-stores.js';
import { TaskStoreContext } from './internal/task-store-context.js';
import type { SourceNode } from './internal/runtime-nodes.js';
import type { TaskState } from './internal/task-state.js';
import type { Cancellable, PunctuationType, Punctuator } from './processor-context.js';
import { Record } from './record.js';
import type { ObjectCollector, RecordCollector } from './record-collector.js';
import type { Topology } from './topology.js';

/**
 * How to run one sub-topology for one partition.
 * @example
 * new TaskExecutor(topology, { subtopologyId: 1, partition: 3, applicationId: 'app', collector });
 */
export interface TaskExecutorOptions {
  readonly subtopologyId: number;
  readonly partition: number;
  readonly applicationId: string;
  /** Receives serialized sink output. */
  readonly collector: RecordCollector;
  /** If set, sinks hand records to it as objects and skip serdes (benchmarks, in-process use). */
  readonly objectCollector?: ObjectCollector;
  /** Wall clock for wall-clock punctuators and `currentSystemTimeMs()`. */
  readonly clock?: Clock;
  readonly deserializationExceptionHandler?: DeserializationExceptionHandler;
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  readonly stateDir?: string;
  /** The task's open LevelDB, for persistent stores (the runtime opens it). */
  readonly stateDb?: TaskStateDb;
  /** The instance's record cache, shared by the caching layers of every task's stores. */
  readonly cache?: ThreadCache;
  /**
   * Makes the task's instance of a store (default: `builder.build()`). The test driver uses it to
   * serve persistent stores from memory.
   */
  readonly storeFactory?: (builder: StoreBuilder) => StateStore;
  /** The instance's global stores (read-only views), which every processor may read by name. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** Overrides the task id `<subtopologyId>_<partition>` (the global store updater runs as `global`). */
  readonly taskId?: string;
}

/**
 * Counters of one task.
 * @example
 * const { processed, skipped } = task.metrics;
 */
export interface TaskExecutorMetrics {
  processed: number;
  skipped: number;
  punctuations: number;
  /** Records the DSL dropped on purpose (null keys or values in aggregations, …): Kafka's `dropped-records`. */
  dropped: number;
}

/**
 * Runs one sub-topology for one partition — the engine shared by `TopologyTestDriver` and the
 * runtime's tasks. A record goes in deserialized by its source, flows `forward` → children as plain
 * synchronous calls, and comes out of sinks into the {@link RecordCollector}.
 *
 * Steps of `process(record)` (and of `processNext()` for records buffered with `addRecords`, which
 * picks the buffered head with the smallest timestamp first):
 * 1. find the source node of the record's topic;
 * 2. extract the timestamp (the source's extractor, else the record's own);
 * 3. deserialize key and value (a failure goes to the deserialization exception handler);
 * 4. advance stream time (the max timestamp seen) and push the record through the graph;
 *    a throw becomes a `StreamsProcessingError`.
 * Punctuation is separate: the caller calls `punctuateStreamTime()` after processing and
 * `punctuateWallClock()` when the wall clock moved.
 *
 * @example
 * const task = new TaskExecutor(topology, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
 * task.init();
 * task.process({ topic: 'in', partition: 0, offset: 0, timestamp: 1, key: null, value: Buffer.from('x'), headers: {} });
 * task.punctuateStreamTime();
 */
export class TaskExecutor implements TaskState {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  streamTimeMs = -1;
  currentTopic: string | null = null;
  currentPartition: number;
  currentOffset = -1;
  readonly collector: RecordCollector;
  readonly objectCollector: ObjectCollector | undefined;
  #processed = 0;
  #skipped = 0;
  #punctuations = 0;
  #dropped = 0;
  /** Timestamp of the record being processed, or of the punctuation firing: what stores stamp writes with. */
  #timestampMs = -1;

  readonly #graph: TaskGraph;
  readonly #clock: Clock;
  readonly #handler: DeserializationExceptionHandler;
  readonly #streamTimeQueue = new PunctuationQueue();
  readonly #wallClockQueue = new PunctuationQueue();
  readonly #partitionTime = new Map<string, number>();
  readonly #buffer = new RecordBuffer();
  readonly #stateDir: string | undefined;
  readonly #stateDb: TaskStateDb | undefined;
  readonly #defaultSerdes: { defaultKeySerde: Serde<unknown> | undefined; defaultValueSerde: Serde<unknown> | undefined };
  readonly #cache: ThreadCache | undefined;
  readonly #globalStores: ReadonlyMap<string, StateStore> | undefined;
  #state: 'created' | 'running' | 'closed' = 'created';
  #running = false;
  #lastTopic: string | undefined;
  #lastSource: SourceNode | undefined;

  constructor(topology: Topology, options: TaskExecutorOptions) {
    this.applicationId = options.applicationId;
    this.partition = options.partition;
    this.currentPartition = options.partition;
    this.taskId = options.taskId ?? `${options.subtopologyId}_${options.partition}`;
    this.#globalStores = options.globalStores;
    this.collector = options.collector;
    this.objectCollector = options.objectCollector;
    this.#clock = options.clock ?? systemClock;
    this.#handler = options.deserializationExceptionHandler ?? DeserializationExceptionHandlers.logAndFail();
    this.#stateDir = options.stateDir;
    this.#stateDb = options.stateDb;
    this.#defaultSerdes = { defaultKeySerde: options.defaultKeySerde, defaultValueSerde: options.defaultValueSerde };
    this.#cache = options.cache;
    this.#graph = buildTaskGraph(
      topology,
      options.subtopologyId,
      this,
      options.defaultKeySerde,
      options.defaultValueSerde,
      options.objectCollector !== undefined,
      options.storeFactory,
    );
  }

  /** Records processed, skipped by the deserialization handler, dropped by operators, and punctuator calls so far. */
  get metrics(): TaskExecutorMetrics {
    return { processed: this.#processed, skipped: this.#skipped, punctuations: this.#punctuations, dropped: this.#dropped };
  }

  /** The (decorated) topics this task reads. */
  get sourceTopics(): readonly string[] {
    return [...this.#graph.sourceByTopic.keys()];
  }

  /** Opens the stores (synchronously) and initializes every processor. */
  init(): void {
    const pending = this.#initStores();
    if (pending.length > 0) {
      // The caller gets the TopologyError; the opens' own outcomes must not surface as unhandled rejections.
      for (const p of pending) p.catch(() => undefined);
      throw new TopologyError(`task ${this.taskId} has stores that open asynchronously; use initAsync()`);
    }
    this.#initProcessors();
  }

  /** Opens the stores (awaiting asynchronous ones) and initializes every processor. */
  async initAsync(): Promise<void> {
    await Promise.all(this.#initStores());
    this.#initProcessors();
  }

  /** Processes one consumed record now; false if it was skipped (deserialization handler). */
  process(consumed: ConsumedRecord): boolean {
    const source = consumed.topic === this.#lastTopic ? this.#lastSource! : this.#source(consumed.topic);
    return this.#processAt(source, consumed, this.#extractTimestamp(source, consumed));
  }

  /**
   * The timestamp `consumed` will be processed at: its source's extractor's, else its own. Runtimes
   * call it when they buffer a record (as Kafka's record queue does), to order records by it; the
   * extractor sees the partition time of what was buffered before. Undefined when the extractor threw:
   * the record is then ordered by its own timestamp and the error surfaces when it is processed.
   */
  extractTimestamp(consumed: ConsumedRecord): number | undefined {
    // No running check: a runtime may buffer records for a task that is still restoring.
    const source = this.#graph.sourceByTopic.get(consumed.topic);
    if (source?.timestampExtractor === undefined) return consumed.timestamp;
    try {
      return this.#extractTimestamp(source, consumed);
    } catch {
      return undefined;
    }
  }

  /** Processes a record buffered with {@link extractTimestamp}'s result (undefined: extract again now). */
  processExtracted(consumed: ConsumedRecord, timestamp: number | undefined): boolean {
    if (timestamp === undefined) return this.process(consumed);
    const source = consumed.topic === this.#lastTopic ? this.#lastSource! : this.#source(consumed.topic);
    return this.#processAt(source, consumed, timestamp);
  }

  /**
   * Buffers consumed records (of any of the task's topics, in any mix) for {@link processNext}. Their
   * timestamps are extracted now, so the next record can be chosen by timestamp.
   */
  addRecords(records: readonly ConsumedRecord[]): void {
    for (const record of records) this.#buffer.add(record, this.#extractTimestamp(this.#source(record.topic), record));
  }

  /**
   * Processes the buffered record with the smallest timestamp among the heads of the task's
   * topic queues (Kafka's choice). False if nothing was buffered; a skipped record counts as taken.
   */
  processNext(): boolean {
    const next = this.#buffer.poll();
    if (next === undefined) return false;
    this.#processAt(this.#source(next.record.topic), next.record, next.timestamp);
    return true;
  }

  /** How many records `addRecords` buffered that are not processed yet. */
  get bufferedRecords(): number {
    return this.#buffer.size;
  }

  /**
   * Pushes an already-deserialized record from the source of `topic`, skipping serdes and handlers
   * (benchmarks and in-process embedding; pair with an `objectCollector` to skip sink serdes too).
   */
  pushRecord(topic: string, record: Record<unknown, unknown>, offset = -1): void {
    // #lastTopic is cleared whenever the task is not running, so a hit also means "running".
    const source = topic === this.#lastTopic ? this.#lastSource! : this.#source(topic);
    this.currentTopic = topic;
    this.currentOffset = offset;
    this.#push(source, record);
  }

  /** Fires stream-time punctuators that are due; true if any fired. */
  punctuateStreamTime(): boolean {
    this.#checkRunning();
    if (this.streamTimeMs < 0) return false;
    return this.#streamTimeQueue.mayPunctuate(this.streamTimeMs, this.#fire);
  }

  /** Fires wall-clock punctuators due at the clock's current time; true if any fired. */
  punctuateWallClock(): boolean {
    this.#checkRunning();
    return this.#wallClockQueue.mayPunctuate(this.#clock.now(), this.#fire);
  }

  /** Flushes every store of the task (step 1 of a commit); a promise only if a store flushes asynchronously. */
  flushStores(): void | Promise<void> {
    return flushStores(this.#graph.stores.values());
  }

  /** Closes processors, then stores. Resolves when asynchronous store closes finish. */
  close(): void | Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#running = false;
    this.#lastTopic = undefined;
    this.#lastSource = undefined;
    this.#buffer.clear();
    for (const node of this.#graph.processors) node.close();
    return closeStores(this.#graph.stores.values());
  }

  // -- TaskState ---------------------------------------------------------------------------------

  wallClockMs(): number {
    return this.#clock.now();
  }

  fail(error: unknown, nodeName: string): Error {
    if (error instanceof StreamsProcessingError) return error;
    const partition = this.currentTopic === null ? -1 : this.currentPartition;
    return new StreamsProcessingError(nodeName, this.taskId, this.currentTopic, partition, this.currentOffset, {
      cause: error,
    });
  }

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (type === 'STREAM_TIME') return this.#streamTimeQueue.schedule(nodeName, intervalMs, punctuator, 0);
    if (type === 'WALL_CLOCK_TIME') return this.#wallClockQueue.schedule(nodeName, intervalMs, punctuator, this.#clock.now() + intervalMs);
    throw new TypeError(`schedule: type must be 'STREAM_TIME' or 'WALL_CLOCK_TIME', got ${String(type)}`);
  }

  store(name: string): StateStore | undefined {
    return this.#graph.stores.get(name);
  }

  globalStore(name: string): StateStore | undefined {
    return this.#globalStores?.get(name);
  }

  recordDropped(): void {
    this.#dropped++;
  }

  /** The store names of this task. */
  get storeNames(): readonly string[] {
    return [...this.#graph.stores.keys()];
  }

  // -- internals ---------------------------------------------------------------------------------

  #extractTimestamp(source: SourceNode, consumed: ConsumedRecord): number {
    if (source.timestampExtractor === undefined) return consumed.timestamp;
    const partitionTime = this.#partitionTime.get(consumed.topic) ?? -1;
    let timestamp: number;
    try {
      timestamp = source.timestampExtractor(consumed, partitionTime);
    } catch (e) {
      this.currentTopic = consumed.topic;
      this.currentOffset = consumed.offset;
      throw this.fail(e, source.name);
    }
    if (timestamp > partitionTime) this.#partitionTime.set(consumed.topic, timestamp);
    return timestamp;
  }

  #processAt(source: SourceNode, consumed: ConsumedRecord, timestamp: number): boolean {
    let key: unknown;
    let value: unknown;
    try {
      key = source.keySerde.deserialize(consumed.key, consumed.topic);
      value = source.valueSerde.deserialize(consumed.value, consumed.topic);
    } catch (e) {
      handleDeserializationFailure(this.#handler, this.collector, this.taskId, source.name, consumed, e);
      this.#skipped++;
      return false;
    }
    this.currentTopic = consumed.topic;
    this.currentPartition = consumed.partition;
    this.currentOffset = consumed.offset;
    if (!(timestamp >= 0)) {
      throw this.fail(new RangeError(`invalid (negative or missing) timestamp ${timestamp}`), source.name);
    }
    this.#push(source, new Record(key, value, timestamp, consumed.headers));
    return true;
  }

  #push(source: SourceNode, record: Record<unknown, unknown>): void {
    const timestamp = record.timestamp;
    this.#timestampMs = timestamp;
    if (timestamp > this.streamTimeMs) this.streamTimeMs = timestamp;
    this.#processed++;
    source.process(record);
  }

  #source(topic: string): SourceNode {
    if (!this.#running) this.#checkRunning();
    const source = this.#graph.sourceByTopic.get(topic);
    if (source === undefined) throw new TopologyError(`task ${this.taskId} does not read topic "${topic}"`);
    this.#lastTopic = topic;
    this.#lastSource = source;
    return source;
  }

  readonly #fire = (s: PunctuationSchedule, nowMs: number): void => {
    this.currentTopic = null;
    this.currentOffset = -1;
    this.#timestampMs = nowMs;
    this.#punctuations++;
    try {
      s.punctuator(nowMs);
    } catch (e) {
      throw this.fail(e, s.nodeName);
    }
  };

  #initStores(): Promise<void>[] {
    if (this.#state !== 'created') throw new TopologyError(`task ${this.taskId} is already initialized or closed`);
    const identity = { applicationId: this.applicationId, taskId: this.taskId, partition: this.partition, stateDir: this.#stateDir };
    const context = new TaskStoreContext(identity, this.collector, () => this.#timestampMs, { stateDb: this.#stateDb, cache: this.#cache, ...this.#defaultSerdes });
    return initStores(this.#graph.stores.values(), context);
  }

  #initProcessors(): void {
    this.#state = 'running';
    this.#running = true;
    for (const node of this.#graph.processors) node.init();
  }

  #checkRunning(): void {
    if (!this.#running) {
      throw new TopologyError(`task ${this.taskId} is ${this.#state === 'created' ? 'not initialized; call init()' : 'closed'}`);
    }
  }
}
