import type { Clock } from '../core/clock.js';
import type { ConsumedRecord, TopicPartition } from '../core/record.js';
import { TaskExecutor } from '../processor/task-executor.js';
import type { Topology } from '../processor/topology.js';
import type { PartitionQueue } from './partition-group.js';
import type { RuntimeRecordCollector } from './runtime-record-collector.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import { StreamTask } from './stream-task.js';
import type { TopologyMetadata } from './topology-metadata.js';
import type { TaskStateManager } from './task-state-manager.js';

/** Where a partition's records go. */
interface Route {
  readonly task: StreamTask;
  readonly queue: PartitionQueue;
}

/**
 * The active tasks of one instance, made and dropped as partitions are assigned and revoked.
 * Task `<subtopology>_<partition>` exists while this instance owns partition `<partition>` of at
 * least one topic of that sub-topology; the streams assignor assigns whole tasks, so every
 * topic of a task is assigned together (a partial assignment is logged and the task reads what it has).
 * `route(records)` buffers polled records in their task's partition queues (no awaits, no per-record
 * allocation beyond the queue slot).
 * @example
 * const tasks = new TaskManager(topology, meta, config, collector, systemClock);
 * await tasks.assign([{ topic: 'clicks', partition: 0 }]); // creates task 0_0
 * tasks.route(await consumer.poll());
 * tasks.process(1000);
 */
export class TaskManager {
  readonly tasks = new Map<string, StreamTask>();
  readonly #routes = new Map<string, (Route | undefined)[]>();
  #lastTopic: string | undefined;
  #lastRoutes: (Route | undefined)[] | undefined;
  /** Records polled for partitions no task owns any more (dropped; re-fetched by the new owner). */
  unrouted = 0;

  constructor(
    private readonly topology: Topology,
    private readonly meta: TopologyMetadata,
    private readonly config: ResolvedStreamsConfig,
    private readonly collector: RuntimeRecordCollector,
    private readonly clock: Clock,
    /** The instance's state stores: task state directories, the record cache, restore, checkpoints. */
    private readonly state?: TaskStateManager,
  ) {}

  /** Creates the tasks of newly assigned partitions (initializing their processors) and routes their records. */
  async assign(parts: readonly TopicPartition[]): Promise<void> {
    const touched = new Set<StreamTask>();
    for (const tp of parts) {
      const sub = this.meta.subtopologyOf(tp.topic);
      if (sub === undefined) {
        this.config.logger.warn(`assigned ${tp.topic}-${tp.partition}, which no sub-topology reads; ignoring it`);
        continue;
      }
      const id = `${sub}_${tp.partition}`;
      let task = this.tasks.get(id);
      if (task === undefined) {
        task = await this.#createTask(sub, tp.partition);
        this.tasks.set(id, task);
      }
      const queue = task.addPartition(tp.topic, tp.partition);
      this.#setRoute(tp.topic, tp.partition, { task, queue });
      touched.add(task);
    }
    for (const task of touched) {
      const expected = this.meta.subtopology(Number(task.id.split('_')[0]))!.sourceTopics;
      const missing = expected.filter((t) => task.queue(t, task.executor.partition) === undefined);
      if (missing.length > 0) {
        this.config.logger.warn(
          `task ${task.id} was assigned without partition ${task.executor.partition} of ${missing.join(', ')} ` +
            `(not co-assigned); it processes only the partitions it has`,
        );
      }
    }
  }

  /**
   * Stops reading `parts` (dropping what they buffered) and closes tasks left with no partition.
   * The caller commits first when the revoke is clean.
   */
  async revoke(parts: readonly TopicPartition[]): Promise<void> {
    const emptied = new Set<StreamTask>();
    for (const tp of parts) {
      const route = this.#routes.get(tp.topic)?.[tp.partition];
      if (route === undefined) continue;
      route.task.removePartition(tp.topic, tp.partition);
      this.#setRoute(tp.topic, tp.partition, undefined);
      if (route.task.partitions.length === 0) emptied.add(route.task);
    }
    await this.#closeTasks(emptied);
  }

