/**
 * File helpers shared by the offset and time indexes. Index entries are kept in memory and written in
 * bulk (at sync, roll and close); the files are a cache of what a scan of the `.log` would rebuild, so
 * they are never fsynced on their own and a missing or inconsistent file is simply rebuilt.
 */
import fs from 'node:fs';

/** Reads a whole index file, or null when it does not exist. */
export function readIndexFile(path: string): Buffer | null {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes `bytes` at `position` of the file (created if missing), then cuts the file there. */
export function writeIndexBytes(path: string, position: number, bytes: Buffer): void {
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
    fs.ftruncateSync(fd, position + bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes a file, ignoring one that is already gone. */
export function unlinkIfExists(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
