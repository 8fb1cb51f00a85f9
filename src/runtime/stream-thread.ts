import type { Admin, Consumer, RebalanceListener } from '../core/client.js';
import type { Clock } from '../core/clock.js';
import type { TopicPartition } from '../core/record.js';
import { TaskMigratedError } from '../core/errors.js';
import { commitTasks, startCommitTasks, type CommitMetrics } from './commit.js';
import { commitExactlyOnce } from './eos-commit.js';
import type { EosProducer } from './eos-producer.js';
import type { RuntimeRecordCollector } from './runtime-record-collector.js';
import type { StandbyTasks } from './standby-tasks.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { TaskManager } from './task-manager.js';

/** What the thread tells its application. */
export interface StreamThreadEvents {
  /** A rebalance started (partitions are being revoked). */
  onRebalancing(): void;
  /** An assignment was received; the thread runs its tasks. */
  onRunning(): void;
  /** A fatal error stopped the loop. */
  onFatal(error: unknown): void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The instance's standby tasks and where the thread learns which it should keep. */
export interface StandbyWiring {
  readonly tasks: StandbyTasks;
  /** The standby task ids of the latest assignment (the assignor's `onAssignment` sets them before `onPartitionsAssigned`). */
  assigned(): readonly string[];
}

/** How long a poll waits when no task has buffered records. */
const IDLE_POLL_MS = 50;

/**
 * The processing loop of one instance (Kafka Streams' `StreamThread`), with one consumer and one
 * shared record collector. Each iteration:
 *
 * 1. poll (at most `maxPollRecords`, waiting only if nothing is buffered) — rebalances run inside,
 *    through the listener: revoke = commit, then drop the tasks; assign = create the tasks;
 * 2. route the records into the tasks' partition queues, and apply whatever changelog records
 *    arrived for the standby tasks (a poll that never waits; see `StandbyTasks`);
 * 3. each task processes its buffered records (smallest head timestamp first, stream-time
 *    punctuation after each), bounded per iteration; all synchronous;
 * 4. wall-clock punctuation;
 * 5. flush the collector (one producer send for the iteration);
 * 6. every `commitIntervalMs`: commit (see `commitTasks`; standbys checkpoint too), then refresh the lag
 *    metric; the commit's durable half (offsets fsync, checkpoint write) overlaps the next iterations;
 * 7. yield one event-loop turn, so timers and I/O run even while input never runs out.
 *
 * Stops at `stop()` (after the iteration in flight) or at the first fatal error (reported once).
 * @example
 * const thread = new StreamThread(consumer, collector, tasks, config, clock, events);
 * await consumer.subscribe(topics, thread.listener);
 * const done = thread.run();
 * thread.stop();
 * await done;
 */
export class StreamThread {
  readonly commitMetrics: CommitMetrics = { commits: 0, failedCommits: 0, totalLatencyMs: 0, maxLatencyMs: 0 };
  polls = 0;
  consumed = 0;
  processed = 0;
  /** Committed-offset lag of this instance's partitions (high watermark - committed), refreshed after each interval commit. */
  lag: { total: number; max: number } | undefined;
  /** False after a fatal error or on an unclean close: a revoke then drops tasks without committing. */
  commitOnRevoke = true;
  #running = true;
  #nextCommitAt: number;
  /** The step 3 of an overlapped interval commit still in flight (never rejects: see #overlappedError). */
  #overlapped: Promise<void> | undefined;
  #overlappedError: unknown = undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly collector: RuntimeRecordCollector,
    private readonly tasks: TaskManager,
    private readonly config: ResolvedStreamsConfig,
    private readonly clock: Clock,
    private readonly events: StreamThreadEvents,
    private readonly admin?: Admin,
    /** Under `exactly_once_v2`: the instance's transactional producer (commits go through it). */
    private readonly eos?: EosProducer,
    private readonly standby?: StandbyWiring,
  ) {
    this.#nextCommitAt = clock.now() + config.commitIntervalMs;
  }

  /** The rebalance listener to subscribe with. */
  readonly listener: RebalanceListener = {
    onPartitionsRevoked: async (parts: TopicPartition[]) => {
      this.events.onRebalancing();
      // Commit first, so the next owner starts after what this instance processed.
      if (this.commitOnRevoke) await this.commit();
      await this.tasks.revoke(parts);
    },
    onPartitionsAssigned: async (parts: TopicPartition[]) => {
      // An instance that owned nothing had no revoke: its new tasks restore while REBALANCING too.
      this.events.onRebalancing();
      // Standbys first: one that becomes active here must release its directory (checkpointed) so
      // the active task opens it and replays only the changelog tail past the standby's checkpoint.
      if (this.standby !== undefined) await this.standby.tasks.update(this.standby.assigned());
      await this.tasks.assign(parts);
      this.events.onRunning();
    },
    onPartitionsLost: async (parts: TopicPartition[]) => {
      this.events.onRebalancing();
      this.config.logger.warn(`lost ${parts.length} partition(s) without a clean revoke; their uncommitted records will be processed again`);
      if (this.eos !== undefined) {
        // The open transaction holds every task's output, so none of it can commit now (Kafka closes all
        // tasks dirty): abort, and let the thread die so a new one resumes from the committed offsets.
        this.commitOnRevoke = false;
        await this.abortTransaction();
        throw new TaskMigratedError(`lost ${parts.length} partition(s) under exactly_once_v2; the open transaction was aborted`);
      }
      await this.tasks.revoke(parts);
    },
  };

