/**
 * An exclusive lock on a broker's data directory: the file `<dataDir>/tributary.lock` holding the pid
 * of its owner.
 *
 * - Another live process holds it → `DataDirLockedError` naming that pid.
 * - The recorded pid is dead (`process.kill(pid, 0)` throws ESRCH) → the lock is stale (its owner
 *   crashed): it is taken over, and the returned handle says so in `warning`.
 * - Another Broker in this process holds it → `DataDirLockedError` (a module-level set, since the pid
 *   alone cannot tell two owners in one process apart).
 *
 * The lock file appears with its content already in it: the pid is written to a private temp file
 * (created with `openSync(..., 'wx')`) which is then hard-linked to the lock name; `link` fails with
 * EEXIST when the lock exists, so creation is atomic and no reader ever sees an empty lock file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataDirLockedError } from '../../core/errors.js';

/** Name of the lock file inside the data directory. */
export const LOCK_FILE_NAME = 'tributary.lock';

/** A held data-directory lock. */
export interface DataDirLock {
  /** Removes the lock (if still ours). Idempotent. */
  release(): void;
  /** Set when a stale lock of a dead process was taken over. */
  readonly warning?: string;
}

/** Lock files (resolved paths) held by this process. */
const heldInProcess = new Set<string>();

/**
 * Takes the lock on `dataDir` (created if missing) or throws `DataDirLockedError` naming the holder.
 *
 * @example
 * ```ts
 * const lock = acquireDataDirLock('/var/lib/tributary');
 * if (lock.warning) console.warn(lock.warning);
 * try { ... } finally { lock.release(); }
 * ```
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.resolve(dataDir, LOCK_FILE_NAME);
  if (heldInProcess.has(lockPath)) throw new DataDirLockedError(dataDir, `this process (pid ${process.pid})`);

  let warning: string | undefined;
  // A few rounds: each lost race (another process creating or taking over the lock) is re-examined.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath)) {
      heldInProcess.add(lockPath);
      return makeHandle(lockPath, warning);
    }
    const holder = readPid(lockPath);
    if (holder === undefined) continue; // vanished in between: try again
    if (holder !== null && isAlive(holder)) throw new DataDirLockedError(dataDir, `process ${holder}`);
    if (takeOverStale(lockPath, holder)) {
      warning = `${dataDir}: took over a stale lock of ${holder === null ? 'an unreadable owner' : `dead process ${holder}`}`;
    }
  }
  throw new DataDirLockedError(dataDir, 'another process (the lock kept changing hands)');
}

function makeHandle(lockPath: string, warning: string | undefined): DataDirLock {
  let released = false;
  return {
    warning,
    release() {
      if (released) return;
      released = true;
      heldInProcess.delete(lockPath);
      if (readPid(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
    },
  };
}

/** Creates the lock file holding our pid; false when it already exists. */
function tryCreate(lockPath: string): boolean {
  const tmp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    fs.writeSync(fd, `${process.pid}\n`);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The pid in a lock file; null when unreadable, undefined when the file is gone. */
function readPid(file: string): number | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  // Our own pid in a lock we do not hold (not in heldInProcess) was left by an earlier process that
  // had the same pid, as happens across container restarts.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, owned by another user
  }
}

/**
 * Removes the stale lock of `stalePid`. It is first renamed to a private name (atomic: only one of
 * several processes taking over gets it), then checked: if what was moved is not the stale lock (someone
 * took it over in between), it is linked back. Returns true when the stale lock was removed.
 */
function takeOverStale(lockPath: string, stalePid: number | null): boolean {
  const grave = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.stale`;
  try {
    fs.renameSync(lockPath, grave);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    if (readPid(grave) === stalePid) return true;
    try {
      fs.linkSync(grave, lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return false;
  } finally {
    fs.rmSync(grave, { force: true });
  }
}
