/**
 * Compaction of the in-memory log: the same rules as the durable log cleaner (`log-cleaner.ts`, steps
 * 1–4, transactions included), applied synchronously to segments of batch objects — memory logs are small and test-sized, so
 * there is nothing to yield for. Delete horizons live in a WeakMap beside the batches, since a
 * `LogBatch` has no field for them.
 */
import type { CleanerState } from './log-cleaner.js';
import type { CompactionStats, CompactOptions, LogBatch, LogRecord } from './partition-log.js';
import { TransactionOutcomes } from './transaction-outcomes.js';

/** A segment of the in-memory log. */
export interface MemorySegment {
  baseOffset: number;
  nextOffset: number;
  batches: LogBatch[];
  bytes: number;
  maxTimestamp: number;
}

/** Bytes a record counts for in memory (the read-size measure of the contract). */
export function memoryRecordBytes(r: LogRecord): number {
  return 16 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
}

/** One pass over `segments` (the last is active and untouched); returns the new list and what it did. */
export function compactMemorySegments(
  segments: MemorySegment[],
  opts: CompactOptions,
  segmentBytes: number,
  horizons: WeakMap<LogBatch, number>,
  state: CleanerState,
): { segments: MemorySegment[]; stats: CompactionStats } {
  const stats: CompactionStats = {
    ran: false, aborted: false, segmentsBefore: segments.length, segmentsAfter: segments.length,
    recordsRemoved: 0, bytesRead: 0, bytesWritten: 0, nextDeleteHorizonMs: null,
  };
  let n = 0;
  while (n < segments.length - 1 && segments[n]!.maxTimestamp <= opts.now - opts.minCompactionLagMs) n++;
  if (n === 0) return { segments, stats };
  const through = segments[n]!.baseOffset;
  const due = state.nextDeleteHorizonMs !== null && opts.now >= state.nextDeleteHorizonMs;
  if (through <= state.cleanedThrough && !due) return { segments, stats };
  stats.ran = true;

  const latest = new Map<string, number>();
  const outcomes = new TransactionOutcomes((key, offset) => {
    if ((latest.get(key) ?? -1) < offset) latest.set(key, offset);
  });
  for (const seg of segments.slice(0, n)) {
    stats.bytesRead += seg.bytes;
    for (const b of seg.batches) {
      if (b.isControl || b.isTransactional) {
        outcomes.visit(b.producerId, b.baseOffset, b.isTransactional, b.isControl, b.records);
        continue;
      }
      for (const r of b.records) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
    }
  }
  const out: MemorySegment[] = [];
  let current: MemorySegment | null = null;
  let currentInputBytes = 0;
  for (const seg of segments.slice(0, n)) {
    if (current === null || currentInputBytes + seg.bytes > segmentBytes) {
      current = { baseOffset: seg.baseOffset, nextOffset: seg.baseOffset, batches: [], bytes: 0, maxTimestamp: -Infinity };
      currentInputBytes = 0;
      out.push(current);
    }
    currentInputBytes += seg.bytes;
    for (const b of seg.batches) {
      const kept = cleanBatch(b, latest, outcomes, opts, horizons, stats);
      if (kept === null) continue;
      current.batches.push(kept);
      current.nextOffset = kept.lastOffset + 1;
      for (const r of kept.records) current.bytes += memoryRecordBytes(r);
      if (kept.maxTimestamp > current.maxTimestamp) current.maxTimestamp = kept.maxTimestamp;
    }
  }
  for (const seg of out) stats.bytesWritten += seg.bytes;
  state.cleanedThrough = through;
  state.nextDeleteHorizonMs = stats.nextDeleteHorizonMs;
  const result = [...out, ...segments.slice(n)];
  stats.segmentsAfter = result.length;
  return { segments: result, stats };
}

/** What the cleaner keeps of one batch (the batch itself when unchanged), or null when nothing. */
function cleanBatch(
  b: LogBatch,
  latest: Map<string, number>,
  outcomes: TransactionOutcomes,
  opts: CompactOptions,
  horizons: WeakMap<LogBatch, number>,
  stats: CompactionStats,
): LogBatch | null {
  const committed = b.isTransactional ? outcomes.committed(b.baseOffset) : true;
  if (b.isControl || committed === undefined) return b;
  if (committed === false) {
    stats.recordsRemoved += b.records.length;
    return null;
  }
  const horizon = horizons.get(b) ?? null;
  const kept: LogRecord[] = [];
  let tombstones = false;
  for (const r of b.records) {
    if (r.key === null || latest.get(r.key.toString('latin1')) !== r.offset) continue;
    if (r.value === null && horizon !== null && opts.now >= horizon) continue;
    kept.push(r);
    if (r.value === null) tombstones = true;
  }
  stats.recordsRemoved += b.records.length - kept.length;
  if (kept.length === 0) return null;
  const newHorizon = tombstones ? (horizon ?? opts.now + opts.deleteRetentionMs) : null;
  if (newHorizon !== null && (stats.nextDeleteHorizonMs === null || newHorizon < stats.nextDeleteHorizonMs)) stats.nextDeleteHorizonMs = newHorizon;
  let maxTimestamp = -Infinity;
  for (const r of kept) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  const cleaned = kept.length === b.records.length ? b : { ...b, records: kept, maxTimestamp };
  if (newHorizon !== null) horizons.set(cleaned, newHorizon);
  return cleaned;
}