  /** Runs the loop until `stop()` or a fatal error; never rejects (errors go to `onFatal`). */
  async run(): Promise<void> {
    const maxPollRecords = this.config.maxPollRecords;
    try {
      while (this.#running) {
        // Step 1 (an overlapped commit that failed stops the loop here at the latest)
        this.#throwIfOverlappedFailed();
        const buffered = this.tasks.buffered;
        const records = await this.consumer.poll({ maxRecords: maxPollRecords, timeoutMs: buffered > 0 ? 0 : IDLE_POLL_MS });
        this.polls++;
        if (!this.#running) break;
        // Step 2
        if (records.length > 0) {
          this.consumed += records.length;
          this.tasks.route(records);
        }
        if (this.standby !== undefined) await this.standby.tasks.poll(maxPollRecords);
        // Step 3
        this.processed += this.tasks.process(maxPollRecords);
        // Step 4
        this.tasks.punctuateWallClock();
        // Step 5
        await this.collector.flush();
        // Step 6
        if (this.clock.now() >= this.#nextCommitAt && (await this.commit(true))) await this.#refreshLag();
        // Step 7: with an in-process broker every await above may complete as a microtask; without a
        // macrotask turn, timers and I/O (heartbeats, the user's own callbacks) would starve.
        await yieldToEventLoop();
      }
    } catch (e) {
      this.#running = false;
      this.commitOnRevoke = false;
      // Under EOS nothing of the failed interval may become visible: abort before anyone sees the error.
      await this.abortTransaction();
      this.events.onFatal(e);
    }
  }

  /** Under `exactly_once_v2`: aborts the open transaction, if any (a failure to abort is logged: the coordinator's timeout or the next `initTransactions` aborts it). */
  async abortTransaction(): Promise<void> {
    await this.eos?.abortTransaction().catch((e: unknown) => this.config.logger.warn(`aborting transaction of "${this.eos?.transactionalId}" failed`, e));
  }

  /** Asks the loop to stop after the iteration in flight. */
  stop(): void {
    this.#running = false;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Reads the group's lag for the partitions this instance owns (once per commit interval, so cheap). */
  async #refreshLag(): Promise<void> {
    if (this.admin === undefined) return;
    const owned = new Set<string>();
    for (const task of this.tasks.tasks.values()) for (const q of task.partitions) owned.add(`${q.topic}\u0000${q.partition}`);
    try {
      const group = await this.admin.describeGroup(this.config.applicationId);
      let total = 0;
      let max = 0;
      for (const o of group.offsets) {
        if (!owned.has(`${o.topic}\u0000${o.partition}`)) continue;
        total += o.lag;
        if (o.lag > max) max = o.lag;
      }
      this.lag = { total, max };
    } catch {
      this.lag = undefined; // lag is best effort; a failed describe must not stop processing
    }
  }

  /**
   * Commits every task now (also used on revoke and close): `commitTasks` (flush stores, await
   * sends, commit offsets) — or under `exactly_once_v2` `commitExactlyOnce` (steps 1–4, ending with
   * `commitTransaction`) — then each task's local store state with its changelog checkpoint
   * (`TaskStateManager.checkpoint`: last, so a checkpoint never runs ahead of its changelog).
   * `overlap` (the loop's interval commits): return once the offsets commit is started and the
   * checkpoint batches are taken, and let the offsets commit (its fsync) and then the LevelDB
   * batches complete while the loop processes on — in the same order as without overlap. Every
   * other commit (revoke, close) waits for an overlapped one first, and returns only when done.
   */
  async commit(overlap = false): Promise<boolean> {
    // An overlapped commit still finishing comes first (and its failure fails this one).
    await this.#settleOverlapped();
    this.#nextCommitAt = this.clock.now() + this.config.commitIntervalMs;
    if (this.eos !== undefined) {
      await commitExactlyOnce(this.eos, this.collector, this.tasks.tasks.values(), this.config.applicationId, this.commitMetrics, this.clock, () => this.consumer.groupMetadata());
      // Step 5: only after the transaction committed (a throw above skips it).
      await this.tasks.checkpoint(overlap);
      await this.standby?.tasks.checkpoint();
      return true;
    }
    if (overlap) {
      // Steps 1–2 now; step 3 in flight (its offsets already appended); step 5's batches taken now,
      // written once step 3 is durable — or not at all if it failed other than by a rebalance (as
      // the sequential path below throws before step 5). The loop processes on meanwhile.
      const { done } = await startCommitTasks(this.consumer, this.collector, this.tasks.tasks.values(), this.commitMetrics, this.clock, this.config.logger);
      await this.tasks.checkpoint(true, done.then(() => true, () => false));
      await this.standby?.tasks.checkpoint();
      this.#overlapped = done.then(
        () => undefined,
        (e: unknown) => {
          this.#overlappedError ??= e;
        },
      );
      return true;
    }
    const committed = await commitTasks(this.consumer, this.collector, this.tasks.tasks.values(), this.commitMetrics, this.clock, this.config.logger);
    // Step 5 of the commit. The changelog is durable even when the offsets commit lost a rebalance: checkpoint either way.
    await this.tasks.checkpoint();
    await this.standby?.tasks.checkpoint();
    return committed;
  }

  /** Waits for an overlapped commit's step 3 (and so its step 4); rethrows its failure once. */
  async #settleOverlapped(): Promise<void> {
    if (this.#overlapped !== undefined) {
      await this.#overlapped;
      this.#overlapped = undefined;
    }
    this.#throwIfOverlappedFailed();
  }

  #throwIfOverlappedFailed(): void {
    const failure = this.#overlappedError;
    if (failure !== undefined) {
      this.#overlappedError = undefined;
      throw failure;
    }
  }
}
