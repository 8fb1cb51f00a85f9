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
