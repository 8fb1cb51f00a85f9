import type { Clock } from '../core/clock.js';
import type { Consumer } from '../core/client.js';
import { CommitFailedError, RebalanceInProgressError } from '../core/errors.js';
import type { TopicPartitionOffset } from '../core/record.js';
import type { StreamsLogger } from '../processor/deserialization-exception-handler.js';
import type { RuntimeRecordCollector } from './runtime-record-collector.js';
import type { StreamTask } from './stream-task.js';

/** Counters of the commits of one instance. */
export interface CommitMetrics {
  commits: number;
  failedCommits: number;
  totalLatencyMs: number;
  maxLatencyMs: number;
}

/**
 * An at-least-once commit of some tasks:
 *
 * 1. flush every task's stores (record caches forward their pending updates, so their sink records
 *    reach the collector), then flush the record collector and wait until the broker acknowledged
 *    every send (output of the processed records is durable before their input is marked done);
 * 2. collect each task's `processed offset + 1` for every partition that advanced;
 * 3. `consumer.commit(offsets)`;
 * 4. remember them as committed in the tasks.
 * Step 1's store flush sends the stores' changelog records too; after this function the stream
 * thread writes each task's store state and changelog checkpoint (step 5, `TaskStateManager.checkpoint`,
 * which says why that order is safe).
 *
 * A commit that fails because the group rebalanced (`CommitFailedError`, `RebalanceInProgressError`)
 * is logged and returns false: the records will be processed again by the new owner (at-least-once).
 * Any other failure (a failed send) is thrown.
 * @example
 * await commitTasks(consumer, collector, [...tasks.values()], metrics, clock, logger);
 */
export async function commitTasks(
  consumer: Consumer,
  collector: RuntimeRecordCollector,
  tasks: Iterable<StreamTask>,
  metrics: CommitMetrics,
  clock: Clock,
  logger: StreamsLogger,
): Promise<boolean> {
  const { done } = await startCommitTasks(consumer, collector, tasks, metrics, clock, logger);
  return done;
}

/**
 * The stream thread's interval commit, overlapped: steps 1–2 as {@link commitTasks}, then step 3 is
 * started — the embedded consumer checks the member and appends the offsets synchronously — and not
 * awaited; `done` settles when it is durable (step 4 then runs): true when committed, false when the
 * group rebalanced (logged and counted, as in `commitTasks`), rejected on any other failure. The
 * caller takes the checkpoint batches at once and writes them after `done` (step 5), while it
 * processes on; it waits for `done` before its next commit.
 * @example
 * const { done } = await startCommitTasks(consumer, collector, tasks, metrics, clock, logger);
 * await state.checkpoint(taskIds, true, done.then(() => true, () => false));
 */
export async function startCommitTasks(
  consumer: Consumer,
  collector: RuntimeRecordCollector,
  tasks: Iterable<StreamTask>,
  metrics: CommitMetrics,
  clock: Clock,
  logger: StreamsLogger,
): Promise<{ done: Promise<boolean> }> {
  const started = clock.now();
  // Steps 1 and 2
  const { offsets, perTask: committed } = await flushAndCollectOffsets(collector, tasks);
  if (offsets.length === 0) return { done: Promise.resolve(true) };
  // Step 3 (started), then step 4
  const done = consumer.commit(offsets).then(
    () => {
      for (const [task, own] of committed) task.markCommitted(own);
      recordCommit(metrics, clock.now() - started);
      return true;
    },
    (e: unknown) => {
      if (!(e instanceof CommitFailedError) && !(e instanceof RebalanceInProgressError)) throw e;
      metrics.failedCommits++;
      logger.warn(`commit of ${offsets.length} partition offset(s) failed (the group rebalanced); their records will be processed again: ${(e as Error).message}`);
      return false;
    },
  );
  return { done };
}

/** Offsets to commit: every advanced partition's `processed + 1`, all together and per task. */
export interface CommittableOffsets {
  offsets: TopicPartitionOffset[];
  perTask: [StreamTask, TopicPartitionOffset[]][];
}

/**
 * The first half of every commit, at-least-once and exactly-once alike: flush each task's stores
 * (caches forward their updates; logging layers send changelog records), wait until the broker has
 * acknowledged every send of the collector, then collect each task's offsets that advanced.
 */
export async function flushAndCollectOffsets(collector: RuntimeRecordCollector, tasks: Iterable<StreamTask>): Promise<CommittableOffsets> {
  const all = [...tasks];
  for (const task of all) {
    const flushing = task.executor.flushStores();
    if (flushing instanceof Promise) await flushing;
  }
  await collector.awaitSends();
  const offsets: TopicPartitionOffset[] = [];
  const perTask: [StreamTask, TopicPartitionOffset[]][] = [];
  for (const task of all) {
    const own = task.committableOffsets();
    if (own.length === 0) continue;
    offsets.push(...own);
    perTask.push([task, own]);
  }
  return { offsets, perTask };
}

/** Counts a successful commit and its latency. */
export function recordCommit(metrics: CommitMetrics, latencyMs: number): void {
  metrics.commits++;
  metrics.totalLatencyMs += latencyMs;
  if (latencyMs > metrics.maxLatencyMs) metrics.maxLatencyMs = latencyMs;
}
