import type { GroupMetadata } from '../core/client.js';
import type { Clock } from '../core/clock.js';
import { type CommitMetrics, flushAndCollectOffsets, recordCommit } from './commit.js';
import type { EosProducer } from './eos-producer.js';
import type { RuntimeRecordCollector } from './runtime-record-collector.js';
import type { StreamTask } from './stream-task.js';

/**
 * An exactly-once commit of every task of an instance (`exactly_once_v2`, KIP-447), steps 1–4;
 * the stream thread then runs step 5:
 *
 * 1. flush every task's stores: record caches forward their pending updates (sink records reach the
 *    collector) and the logging layers send the changelog records;
 * 2. flush the record collector and wait until the broker acknowledged every send — all of them
 *    inside the instance's open transaction;
 * 3. `sendOffsetsToTransaction(processed offset + 1 of every advanced partition, applicationId,
 *    the consumer's group metadata)`: the offsets reach the group only if the transaction commits, and
 *    only while this instance is still a member at its generation (KIP-447) — an instance that stalled
 *    past its timeout, whose tasks moved to another instance with another transactional id, fails
 *    here with `TaskMigratedError` instead of committing what the new owner is reprocessing;
 * 4. `commitTransaction()` — outputs, changelog records and input offsets become visible to
 *    `read_committed` readers together, or (crash, abort, fencing) none of them does;
 * 5. (`StreamThread.commit`) only now write each task's store changes with its checkpoint, atomically
 *    per task (`TaskStateDb.commit`): the local LevelDB never holds data of an uncommitted
 *    transaction, so a restart only replays the committed changelog tail past the checkpoint.
 *
 * No `consumer.commit()`: the transaction carries the offsets. Every failure is thrown; the thread
 * aborts the transaction (if it still can) and closes the tasks without a checkpoint.
 * @example
 * await commitExactlyOnce(eos, collector, tasks.values(), 'app', metrics, clock, () => consumer.groupMetadata());
 * await taskManager.checkpoint(); // step 5
 */
export async function commitExactlyOnce(
  producer: EosProducer,
  collector: RuntimeRecordCollector,
  tasks: Iterable<StreamTask>,
  groupId: string,
  metrics: CommitMetrics,
  clock: Clock,
  groupMetadata?: () => GroupMetadata | null,
): Promise<void> {
  const started = clock.now();
  // Steps 1 and 2
  const { offsets, perTask: advanced } = await flushAndCollectOffsets(collector, tasks);
  if (offsets.length === 0 && !producer.inTransaction) return;
  // Steps 3 and 4
  try {
    await producer.commit(offsets, groupId, groupMetadata?.() ?? undefined);
  } catch (e) {
    metrics.failedCommits++;
    throw e;
  }
  for (const [task, own] of advanced) task.markCommitted(own);
  recordCommit(metrics, clock.now() - started);
}
