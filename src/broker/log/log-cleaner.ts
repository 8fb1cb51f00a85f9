/**
 * The log cleaner of the durable log: one compaction pass over a partition's sealed segments, as in
 * Kafka's `LogCleaner` (the docs' "log compaction" section is the reference).
 *
 * 1. Cleanable range: the sealed segments, oldest first, up to (not including) the first one holding a
 *    record newer than `now - min.compaction.lag.ms`. The active segment is never cleaned.
 * 2. Offset map: key → offset of its latest record in the cleanable range, counting non-transactional
 *    records and those of committed transactions (`transaction-outcomes.ts`: a transaction is known to
 *    be committed or aborted once its marker has been scanned).
 * 3. Groups: consecutive cleanable segments whose sizes add up to at most `segment.bytes` are merged
 *    into one output segment (small segments left by earlier passes get merged).
 * 4. Each group is rewritten into `<base>-<end>.log.cleaned`, keeping a record when it is the latest of
 *    its key; a tombstone is kept until its batch's delete horizon (set to `now + delete.retention.ms`
 *    the first time a pass keeps it) and dropped after. Null-key data records are dropped (a compacted
 *    topic refuses them). Batches keep their offsets; emptied batches disappear (gaps are normal).
 *    Records of a committed transaction are cleaned like any others (their batch keeps its producer id
 *    and transactional flag); records of an aborted one are dropped, as Kafka's cleaner does (no
 *    reader can see them: read_uncommitted readers of a compacted topic get no guarantee about them).
 *    Control batches (the markers) and transactions whose marker is not in the cleanable range yet are
 *    copied as they are. Kafka also drops markers once their transaction's data is gone; we keep them.
 * 5. Swap (cleaner-files.ts): fsync, `.cleaned` → `.swap`, delete the originals, `.swap` → `<base>.log`,
 *    then in memory the group's segments are replaced by the new one in a single synchronous step.
 *
 * Non-blocking by construction: every step reads at most `chunkBytes` of input per event-loop turn and
 * yields with `setImmediate`, so produce and fetch interleave with a long pass (we chose this over a
 * worker thread: segments, fds and indexes stay owned by one thread and the swap needs no messaging).
 * Appends only touch the active segment and reads are synchronous, so they always see either all the
 * old segments or the new one. A pass whose segments are deleted under it (retention, deleteRecords) or
 * whose log closes stops and deletes its `.cleaned` file.
 */
import fs from 'node:fs';
import { CorruptRecordError } from '../../core/errors.js';
import { scanBatches } from './batch-scanner.js';
import { CLEANED_SUFFIX, cleanerFilePath, segmentFilePaths, SWAP_SUFFIX } from './cleaner-files.js';
import { fsyncDir } from './log-start-checkpoint.js';
import type { CompactionStats, CompactOptions, LogRecord } from './partition-log.js';
import { type BatchHeader, decodeRecords, encodeCleanedBatch } from './record-batch-codec.js';
import { Segment } from './segment.js';
import { TransactionOutcomes } from './transaction-outcomes.js';

/** What the cleaner needs of the durable log it cleans. */
export interface CleanerHost {
  readonly dir: string;
  readonly indexIntervalBytes: number;
  readonly segmentBytes: number;
  readonly isClosed: boolean;
  /** The live segments, oldest first (re-read after every yield). */
  readonly segmentList: readonly Segment[];
  /** Replaces `old` (consecutive and still present) by `replacement`, synchronously. */
  replaceSegments(old: readonly Segment[], replacement: Segment): void;
}

