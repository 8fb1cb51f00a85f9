import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReplaySubject, type Observable } from 'rxjs';
import type { ClientFactory } from '../client/client-factory.js';
import { openEmbeddedBroker } from '../client/embedded-broker.js';
import type { Admin } from '../core/client.js';
import { IllegalStateError, TaskMigratedError } from '../core/errors.js';
import type { Topology } from '../processor/topology.js';
import { KafkaStreamsStateMachine, type KafkaStreamsState } from './kafka-streams-state.js';
import { resolveStreamsConfig, type ResolvedStreamsConfig, type StreamsConfig } from './streams-config.js';
import { collectMetrics, toPrometheusText } from './streams-metrics.js';
import { isFenced } from './eos-producer.js';
import { createStreamThread, releaseStreamThread, type RunningThread } from './stream-thread-clients.js';
import { prepareTopics } from './topic-setup.js';
import { localStoreView, type QueryableStoreType } from './interactive-queries.js';
import { TaskStateManager, type TaskRestoreProgress } from './task-state-manager.js';
import { TopologyMetadata } from './topology-metadata.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import { compareTaskIds, type ThreadMetadata } from './thread-metadata.js';

/**
 * What a user's uncaught-exception handler answers (Kafka Streams' `StreamThreadExceptionResponse`):
 * `SHUTDOWN_CLIENT` (the default) moves the application to ERROR; `REPLACE_THREAD` releases the dead
 * thread without committing and, after a 100 ms pause, starts a new one, which resumes from the last
 * commit (the failed record is processed again: right for transient failures, a slow loop for a
 * poison pill).
 */
export type StreamsUncaughtExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT';

/** Pause between a thread's death and its replacement. */
const REPLACE_THREAD_BACKOFF_MS = 100;

/**
 * Runs a {@link Topology} against a broker (Kafka Streams' `KafkaStreams`), at-least-once or, with
 * `processingGuarantee: 'exactly_once_v2'`, exactly-once (see `commitExactlyOnce` and `EosProducer`:
 * one transactional producer per instance, `read_committed` consumers; a fenced instance goes to ERROR
 * with a `TaskMigratedError`).
 *
 * Instances with the same `applicationId` form one consumer group and share the input partitions:
 * task `<subtopology>_<partition>` runs where that partition is assigned. State is observable as
 * `state$` (`CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING`, or `ERROR` on a fatal
 * error such as a processing or deserialization failure — the error, naming topic, partition and
 * offset, is on `uncaughtException$` and `error`).
 *
 * `start()` steps:
 * 1. validate: every user source topic exists; the source topics of a sub-topology have equal
 *    partition counts (`TopologyError` otherwise);
 * 2. create missing repartition topics `<applicationId>-<name>-repartition` (see `prepareTopics`);
 *    then, with global tables, bootstrap every global store from all partitions of its topic to the
 *    end offsets (see `GlobalStreamThread`: a missing global topic is a `TopologyError`) and keep
 *    it updated in the background — no task exists before this is done;
 * 3. one consumer (`groupId = applicationId`, no auto-commit, `autoOffsetReset: 'earliest'`, the
 *    streams assignor: whole tasks so co-partitioned topics line up, sticky, and with
 *    `numStandbyReplicas` standby tasks on other instances — see `StreamsPartitionAssignor`)
 *    subscribed to every source topic, with a rebalance listener that creates and closes tasks
 *    (committing first on revoke) and standby tasks;
 * 4. one producer shared by all tasks through a record collector (one send batch per iteration);
 * 5. the processing loop (see `StreamThread`); `start()` resolves once it runs.
 *
 * State stores: each task opens its state directory `<stateDir>/<applicationId>/<taskId>/` and
 * restores its logged stores from their changelogs before it processes (see `TaskStateManager`);
 * the application stays REBALANCING meanwhile, with progress on `restoreProgress$`. Commits flush
 * the stores and then write each task's checkpoint; `store(name, QueryableStoreTypes...)` queries them.
 *
 * Topics: the application creates only its internal topics (repartition and changelog topics).
 * Source and output topics must exist — as with a Kafka cluster that does not auto-create topics, a
 * send to a missing output topic fails the application.
 *
 * @example
 * const streams = new KafkaStreams(builder.build(), { applicationId: 'page-views', broker });
 * streams.state$.subscribe((s) => console.log('state', s));
 * await streams.start();
 * // ...
 * await streams.close();
 */
