/**
 * The partition's log start offset, persisted in `log-start-offset.checkpoint` so that
 * `deleteRecordsBefore` survives a restart even when it did not free a whole segment. Written
 * atomically: a temp file is written and fsynced, renamed over the old one, and the directory fsynced.
 */
import fs from 'node:fs';
import path from 'node:path';

const FILE = 'log-start-offset.checkpoint';
const VERSION = '1';

/** Reads the checkpointed log start offset, or null when there is none (or it is unreadable). */
export function readLogStartCheckpoint(dir: string, warn: (msg: string) => void): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const [version, value] = text.split('\n');
  const offset = Number(value);
  if (version !== VERSION || value === '' || !Number.isSafeInteger(offset) || offset < 0) {
    warn(`${path.join(dir, FILE)} is unreadable (${JSON.stringify(text.slice(0, 40))}); ignoring it`);
    return null;
  }
  return offset;
}

/** Atomically replaces the checkpoint with `offset`. */
export function writeLogStartCheckpoint(dir: string, offset: number): void {
  const target = path.join(dir, FILE);
  const tmp = `${target}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, `${VERSION}\n${offset}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
  fsyncDir(dir);
}

/** fsyncs a directory so that file creations, renames and deletions in it are durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * {@link fsyncDir}, best effort: some platforms cannot open or fsync a directory, and there a rename
 * or a new entry is still atomic and survives a clean shutdown, so the failure is ignored.
 */
export function tryFsyncDir(dir: string): void {
  try {
    fsyncDir(dir);
  } catch {
    // see above
  }
}
