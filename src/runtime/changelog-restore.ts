import type { Admin, Consumer } from '../core/client.js';
import { TributaryError } from '../core/errors.js';
import type { ChangelogBatch } from '../../state/state-restorer.js';
import type { ChangelogRecord } from '../../state/key-value-entry.js';

/** How long a restore waits for the changelog to deliver records it knows exist before failing. */
const STALL_TIMEOUT_MS = 30_000;

/** Where a changelog partition's restore starts and ends. */
export interface ChangelogRange {
  /** First offset to read: the checkpoint (or 0), raised to the log start offset. */
  readonly from: number;
  /** The changelog's end for `read_committed` readers when the restore starts (last stable offset). */
  readonly end: number;
}

/**
 * Reads where a changelog partition ends (its last stable offset: what a `read_committed` reader
 * sees) and where reading from `checkpoint` must start (records below the log start offset were
 * compacted or deleted away).
 * @example
 * const { from, end } = await changelogRange(admin, 'app-counts-changelog', 1, checkpoint);
 */
export async function changelogRange(admin: Admin, topic: string, partition: number, checkpoint: number | undefined): Promise<ChangelogRange> {
  const desc = await admin.describeTopic(topic);
  const p = desc.partitions.find((d) => d.partition === partition);
  if (p === undefined) {
    throw new TributaryError('CHANGELOG_PARTITION_MISSING', `changelog topic "${topic}" has no partition ${partition} (it has ${desc.partitions.length}); delete it or reset the application`);
  }
  return { from: Math.max(checkpoint ?? 0, p.logStartOffset), end: p.lastStableOffset };
}

/**
 * The batches of one changelog partition from `from` up to `end`, read by a dedicated restore
 * consumer in assign mode (no group, nothing committed): what `StateRestorer` consumes.
 *
 * Each batch is one `poll` (at most `maxRecords`); `nextOffset` is the consumer's position after it,
 * so gaps left by compaction or transaction markers are stepped over. Records without a key cannot
 * be store changes and are skipped. The iteration ends at `end`; if the partition delivers nothing
 * for 30 s while short of `end`, it throws, naming topic, partition and offsets.
 * @example
 * for await (const batch of changelogBatches(consumer, 'app-counts-changelog', 1, 0, 42, 1000)) store.restoreBatch(batch.records);
 */
export async function* changelogBatches(
  consumer: Consumer,
  topic: string,
  partition: number,
  from: number,
  end: number,
  maxRecords: number,
): AsyncGenerator<ChangelogBatch> {
  consumer.assign([{ topic, partition }]);
  consumer.seek(topic, partition, from);
  let next = from;
  let lastProgressAt = Date.now();
  let stalled = false;
  while (next < end) {
    // Wait for data only after a poll that made no progress: a poll that only steps over
    // transaction markers returns nothing, and waiting there would add 100 ms to a tail-only restore.
    const polled = await consumer.poll({ maxRecords, timeoutMs: stalled ? 100 : 0 });
    const records: ChangelogRecord[] = [];
    for (const r of polled) {
      if (r.topic !== topic || r.partition !== partition || r.key === null) continue;
      records.push({ key: r.key, value: r.value, timestamp: r.timestamp });
    }
    const position = consumer.position(topic, partition);
    stalled = position <= next && records.length === 0;
    if (stalled) {
      if (Date.now() - lastProgressAt > STALL_TIMEOUT_MS) {
        throw new TributaryError(
          'RESTORE_STALLED',
          `restoring from changelog "${topic}" partition ${partition}: no records past offset ${next} for ${STALL_TIMEOUT_MS} ms, though it ends at ${end}`,
        );
      }
      continue;
    }
    lastProgressAt = Date.now();
    next = Math.max(position, next);
    yield { records, nextOffset: next };
  }
}