/** Remembered between passes so that a pass with nothing new to do is skipped. */
export interface CleanerState {
  /** First offset past the range the last completed pass cleaned. */
  cleanedThrough: number;
  nextDeleteHorizonMs: number | null;
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** The offset index stores offsets relative to the segment base as int32. */
const MAX_SEGMENT_OFFSET_SPAN = 0x7fff_ffff;

interface Pass {
  host: CleanerHost;
  opts: CompactOptions;
  chunkBytes: number;
  stats: CompactionStats;
}

/** One pass over `host` (steps 1–5 of this file's header); `state` is updated when it completes. */
export async function cleanLog(host: CleanerHost, opts: CompactOptions, state: CleanerState): Promise<CompactionStats> {
  const segments = host.segmentList;
  const stats: CompactionStats = {
    ran: false, aborted: false, segmentsBefore: segments.length, segmentsAfter: segments.length,
    recordsRemoved: 0, bytesRead: 0, bytesWritten: 0, nextDeleteHorizonMs: null,
  };
  // Step 1
  const cleanable: Segment[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i]!.maxTimestamp > opts.now - opts.minCompactionLagMs) break;
    cleanable.push(segments[i]!);
  }
  if (cleanable.length === 0) return stats;
  const through = segments[cleanable.length]!.baseOffset;
  const horizonDue = state.nextDeleteHorizonMs !== null && opts.now >= state.nextDeleteHorizonMs;
  if (through <= state.cleanedThrough && !horizonDue) return stats;
  stats.ran = true;
  const pass: Pass = { host, opts, chunkBytes: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, stats };

  // Step 2
  const latest = new Map<string, number>();
  // Committed records arrive when their marker is scanned, after later non-transactional ones: keep the larger offset.
  const outcomes = new TransactionOutcomes((key, offset) => {
    if ((latest.get(key) ?? -1) < offset) latest.set(key, offset);
  });
  for (const seg of cleanable) {
    const done = await forEachBatch(pass, cleanable, seg, (h, chunk, at) => {
      const records = decodeAt(host, seg, chunk, at, h);
      if (h.isControl || h.isTransactional) return outcomes.visit(h.producerId, h.baseOffset, h.isTransactional, h.isControl, records);
      for (const r of records) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
    });
    if (!done) return abort(stats);
  }

  // Steps 3–5
  for (const group of groupSegments(cleanable, host.segmentBytes)) {
    if (!stillPresent(host, group)) return abort(stats);
    const end = host.segmentList[host.segmentList.indexOf(group[group.length - 1]!) + 1]!.baseOffset;
    if (!(await rewriteGroup(pass, group, end, latest, outcomes))) return abort(stats);
  }
  state.cleanedThrough = through;
  state.nextDeleteHorizonMs = stats.nextDeleteHorizonMs;
  stats.segmentsAfter = host.segmentList.length;
  return stats;
}

function abort(stats: CompactionStats): CompactionStats {
  stats.aborted = true;
  return stats;
}