  /** Revokes everything and closes every task (close, or an error). */
  async revokeAll(): Promise<void> {
    const all: TopicPartition[] = [];
    for (const task of this.tasks.values()) for (const q of task.partitions) all.push({ topic: q.topic, partition: q.partition });
    await this.revoke(all);
    await this.#closeTasks(new Set(this.tasks.values()));
  }

  /** Closes every task given, even if some close() throws; rethrows the first failure. */
  async #closeTasks(tasks: Iterable<StreamTask>): Promise<void> {
    let failure: unknown;
    for (const task of tasks) {
      this.tasks.delete(task.id);
      try {
        await task.close();
      } catch (e) {
        failure ??= e;
      } finally {
        // Release the task's state directory (its lock) so the task can open again here or move.
        await this.state?.closeTask(task.id).catch((e: unknown) => (failure ??= e));
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Buffers polled records in their tasks' partition queues. */
  route(records: readonly ConsumedRecord[]): void {
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let routes = this.#lastRoutes;
      if (r.topic !== this.#lastTopic) {
        routes = this.#routes.get(r.topic);
        this.#lastTopic = r.topic;
        this.#lastRoutes = routes;
      }
      const route = routes?.[r.partition];
      if (route === undefined) this.unrouted++;
      else route.task.enqueue(route.queue, r);
    }
  }

  /** Records buffered across tasks. */
  get buffered(): number {
    let n = 0;
    for (const task of this.tasks.values()) n += task.buffered;
    return n;
  }

  /**
   * Lets every task process up to `budgetPerTask` buffered records (synchronously, task after task).
   * Returns the number processed.
   */
  process(budgetPerTask: number): number {
    let n = 0;
    for (const task of this.tasks.values()) if (task.buffered > 0) n += task.process(budgetPerTask);
    return n;
  }

  /**
   * The last step of a commit: every task's store changes and checkpoint, atomically per task (see
   * `TaskStateManager.checkpoint`; `overlap`: return before the writes land; `writeAfter`: write
   * only once it resolves true).
   */
  async checkpoint(overlap = false, writeAfter?: Promise<boolean>): Promise<void> {
    await this.state?.checkpoint(this.tasks.keys(), overlap, writeAfter);
  }

  /** Waits for an overlapped checkpoint to land (rethrowing its failure). */
  async settleCheckpoints(): Promise<void> {
    await this.state?.settleCheckpoints();
  }

  /** Fires due wall-clock punctuators of every task. */
  punctuateWallClock(): void {
    for (const task of this.tasks.values()) task.punctuateWallClock();
  }

  async #createTask(subtopologyId: number, partition: number): Promise<StreamTask> {
    const options = {
      subtopologyId,
      partition,
      applicationId: this.config.applicationId,
      collector: this.collector,
      clock: this.clock,
      deserializationExceptionHandler: this.config.deserializationExceptionHandler,
      defaultKeySerde: this.config.defaultKeySerde,
      defaultValueSerde: this.config.defaultValueSerde,
      stateDir: this.config.stateDir,
    };
    // With state stores: open the task's state, init, and restore its stores before it processes.
    const executor =
      this.state === undefined
        ? new TaskExecutor(this.topology, options)
        : await this.state.initTask(subtopologyId, partition, (extras) => new TaskExecutor(this.topology, { ...options, ...extras }));
    if (this.state === undefined) await executor.initAsync();
    return new StreamTask(executor.taskId, executor, this.config.processingExceptionHandler);
  }

  #setRoute(topic: string, partition: number, route: Route | undefined): void {
    let routes = this.#routes.get(topic);
    if (routes === undefined) {
      routes = [];
      this.#routes.set(topic, routes);
    }
    routes[partition] = route;
    this.#lastTopic = undefined;
    this.#lastRoutes = undefined;
  }
}