export class KafkaStreams {
  readonly #topology: Topology;
  readonly #config: ResolvedStreamsConfig;
  readonly #machine = new KafkaStreamsStateMachine();
  readonly #errors = new ReplaySubject<Error>(1);
  #error: Error | undefined;
  #running: RunningThread | undefined;
  /** Kept after close() so metrics() still reports the last run. */
  #lastRun: RunningThread | undefined;
  #ownedBroker: (ClientFactory & { close(): Promise<void> }) | undefined;
  /** Set by start(): where threads get their clients. */
  #clients: { factory: ClientFactory; admin: Admin; meta: TopologyMetadata } | undefined;
  #exceptionHandler: ((error: Error) => StreamsUncaughtExceptionResponse) | undefined;
  #starting: Promise<void> | undefined;
  #replacing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  /** The global stores of this instance and the thread that keeps them (set by start() when the topology has global tables). */
  #global: GlobalStreamThread | undefined;
  /** Kept after close() so metrics() still reports the last run's global counters. */
  #lastGlobal: GlobalStreamThread | undefined;
  /** The state stores of this instance's tasks (state directories, record cache, restore, checkpoints). */
  readonly #stores: TaskStateManager;

  /** The application's lifecycle state; subscribers get the current state first. */
  readonly state$: Observable<KafkaStreamsState>;
  /** Every error that killed the stream thread — the fatal one, and any a replaced thread died of (the last replayed to late subscribers). */
  readonly uncaughtException$: Observable<Error> = this.#errors.asObservable();
  /**
   * Restore progress of every store of every task this instance restores from its changelog (Kafka's
   * `StateRestoreListener`): one event per batch, `done: true` on a store's last. Never completes.
   */
  readonly restoreProgress$: Observable<TaskRestoreProgress>;

  constructor(topology: Topology, config: StreamsConfig) {
    if (topology === null || typeof topology !== 'object' || typeof topology.subtopologies !== 'function') {
      throw new TypeError('KafkaStreams: the first argument must be a Topology (builder.build())');
    }
    this.#topology = topology;
    this.#config = resolveStreamsConfig(config);
    this.state$ = this.#machine.state$;
    this.#stores = new TaskStateManager(TopologyMetadata.of(topology, this.#config.applicationId), this.#config);
    this.restoreProgress$ = this.#stores.restoreProgress$;
  }

  /** The current lifecycle state. */
  get state(): KafkaStreamsState {
    return this.#machine.state;
  }

  /** The fatal error, once the application is in ERROR. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Calls `handler` with each error that kills the stream thread (see `uncaughtException$`); returns an unsubscribe function. */
  onError(handler: (error: Error) => void): () => void {
    const subscription = this.#errors.subscribe(handler);
    return () => subscription.unsubscribe();
  }

  /**
   * Decides what happens when the stream thread dies of an error (a processing or deserialization
   * failure, a failed send): `SHUTDOWN_CLIENT` (the default without a handler) or `REPLACE_THREAD`.
   * Set it before `start()`. A handler that throws counts as `SHUTDOWN_CLIENT`.
   * @example
   * app.setUncaughtExceptionHandler((e) => (e instanceof TimeoutError ? 'REPLACE_THREAD' : 'SHUTDOWN_CLIENT'));
   */
  setUncaughtExceptionHandler(handler: (error: Error) => StreamsUncaughtExceptionResponse): void {
    if (this.state !== 'CREATED') throw new IllegalStateError(`setUncaughtExceptionHandler(): only before start(); the application is ${this.state}`);
    if (typeof handler !== 'function') throw new TypeError('setUncaughtExceptionHandler: handler must be a function');
    this.#exceptionHandler = handler;
  }

  /** Starts processing; see the class comment for the steps. Rejects (and moves to ERROR) if a step fails. */
  start(): Promise<void> {
    if (this.state !== 'CREATED') throw new IllegalStateError(`KafkaStreams.start(): the application is ${this.state}; start() is allowed once, from CREATED`);
    this.#machine.transition('REBALANCING');
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const config = this.#config;
    try {
      let clients = config.broker;
      if (clients === undefined) {
        this.#ownedBroker = await openEmbeddedBroker(join(config.stateDir, 'broker'));
        clients = this.#ownedBroker;
      }
      const admin = clients.admin();
      const meta = TopologyMetadata.of(this.#topology, config.applicationId);
      // Steps 1 and 2
      await prepareTopics(admin, meta, config.logger);
      this.#stores.bind(clients, admin);
      this.#clients = { factory: clients, admin, meta };
      // Global stores: bootstrapped to their topics' ends before any task exists (see GlobalStreamThread).
      if (meta.globalStores.length > 0) {
        const global = new GlobalStreamThread(this.#topology, meta, config, clients, admin, (e) => {
          this.#fail(e);
          this.#running?.thread.stop();
        });
        this.#global = global;
        this.#lastGlobal = global;
        await global.start();
        this.#stores.globalStores = global.storeViews;
        global.run();
      }
      // Steps 3 to 5
      await this.#spawnThread();
    } catch (e) {
      this.#fail(e);
      await this.#release(false);
      throw e;
    }
  }