/** Step 3: consecutive segments whose sizes add up to at most `segmentBytes` (at least one each). */
function groupSegments(segments: Segment[], segmentBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let current: Segment[] = [];
  let size = 0;
  for (const seg of segments) {
    const first = current[0];
    if (first !== undefined && (size + seg.size > segmentBytes || seg.nextOffset - first.baseOffset > MAX_SEGMENT_OFFSET_SPAN)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(seg);
    size += seg.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** A batch written to the cleaned file, replayed into the new segment's indexes at the swap. */
interface Written {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Steps 4 and 5 for one group; false when the pass had to stop (nothing changed then). */
async function rewriteGroup(pass: Pass, group: Segment[], end: number, latest: Map<string, number>, outcomes: TransactionOutcomes): Promise<boolean> {
  const { host, opts, stats } = pass;
  const base = group[0]!.baseOffset;
  const cleanedPath = cleanerFilePath(host.dir, base, end, CLEANED_SUFFIX);
  const fd = fs.openSync(cleanedPath, 'w', 0o644);
  const written: Written[] = [];
  let position = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = () => {
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    for (let done = 0; done < buf.length; ) done += fs.writeSync(fd, buf, done, buf.length - done, position - buf.length + done);
  };
  const emit = (buf: Buffer, h: BatchHeader, maxTimestamp: number) => {
    written.push({ position, size: buf.length, baseOffset: h.baseOffset, lastOffset: h.lastOffset, maxTimestamp });
    pending.push(buf);
    position += buf.length;
    pendingBytes += buf.length;
    if (pendingBytes >= pass.chunkBytes) flush();
  };
  let completed = false;
  try {
    // Step 4
    for (const seg of group) {
      const done = await forEachBatch(pass, group, seg, (h, chunk, at) => {
        const raw = chunk.subarray(at, at + h.size);
        const committed = h.isTransactional ? outcomes.committed(h.baseOffset) : true;
        if (h.isControl || committed === undefined) return emit(raw, h, h.maxTimestamp);
        const records = decodeAt(host, seg, chunk, at, h);
        if (committed === false) {
          stats.recordsRemoved += records.length;
          return;
        }
        const kept: LogRecord[] = [];
        let tombstones = false;
        for (const r of records) {
          if (r.key === null || latest.get(r.key.toString('latin1')) !== r.offset) continue;
          if (r.value === null && h.deleteHorizonMs !== null && opts.now >= h.deleteHorizonMs) continue;
          kept.push(r);
          if (r.value === null) tombstones = true;
        }
        stats.recordsRemoved += records.length - kept.length;
        if (kept.length === 0) return;
        const horizon = tombstones ? (h.deleteHorizonMs ?? opts.now + opts.deleteRetentionMs) : null;
        if (horizon !== null && (stats.nextDeleteHorizonMs === null || horizon < stats.nextDeleteHorizonMs)) stats.nextDeleteHorizonMs = horizon;
        if (kept.length === records.length && horizon === h.deleteHorizonMs) return emit(raw, h, h.maxTimestamp);
        let maxTimestamp = -Infinity;
        for (const r of kept) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
        emit(encodeCleanedBatch(h, kept, horizon), h, maxTimestamp);
      });
      if (pending.length > 0) flush();
      if (!done) return false;
    }
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
    completed = true;
  } finally {
    fs.closeSync(fd);
    if (!completed) fs.rmSync(cleanedPath, { force: true });
  }
  if (opts.signal?.aborted === true || !stillPresent(host, group)) {
    fs.rmSync(cleanedPath, { force: true });
    return false;
  }
  // Step 5, in one synchronous run: no read or append sees a half-swapped log.
  const swapPath = cleanerFilePath(host.dir, base, end, SWAP_SUFFIX);
  fs.renameSync(cleanedPath, swapPath);
  fsyncDir(host.dir);
  for (const seg of group) seg.delete();
  fs.renameSync(swapPath, segmentFilePaths(host.dir, base)[0]!);
  const replacement = Segment.openExisting(host.dir, base, host.indexIntervalBytes);
  for (const w of written) replacement.noteBatch(w.position, w.size, w.baseOffset, w.lastOffset, w.maxTimestamp);
  replacement.rewriteIndexes();
  fsyncDir(host.dir);
  host.replaceSegments(group, replacement);
  stats.bytesWritten += position;
  return true;
}

/**
 * Visits the batches of `seg`, yielding to the event loop after every `chunkBytes` of input.
 * Returns false (having visited only part) when the log closed or one of `watched` left it.
 */
async function forEachBatch(
  pass: Pass,
  watched: readonly Segment[],
  seg: Segment,
  visit: (h: BatchHeader, chunk: Buffer, at: number) => void,
): Promise<boolean> {
  let position = 0;
  let next = seg.baseOffset;
  const size = seg.size;
  while (position < size) {
    const from = position;
    const result = scanBatches(seg, size, position, next, (h, pos, chunk, at) => {
      visit(h, chunk, at);
      return pos + h.size - from < pass.chunkBytes;
    });
    if (result.problem !== null) {
      throw new CorruptRecordError(
        `${pass.host.dir}: cannot clean ${seg.logPath}: ${result.problem} at position ${result.end} (offset ${result.nextOffset})`,
      );
    }
    pass.stats.bytesRead += result.end - position;
    position = result.end;
    next = result.nextOffset;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (pass.opts.signal?.aborted === true || !stillPresent(pass.host, watched)) return false;
  }
  return true;
}

function stillPresent(host: CleanerHost, segments: readonly Segment[]): boolean {
  if (host.isClosed) return false;
  const live = new Set(host.segmentList);
  return segments.every((s) => live.has(s));
}

function decodeAt(host: CleanerHost, seg: Segment, chunk: Buffer, at: number, h: BatchHeader): LogRecord[] {
  try {
    return decodeRecords(chunk, at, h);
  } catch (err) {
    throw new CorruptRecordError(`${host.dir}: cannot clean ${seg.logPath}: batch at offset ${h.baseOffset}: ${(err as Error).message}`);
  }
}
