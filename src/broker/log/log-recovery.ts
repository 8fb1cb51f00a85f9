/**
 * Recovery of a partition directory on open.
 *
 * 0. Finish or discard an interrupted log cleaning (`cleaner-files.ts`): delete `.cleaned` outputs,
 *    complete `.swap` rewrites.
 * 1. List `<20 digits>.log` files; drop index files and temp files that belong to no segment.
 * 2. Each sealed (non-last) segment: load its indexes, check them, and validate the batches from the
 *    last offset-index entry to the end of the file (they must end exactly where the next segment
 *    starts). Cheap: at most `indexIntervalBytes` plus one batch per segment.
 * 3. The last (active) segment, and any sealed segment that failed step 2: scan every batch from the
 *    start (length, magic, CRC, continuous offsets), rebuilding both indexes as it goes, and compare the
 *    index files on disk with what the scan proves (a mismatch is reported, then overwritten).
 * 4. At the first torn or corrupt batch: truncate the file there, delete every later segment, and
 *    report what was dropped (file, position, bytes). Nothing after a bad batch is ever served.
 */
import fs from 'node:fs';
import path from 'node:path';
import { scanBatches } from './batch-scanner.js';
import { finishInterruptedCleaning } from './cleaner-files.js';
import { unlinkIfExists } from './index-file.js';
import { OffsetIndex } from './offset-index.js';
import { parseSegmentFileName, Segment, segmentName } from './segment.js';
import { TimeIndex } from './time-index.js';

/** Opens and recovers the segments of `dir`, oldest first (empty when the directory holds none). */
export function recoverSegments(dir: string, indexIntervalBytes: number, warn: (msg: string) => void): Segment[] {
  // Step 0
  finishInterruptedCleaning(dir, warn);
  // Step 1
  const names = fs.readdirSync(dir);
  const bases = names.map(parseSegmentFileName).filter((b): b is number => b !== null).sort((a, b) => a - b);
  const stems = new Set(bases.map(segmentName));
  for (const name of names) {
    const m = /^(\d{20})\.(index|timeindex)$/.exec(name);
    if ((m !== null && !stems.has(m[1]!)) || name.endsWith('.tmp')) unlinkIfExists(path.join(dir, name));
  }

  const segments = bases.map((base) => Segment.openExisting(dir, base, indexIntervalBytes));
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    // Step 2
    if (next !== undefined && recoverSealed(seg, next.baseOffset)) continue;
    // Step 3
    const problem = recoverByFullScan(seg, warn);
    if (next === undefined) break;
    // A cleaned segment may end before the next one starts (its last batches were dropped), never after.
    if (problem === null && seg.nextOffset > next.baseOffset) {
      warn(`${seg.logPath} ends at offset ${seg.nextOffset}, past the start ${next.baseOffset} of the next segment`);
    } else if (problem === null) {
      continue;
    }
    // Step 4: nothing after a gap or a bad batch can be trusted to follow on.
    for (const later of segments.splice(i + 1)) {
      warn(`deleted ${later.logPath} (${later.size} bytes, offsets from ${later.baseOffset}) after the corruption in ${seg.logPath}`);
      later.delete();
    }
  }
  return segments;
}

/** Step 2: true when the segment's indexes load cleanly and its tail is valid and meets `nextBase`. */
function recoverSealed(seg: Segment, nextBase: number): boolean {
  const offsetIndex = OffsetIndex.load(seg.offsetIndex.path, seg.baseOffset, seg.size, nextBase);
  const timeIndex = TimeIndex.load(seg.timeIndex.path, seg.baseOffset, nextBase);
  if (offsetIndex === null || timeIndex === null || timeIndex.entryCount === 0) return false;
  const from = offsetIndex.last();
  let maxTimestamp = -Infinity;
  let lastBatchOffset = -1;
  const result = scanBatches(seg, seg.size, from.position, from.offset, (h) => {
    if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
    lastBatchOffset = h.baseOffset;
  });
  if (result.problem !== null || result.end !== seg.size || result.nextOffset > nextBase) return false;
  // The final time-index entry written at roll holds the exact maximum; a larger one in the tail means
  // that entry never reached the file.
  if (lastBatchOffset < 0 || maxTimestamp > timeIndex.maxTimestamp) return false;
  seg.adoptLoaded(offsetIndex, timeIndex, result.nextOffset, timeIndex.maxTimestamp, lastBatchOffset);
  return true;
}

/**
 * Step 3 (and 4 for this segment): rebuilds the segment's state by scanning it all, truncates at the
 * first bad batch, rewrites its indexes. Returns the problem found in the log, or null.
 */
function recoverByFullScan(seg: Segment, warn: (msg: string) => void): string | null {
  const fileSize = seg.size;
  // Entries past the end of the file are judged below: expected after a torn tail, corrupt otherwise.
  const loadedOffsets = OffsetIndex.load(seg.offsetIndex.path, seg.baseOffset, Infinity, Infinity);
  const loadedTimes = TimeIndex.load(seg.timeIndex.path, seg.baseOffset, Infinity);
  let offsetsOk = loadedOffsets !== null;
  let timesOk = loadedTimes !== null;
  let oi = 0;
  let ti = 0;
  seg.resetForScan();
  const result = scanBatches(seg, fileSize, 0, seg.baseOffset, (h, position) => {
    seg.noteBatch(position, h.size, h.baseOffset, h.lastOffset, h.maxTimestamp);
    // Each entry on disk must name a real batch: its position, and the running maximum after it.
    for (; offsetsOk && oi < loadedOffsets!.entryCount && loadedOffsets!.entryAt(oi).offset <= h.baseOffset; oi++) {
      const e = loadedOffsets!.entryAt(oi);
      offsetsOk = e.offset === h.baseOffset && e.position === position;
    }
    for (; timesOk && ti < loadedTimes!.entryCount && loadedTimes!.entryAt(ti).offset <= h.baseOffset; ti++) {
      const e = loadedTimes!.entryAt(ti);
      timesOk = e.offset === h.baseOffset && e.timestamp === seg.maxTimestamp;
    }
  });
  if (result.problem !== null) {
    warn(
      `truncated ${seg.logPath} at position ${result.end}: dropped ${fileSize - result.end} bytes ` +
        `from offset ${result.nextOffset} on (${result.problem})`,
    );
    seg.truncateLog(result.end);
  } else {
    // Entries past the end of a log that was not truncated point at nothing.
    if (offsetsOk && oi < loadedOffsets!.entryCount) offsetsOk = false;
    if (timesOk && ti < loadedTimes!.entryCount) timesOk = false;
  }
  if (!offsetsOk) warn(`rebuilt ${seg.offsetIndex.path}: missing or inconsistent with the log`);
  if (!timesOk) warn(`rebuilt ${seg.timeIndex.path}: missing or inconsistent with the log`);
  seg.rewriteIndexes();
  return result.problem;
}
