/**
 * Idempotence: what the broker remembers per (producer id, partition) so that a retried batch is
 * written once and a lost batch is noticed (KIP-98's producer state).
 *
 * For each producer on each partition: its epoch, the last sequence number appended, and the metadata
 * of its last {@link RECENT_BATCHES} batches. A batch whose sequence range matches a remembered batch
 * is a retry after a lost acknowledgement: it is not written again and gets the original offsets.
 * Rebuilt at open by scanning the tail of each log's batch headers (the headers are durable; this table is not).
 */
import { DuplicateSequenceError, InvalidProducerEpochError, OutOfOrderSequenceError } from '../../core/errors.js';
import type { PartitionLog } from '../log/partition-log.js';

/** How many batches per producer and partition are remembered for deduplication (Kafka keeps 5 in flight). */
export const RECENT_BATCHES = 5;
/** How many offsets at the end of each log `rebuild` scans for producer state at open. */
export const REBUILD_TAIL_OFFSETS = 50_000;

interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  recent: BatchMeta[];
}

/** Offsets a batch was (or had already been) written at. */
export interface AppendedRange {
  baseOffset: number;
  lastOffset: number;
}

/** Per-partition producer sequence state of one broker. */
export class ProducerStateTable {
  private readonly byPartition = new Map<string, Map<number, ProducerEntry>>();
  /**
   * Producer ids below this were handed out before this broker opened: their state on a partition may lie
   * before the scanned tail, so an unknown one is accepted at any sequence (as Kafka does for a producer
   * whose state expired) instead of failing forever.
   */
  firstIdOfThisRun = 0;

  /**
   * Checks a batch of `count` records with sequences `firstSeq..` from `producerId`/`epoch` before it is
   * appended. Returns the original offsets of a retried batch, or null for a new batch. Throws
   * InvalidProducerEpochError (older epoch), OutOfOrderSequenceError (a gap: a batch was lost) or
   * DuplicateSequenceError (an old batch no longer remembered).
   */
  check(topic: string, partition: number, producerId: number, epoch: number, firstSeq: number, count: number): AppendedRange | null {
    const entry = this.byPartition.get(`${topic}\u0000${partition}`)?.get(producerId);
    const where = `producerId ${producerId} epoch ${epoch} on ${topic}-${partition}`;
    if (entry === undefined) {
      if (firstSeq === 0 || producerId < this.firstIdOfThisRun) return null;
      throw new OutOfOrderSequenceError(`${where}: first batch has sequence ${firstSeq}, expected 0`);
    }
    if (epoch < entry.epoch) {
      throw new InvalidProducerEpochError(`${where}: epoch is older than the partition's current epoch ${entry.epoch} for this producer`);
    }
    if (epoch > entry.epoch) {
      if (firstSeq === 0) return null;
      throw new OutOfOrderSequenceError(`${where}: first batch of a new epoch has sequence ${firstSeq}, expected 0`);
    }
    const lastSeq = firstSeq + count - 1;
    for (const b of entry.recent) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { baseOffset: b.baseOffset, lastOffset: b.lastOffset };
    if (firstSeq === entry.lastSeq + 1) return null;
    if (firstSeq <= entry.lastSeq) {
      throw new DuplicateSequenceError(`${where}: sequences ${firstSeq}..${lastSeq} were already written (last is ${entry.lastSeq}) and are no longer remembered`);
    }
    throw new OutOfOrderSequenceError(`${where}: sequence ${firstSeq} leaves a gap after ${entry.lastSeq} (a batch was lost)`);
  }

  /** Remembers an appended batch (call right after the append, in the same synchronous step as `check`). */
  record(topic: string, partition: number, producerId: number, epoch: number, firstSeq: number, range: AppendedRange): void {
    const key = `${topic}\u0000${partition}`;
    let producers = this.byPartition.get(key);
    if (producers === undefined) this.byPartition.set(key, (producers = new Map()));
    let entry = producers.get(producerId);
    if (entry === undefined || epoch > entry.epoch) producers.set(producerId, (entry = { epoch, lastSeq: -1, recent: [] }));
    const lastSeq = firstSeq + (range.lastOffset - range.baseOffset);
    entry.lastSeq = lastSeq;
    entry.recent.push({ firstSeq, lastSeq, ...range });
    if (entry.recent.length > RECENT_BATCHES) entry.recent.shift();
  }

  /**
   * Rebuilds one partition's producer state from the batch headers of the last `tailOffsets` offsets of
   * its log. Returns the highest producer id seen (-1 if none), so producer ids are never handed out twice.
   */
  /** The highest epoch any partition has seen from `producerId`, or -1. */
  maxEpoch(producerId: number): number {
    let max = -1;
    for (const producers of this.byPartition.values()) {
      const entry = producers.get(producerId);
      if (entry !== undefined && entry.epoch > max) max = entry.epoch;
    }
    return max;
  }

  rebuild(topic: string, partition: number, log: PartitionLog, tailOffsets = REBUILD_TAIL_OFFSETS): number {
    let highest = -1;
    let position = Math.max(log.logStartOffset, log.logEndOffset - tailOffsets);
    while (position < log.logEndOffset) {
      const batches = log.read(position);
      if (batches.length === 0) break;
      for (const b of batches) {
        position = b.lastOffset + 1;
        if (b.producerId < 0 || b.isControl || b.baseSequence < 0) continue;
        highest = Math.max(highest, b.producerId);
        this.record(topic, partition, b.producerId, b.producerEpoch, b.baseSequence, { baseOffset: b.baseOffset, lastOffset: b.lastOffset });
      }
    }
    return highest;
  }
}
