/**
 * The files of a segment rewrite by the log cleaner, and how recovery finishes or discards an
 * interrupted one. The protocol follows Kafka's (`.cleaned` → `.swap` → final name):
 *
 * 1. The cleaned output of the segments with base offsets in [base, end) is written to
 *    `<base>-<end>.log.cleaned` and fsynced. A crash here leaves the originals intact: recovery deletes
 *    the `.cleaned` file.
 * 2. It is renamed to `<base>-<end>.log.swap` and the directory fsynced. From here on the rewrite is
 *    committed: recovery completes it.
 * 3. The original segments (base offsets in [base, end)) are deleted.
 * 4. The `.swap` file is renamed to `<base>.log`; its indexes are written (or rebuilt by recovery).
 *
 * `end` is in the name because the cleaned output may end before the last original segment did (its
 * last batches dropped), so the swap file alone cannot say which originals it replaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { unlinkIfExists } from './index-file.js';
import { fsyncDir } from './log-start-checkpoint.js';
import { parseSegmentFileName, segmentName } from './segment.js';

/** Suffix of a rewrite's output while it is being written (step 1). */
export const CLEANED_SUFFIX = '.log.cleaned';
/** Suffix of a committed rewrite not yet in place (steps 2–4). */
export const SWAP_SUFFIX = '.log.swap';

/** `<base>-<end><suffix>` inside `dir`. */
export function cleanerFilePath(dir: string, base: number, end: number, suffix: string): string {
  return path.join(dir, `${segmentName(base)}-${segmentName(end)}${suffix}`);
}

/** The three files of the segment at `base`. */
export function segmentFilePaths(dir: string, base: number): string[] {
  const stem = path.join(dir, segmentName(base));
  return [`${stem}.log`, `${stem}.index`, `${stem}.timeindex`];
}

function parseCleanerFileName(name: string, suffix: string): { base: number; end: number } | null {
  if (!name.endsWith(suffix)) return null;
  const m = /^(\d{20})-(\d{20})$/.exec(name.slice(0, -suffix.length));
  return m === null ? null : { base: Number(m[1]), end: Number(m[2]) };
}

/**
 * Recovery step 0: deletes unfinished `.cleaned` outputs and completes committed `.swap` rewrites, so
 * that afterwards the directory holds only whole segments, each offset in exactly one of them.
 */
export function finishInterruptedCleaning(dir: string, warn: (msg: string) => void): void {
  let changed = false;
  for (const name of fs.readdirSync(dir)) {
    if (parseCleanerFileName(name, CLEANED_SUFFIX) === null) continue;
    unlinkIfExists(path.join(dir, name));
    warn(`deleted ${path.join(dir, name)}: a log cleaning interrupted before it was committed (the original segments are intact)`);
    changed = true;
  }
  for (const name of fs.readdirSync(dir).sort()) {
    const swap = parseCleanerFileName(name, SWAP_SUFFIX);
    if (swap === null) continue;
    const replaced: string[] = [];
    for (const other of fs.readdirSync(dir)) {
      const base = parseSegmentFileName(other);
      if (base === null || base < swap.base || base >= swap.end) continue;
      for (const file of segmentFilePaths(dir, base)) unlinkIfExists(file);
      replaced.push(other);
    }
    // The final name's stale indexes (of the replaced first segment) must not survive either.
    for (const file of segmentFilePaths(dir, swap.base).slice(1)) unlinkIfExists(file);
    fs.renameSync(path.join(dir, name), segmentFilePaths(dir, swap.base)[0]!);
    warn(`completed an interrupted log cleaning in ${dir}: ${name} replaced ${replaced.length} segment(s) of offsets [${swap.base}, ${swap.end})`);
    changed = true;
  }
  if (changed) fsyncDir(dir);
}