  /** Steps 3 to 5: a new stream thread with its own clients, subscribed and (unless closing) running. */
  async #spawnThread(): Promise<void> {
    const { factory, admin, meta } = this.#clients!;
    const running = createStreamThread(factory, admin, this.#topology, meta, this.#config, {
      onRebalancing: () => void this.#machine.tryTransition('REBALANCING'),
      onRunning: () => {
        if (this.state === 'REBALANCING') this.#machine.transition('RUNNING');
      },
      onFatal: (e) => this.#onThreadDied(e),
    }, this.#stores);
    // From here on close() (or a failure) releases the clients.
    this.#running = running;
    this.#lastRun = running;
    // Under EOS: claim the transactional id before joining, fencing an older incarnation and aborting its open transaction.
    await running.eos?.initTransactions();
    await running.consumer.subscribe(meta.allSourceTopics, running.thread.listener);
    // Step 5 (unless close() came meanwhile)
    if (this.state === 'REBALANCING') running.loop = running.thread.run();
  }

  #onThreadDied(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    // Migrated, not fenced (the group moved this instance's tasks away — it stalled past its session
    // or poll timeout — so its commit was refused or its partitions were lost): as Kafka Streams, close
    // the tasks dirty and rejoin, without asking the handler. The new thread's consumer joins again.
    if (error instanceof TaskMigratedError && !isFenced(error) && (this.state === 'RUNNING' || this.state === 'REBALANCING')) {
      this.#config.logger.warn(`KafkaStreams "${this.#config.applicationId}": its tasks migrated; rejoining the group with a new stream thread`, error);
      this.#machine.tryTransition('REBALANCING');
      this.#replacing = this.#replaceThread();
      return;
    }
    let response: StreamsUncaughtExceptionResponse = 'SHUTDOWN_CLIENT';
    try {
      response = this.#exceptionHandler?.(error) ?? 'SHUTDOWN_CLIENT';
    } catch (handlerError) {
      this.#config.logger.warn('the uncaught exception handler threw; shutting down the client', handlerError);
    }
    // Fenced: another instance owns our transactional id now. A new thread would fence it back in
    // turn (two zombies taking turns), so this instance stops for good, whatever the handler says.
    if (isFenced(error)) response = 'SHUTDOWN_CLIENT';
    if (response !== 'REPLACE_THREAD' || (this.state !== 'RUNNING' && this.state !== 'REBALANCING')) {
      this.#fail(error);
      return;
    }
    this.#config.logger.warn(`KafkaStreams "${this.#config.applicationId}": replacing the stream thread, which died of: ${error.message}`, error);
    this.#errors.next(error);
    this.#machine.tryTransition('REBALANCING');
    this.#replacing = this.#replaceThread();
  }

  async #replaceThread(): Promise<void> {
    const dead = this.#running;
    this.#running = undefined;
    try {
      if (dead !== undefined) await releaseStreamThread(dead, false, this.#config.logger);
      // Back off before the new thread, so a poison pill does not spin the process.
      await new Promise((resolve) => setTimeout(resolve, REPLACE_THREAD_BACKOFF_MS));
      if (this.state === 'REBALANCING') await this.#spawnThread();
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * Stops gracefully: 1. stop the loop after the iteration in flight; 2. flush the producer and commit
   * what was processed (skipped after a fatal error); 3. leave the group; 4. close the tasks, the
   * producer and an embedded broker opened by `start()`. Idempotent; works in every state.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const failed = this.state === 'ERROR';
    if (!failed) this.#machine.transition('PENDING_SHUTDOWN');
    await this.#starting?.catch(() => undefined);
    await this.#replacing;
    try {
      await this.#release(!failed && this.#error === undefined);
    } finally {
      // Everything is released even when the final commit failed (its error is thrown to the caller).
      if (this.state === 'PENDING_SHUTDOWN') this.#machine.transition('NOT_RUNNING');
    }
  }

  async #release(commit: boolean): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    try {
      if (running !== undefined) await releaseStreamThread(running, commit && this.#error === undefined, this.#config.logger);
    } finally {
      const global = this.#global;
      this.#global = undefined;
      try {
        await global?.close();
      } finally {
        const owned = this.#ownedBroker;
        this.#ownedBroker = undefined;
        await owned?.close();
      }
    }
  }

  #fail(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    if (this.#error !== undefined) return;
    this.#error = error;
    if (this.#machine.tryTransition('ERROR')) {
      this.#config.logger.warn(`KafkaStreams "${this.#config.applicationId}" stopped with a fatal error: ${error.message}`, error);
    }
    this.#errors.next(error);
  }

  /**
   * Deletes this application's local state, `<stateDir>/<applicationId>` (Kafka Streams'
   * `cleanUp()`): tasks then restore their stores from the changelogs. Only before `start()` or
   * after `close()`; an embedded broker under `<stateDir>/broker` is not touched.
   * @example
   * const app = new KafkaStreams(topology, config);
   * await app.cleanUp(); // start from empty local state
   * await app.start();
   */
  async cleanUp(): Promise<void> {
    const state = this.state;
    if (state !== 'CREATED' && state !== 'NOT_RUNNING' && !(state === 'ERROR' && this.#closing !== undefined)) {
      throw new IllegalStateError(`KafkaStreams.cleanUp(): only before start() or after close(); the application is ${state}`);
    }
    await this.#closing;
    await rm(join(this.#config.stateDir, this.#config.applicationId), { recursive: true, force: true });
  }

  /**
   * Interactive queries: a read-only view over store `name` in every active task of this instance
   * (each task holds the keys of its partition; ask each instance for the whole picture). Standby
   * replicas (`numStandbyReplicas`) are never queried, as in Kafka Streams by default: their data
   * may lag the active task's.
   * Throws `InvalidStateStoreError` for an unknown name (listing the known ones), a store being
   * restored (retriable), an application not RUNNING / REBALANCING, or a store of another kind.
   * @example
   * const counts = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
   * counts.get('kafka'); // 3
   */
  store<T>(name: string, type?: QueryableStoreType<T>): T {
    const knownStores = TopologyMetadata.of(this.#topology, this.#config.applicationId).storeNames;
    return localStoreView(name, type as QueryableStoreType<T>, {
      knownStores,
      appState: () => this.state,
      isRestoring: (store) => this.#stores.isRestoring(store) || this.#global?.isRestoring(store) === true,
      // A global store is one whole copy on this instance: the global thread serves it like one task would.
      tasks: () => {
        const global = this.#global;
        const tasks = this.#running?.tasks.tasks.values() ?? [];
        return global === undefined ? tasks : [...tasks, { executor: global }];
      },
    });
  }

  /**
   * What this instance runs now (Kafka Streams' `metadataForLocalThreads()`): its one stream thread,
   * and per active task the input partitions it reads; per standby task the input partitions of the
   * task it replicates (it reads their changelogs). Empty before `start()` and after `close()`.
   * @example
   * for (const t of app.metadataForLocalThreads()[0]?.activeTasks ?? []) console.log(t.taskId, t.topicPartitions);
   */
  metadataForLocalThreads(): ThreadMetadata[] {
    const r = this.#running;
    if (r === undefined) return [];
    const activeTasks = [...r.tasks.tasks.values()]
      .map((task) => ({ taskId: task.id, topicPartitions: task.partitions.map((q) => ({ topic: q.topic, partition: q.partition })) }))
      .sort((a, b) => compareTaskIds(a.taskId, b.taskId));
    const meta = TopologyMetadata.of(this.#topology, this.#config.applicationId);
    const standbyTasks = r.standbys.ids.sort(compareTaskIds).map((taskId) => {
      const [sub, partition] = taskId.split('_').map(Number) as [number, number];
      return { taskId, topicPartitions: (meta.subtopology(sub)?.sourceTopics ?? []).map((topic) => ({ topic, partition })) };
    });
    return [{ threadName: `${this.#config.applicationId}-StreamThread-1`, threadState: r.thread.running ? 'RUNNING' : 'DEAD', activeTasks, standbyTasks }];
  }

  /**
   * Counters and latencies of this instance: `process-total`, `poll-total`, `records-consumed-total`, `commit-total`,
   * `commit-failed-total`, `commit-latency-avg`, `commit-latency-max` (ms), `records-sent-total`,
   * `active-tasks`, `buffered-records`, `unrouted-records-total`, after the first interval commit
   * `committed-lag-total` / `committed-lag-max` (high watermark minus committed offset over the
   * partitions this instance owns), and per task `task.<id>.process-total`,
   * `task.<id>.skipped-records-total`, `task.<id>.punctuate-total`; with state stores also
   * `restore-records-total`, `restore-total`, `restoring-stores`, `cache-size-bytes`, `cache-evictions-total`;
   * always `standby-tasks` and `standby-records-total` (changelog records applied to standby replicas);
   * with global tables `global-records-total` (global records applied, bootstrap included) and
   * `global-restore-records-total` (records the bootstrap read).
   */
  metrics(): Record<string, number> {
    const r = this.#running ?? this.#lastRun;
    const g = this.#lastGlobal;
    const global: Record<string, number> = g === undefined ? {} : { 'global-records-total': g.processed, 'global-restore-records-total': g.restored };
    return r === undefined ? global : { ...collectMetrics(r.thread, r.tasks, r.collector), ...this.#stores.metrics(), ...r.standbys.metrics(), ...global };
  }

  /** {@link metrics} in the Prometheus text format (for a `/metrics` endpoint). */
  metricsText(): string {
    return toPrometheusText(this.#config.applicationId, this.metrics());
  }
}
