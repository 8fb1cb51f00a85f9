/**
 * The contract every partition log implements (durable segment files, or memory for unit tests).
 *
 * A log stores record *batches*: one `append` writes one batch, read back whole. Batch-level fields
 * (producer id/epoch/sequence, transactional and control flags) are stored now so that idempotent and
 * transactional producers fit without a format change. Offsets start at 0, grow by one per record and
 * never repeat; `logStartOffset` moves forward only (retention, deleteRecords).
 */
import type { Headers } from '../../core/record.js';

/** A record as it is appended (the broker has already turned strings into Buffers). */
export interface LogRecordInput {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

export interface AppendBatch {
  records: LogRecordInput[];
  /** -1 when the producer is not idempotent. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  /** Commit/abort markers of transactions. */
  isControl?: boolean;
}

export interface LogRecord extends LogRecordInput {
  offset: number;
}

/** A batch as read back: its header fields and its records (offsets baseOffset..lastOffset). */
export interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
  maxTimestamp: number;
  records: LogRecord[];
}

/** `ReadOptions.maxBytes` when none is given (1 MiB, Kafka's `max.partition.fetch.bytes`). */
export const DEFAULT_READ_MAX_BYTES = 1024 * 1024;

export interface ReadOptions {
  /** Stop after the batch that reaches this many records (at least one batch is always returned). */
  maxRecords?: number;
  /**
   * Stop after the batch that crosses this many bytes (at least one batch is always returned). Bytes are
   * counted as 16 + key length + value length per returned record. Default {@link DEFAULT_READ_MAX_BYTES}:
   * a read never materialises an unbounded part of the log; callers loop until they reach the end.
   */
  maxBytes?: number;
  /** Never return records at or past this offset (e.g. the last stable offset); batches are cut. */
  maxOffset?: number;
}

export interface PartitionLog {
  /** First offset still readable. */
  readonly logStartOffset: number;
  /** Offset the next appended record gets (Kafka's log end offset = high watermark here). */
  readonly logEndOffset: number;
  /** Approximate bytes on disk (or in memory). */
  readonly sizeBytes: number;

  /** Appends one batch synchronously; returns the offsets it was given. Empty batches are a RangeError. */
  append(batch: AppendBatch): { baseOffset: number; lastOffset: number };
  /**
   * Batches holding offsets >= fromOffset, oldest first. The first batch may start before fromOffset
   * (callers skip those records). fromOffset outside [logStartOffset, logEndOffset] is an
   * OffsetOutOfRangeError; fromOffset === logEndOffset returns [].
   */
  read(fromOffset: number, opts?: ReadOptions): LogBatch[];
  /** Earliest offset whose record timestamp is >= timestamp, or null when no record qualifies. */
  offsetForTimestamp(timestamp: number): number | null;
  /** Makes every appended batch durable (fsync). A no-op in memory. */
  sync(): Promise<void>;
  /** Drops records before `offset` (whole segments where possible); moves logStartOffset. */
  deleteRecordsBefore(offset: number): void;
  close(): void;
}

/** One segment as retention sees it. */
export interface SegmentSummary {
  baseOffset: number;
  /** One past the last offset written to the segment (its base when empty). */
  nextOffset: number;
  /** Largest record timestamp in the segment, -Infinity when empty. */
  maxTimestamp: number;
  sizeBytes: number;
}

/** What one compaction pass is told (topic config and the time). */
export interface CompactOptions {
  /** The broker clock's now. */
  now: number;
  /** `min.compaction.lag.ms`: a segment is cleanable once its newest record is at least this old. */
  minCompactionLagMs: number;
  /** `delete.retention.ms`: how long a tombstone stays after the pass that first cleaned it. */
  deleteRetentionMs: number;
  /** Input bytes processed per event-loop turn before yielding (default 256 KiB). */
  chunkBytes?: number;
  /** Set `aborted` to stop the pass at its next step (broker shutdown); nothing is lost. */
  signal?: { readonly aborted: boolean };
}

/** What one compaction pass did. */
export interface CompactionStats {
  /** False when there was nothing new to clean (no new sealed segment, no tombstone due). */
  ran: boolean;
  /** The pass stopped early (log closed, or its segments deleted under it); nothing was lost. */
  aborted: boolean;
  segmentsBefore: number;
  segmentsAfter: number;
  recordsRemoved: number;
  bytesRead: number;
  bytesWritten: number;
  /** Earliest delete horizon among the tombstones kept, or null: the next pass worth running. */
  nextDeleteHorizonMs: number | null;
}

/**
 * A log that supports retention and compaction (both implementations do; wrappers may not).
 * Segments are listed oldest first; the last one is the active segment, which neither touches.
 */
export interface MaintainablePartitionLog extends PartitionLog {
  segmentSummaries(): SegmentSummary[];
  /**
   * One compaction pass over the sealed segments (see `log-cleaner.ts`): keeps the latest record per
   * key, tombstones until their delete horizon, control and transactional batches as they are.
   * Runs in bounded steps between which appends and reads go on; concurrent calls share one pass.
   */
  compact(opts: CompactOptions): Promise<CompactionStats>;
}

/** True when `log` implements {@link MaintainablePartitionLog}. */
export function isMaintainable(log: PartitionLog): log is MaintainablePartitionLog {
  const candidate = log as Partial<MaintainablePartitionLog>;
  return typeof candidate.segmentSummaries === 'function' && typeof candidate.compact === 'function';
}
