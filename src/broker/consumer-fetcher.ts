import type { AutoOffsetReset } from '../core/client.js';
import { NoOffsetForPartitionError, OffsetOutOfRangeError } from '../core/errors.js';
import type { ConsumedRecord, TopicPartition } from '../core/record.js';
import type { BrokerCore } from './broker-core.js';
import type { GroupCoordinator } from './group/group-coordinator.js';
import type { LogBatch, PartitionLog } from './log/partition-log.js';
import { type AbortedTxn, isAbortedBatch } from './txn/txn-index.js';

/** One assigned partition: where the next poll reads, and whether it is paused. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** null until first needed: then the committed offset, or autoOffsetReset. */
  position: number | null;
  paused: boolean;
  /** Batches read but not all returned yet, and where to resume in them (valid while `position === bufferPos`). */
  batches: LogBatch[] | null;
  batchIndex: number;
  recordIndex: number;
  bufferPos: number;
}

/** A log read fetches at least this many records; what a poll does not return waits for the next. */
const FETCH_MIN_RECORDS = 2000;
const NO_ABORTED: readonly AbortedTxn[] = [];

/** How one consumer reads: its group (for committed offsets), reset policy and isolation level. */
export interface FetcherOptions {
  groupId: string | undefined;
  autoOffsetReset: AutoOffsetReset;
  /** read_committed: read below the last stable offset and skip aborted transactions' batches. */
  committedOnly: boolean;
}

/**
 * The read side of an embedded consumer (the hot path: plain loops, one object per record, no
 * closures or awaits), and the rules for where a partition's position starts and resets.
 * @example
 * const fetcher = new ConsumerFetcher(core, coordinator, { groupId: 'g', autoOffsetReset: 'earliest', committedOnly: false });
 * const records = fetcher.fetch(parts, 0, 500);
 */
export class ConsumerFetcher {
  constructor(
    private readonly core: BrokerCore,
    private readonly coordinator: GroupCoordinator,
    private readonly opts: FetcherOptions,
  ) {}

  /**
   * Reads assigned, non-paused partitions starting at `parts[start]` (round-robin fairness), up to
   * `maxRecords`. Keys and values are the log's own Buffers (no copies).
   */
  fetch(parts: readonly PartitionState[], start: number, maxRecords: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    const n = parts.length;
    let remaining = maxRecords;
    for (let i = 0; i < n && remaining > 0; i++) {
      const st = parts[(start + i) % n]!;
      if (st.paused || !this.core.hasTopic(st.topic)) continue;
      const topic = st.topic;
      const partition = st.partition;
      const log = this.core.getLog(topic, partition);
      let pos = st.position ?? this.initialPosition(st);
      if (pos < log.logStartOffset || pos > log.logEndOffset) pos = this.outOfRange(st, pos, log);
      // read_committed: stop at the last stable offset and skip aborted transactions' batches.
      const txns = this.opts.committedOnly ? this.core.transactions : undefined;
      const limit = txns === undefined ? log.logEndOffset : txns.lastStableOffset(topic, partition);
      const aborted = txns === undefined ? NO_ABORTED : txns.abortedTransactions(topic, partition);
      // Like Kafka's fetch buffer: read at least FETCH_MIN_RECORDS at a time and keep what this poll
      // does not return for the next one, so a small poll does not pay a log read (or re-decode a batch).
      let batches = st.bufferPos === pos ? st.batches : null;
      let bi = st.batchIndex;
      let ri = st.recordIndex;
      while (remaining > 0) {
        if (batches === null || bi >= batches.length) {
          batches = null;
          if (pos >= limit) break;
          batches = log.read(pos, { maxRecords: remaining > FETCH_MIN_RECORDS ? remaining : FETCH_MIN_RECORDS, maxOffset: limit });
          bi = 0;
          ri = 0;
          if (batches.length === 0) break;
        }
        const batch = batches[bi]!;
        if (batch.isControl || (batch.isTransactional && aborted.length > 0 && isAbortedBatch(aborted, batch.producerId, batch.baseOffset))) {
          if (batch.lastOffset >= pos) pos = batch.lastOffset + 1;
          bi++;
          ri = 0;
          continue;
        }
        const recs = batch.records;
        while (ri < recs.length && remaining > 0) {
          const r = recs[ri++]!;
          if (r.offset < pos) continue;
          out.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
          pos = r.offset + 1;
          remaining--;
        }
        if (ri >= recs.length) {
          bi++;
          ri = 0;
        }
      }
      st.batches = batches;
      st.batchIndex = bi;
      st.recordIndex = ri;
      st.bufferPos = pos;
      st.position = pos;
    }
    return out;
  }

  /** The committed offset, else autoOffsetReset (NoOffsetForPartitionError under 'none'). */
  initialPosition(st: PartitionState): number {
    const committed = this.opts.groupId === undefined ? undefined : this.coordinator.committed(this.opts.groupId, st.topic, st.partition);
    if (committed !== undefined) return (st.position = committed);
    const log = this.log(st);
    if (this.opts.autoOffsetReset === 'earliest') return (st.position = log.logStartOffset);
    if (this.opts.autoOffsetReset === 'latest') return (st.position = this.endOffset(st));
    throw new NoOffsetForPartitionError(
      `no committed offset for ${st.topic}-${st.partition}${this.opts.groupId === undefined ? ' (no groupId)' : ` in group "${this.opts.groupId}"`} ` +
        `and autoOffsetReset is 'none': seek() to an offset, or use 'earliest' / 'latest'`,
    );
  }

  /** A position outside [logStart, logEnd] (records deleted, or a seek past the end) resets per policy. */
  outOfRange(st: PartitionState, pos: number, log: PartitionLog): number {
    if (this.opts.autoOffsetReset === 'none') {
      throw new OffsetOutOfRangeError(
        `position ${pos} of ${st.topic}-${st.partition} is outside [${log.logStartOffset}, ${log.logEndOffset}] ` +
          `and autoOffsetReset is 'none': seek() to a valid offset`,
      );
    }
    return this.opts.autoOffsetReset === 'earliest' ? log.logStartOffset : log.logEndOffset;
  }

  /** Where 'latest' is: the log end, or the last stable offset under read_committed. */
  endOffset(p: TopicPartition): number {
    const txns = this.opts.committedOnly ? this.core.transactions : undefined;
    return txns === undefined ? this.log(p).logEndOffset : txns.lastStableOffset(p.topic, p.partition);
  }

  log(p: TopicPartition): PartitionLog {
    return this.core.getLog(p.topic, p.partition);
  }
}
