import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE_NAME } from '../../../src/broker/log/data-dir-lock.js';
import { DataDirLockedError } from '../../../src/core/errors.js';
import { tempDirs } from './log-test-helpers.js';

const dirs = tempDirs();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  dirs.cleanup();
});

const childFile = fileURLToPath(new URL('./lock-holder-child.ts', import.meta.url));

/** Starts a child that takes the lock; resolves with the child and its first line of output. */
function lockInChild(dir: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childFile, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.on('exit', (code) => reject(new Error(`lock child exited (${code}) before answering: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
}

describe('broker > log > acquireDataDirLock', () => {
  it('refuses a second holder in the same process, until released', () => {
    const dir = dirs.make();
    const lock = acquireDataDirLock(dir);
    expect(lock.warning).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(path.join(dir, '.'))).toThrow(`locked by this process (pid ${process.pid})`);
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('refuses a lock held by another live process, naming its pid; takes it over once that process died', async () => {
    const dir = dirs.make();
    const { child, line } = await lockInChild(dir);
    expect(line).toBe(`locked ${child.pid}`);
    expect(() => acquireDataDirLock(dir)).toThrow(`locked by process ${child.pid}`);

    child.kill('SIGKILL'); // dies without releasing: the lock file stays behind, stale
    await exited(child);
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(true);
    const lock = acquireDataDirLock(dir);
    expect(lock.warning).toMatch(new RegExp(`took over a stale lock of dead process ${child.pid}`));
    lock.release();
  });

  it('makes another process fail while this process holds the lock', async () => {
    const dir = dirs.make();
    const lock = acquireDataDirLock(dir);
    const { child, line } = await lockInChild(dir);
    expect(line).toBe(`error DataDirLockedError: data directory ${dir} is locked by process ${process.pid}; close that broker first or use another dataDir`);
    await exited(child);
    lock.release();
  });

  it('treats its own pid in a lock it does not hold as stale (pid reuse after a restart)', () => {
    const dir = dirs.make();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), `${process.pid}\n`);
    const lock = acquireDataDirLock(dir);
    expect(lock.warning).toMatch(/stale lock/);
    lock.release();
  });
});
