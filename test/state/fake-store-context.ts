import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangelogRecord } from '../../state/key-value-entry.js';
import type { StoreContext } from '../../state/store-context.js';
import { TaskStateDb } from '../../state/task-state-db.js';
import type { ThreadCache } from '../../state/thread-cache.js';

/** One record sent through `logChange`. */
export interface LoggedRecord extends ChangelogRecord {
  readonly store: string;
  readonly timestamp: number;
}

/** A StoreContext that captures changelog records in memory, with a settable record timestamp. */
export class FakeStoreContext implements StoreContext {
  readonly applicationId = 'app';
  readonly partition = 0;
  readonly changelog: LoggedRecord[] = [];
  now = 0;

  constructor(
    readonly taskId = '0_0',
    readonly stateDir: string | undefined = undefined,
    readonly stateDb?: TaskStateDb,
    readonly cache?: ThreadCache,
  ) {}

  timestamp(): number {
    return this.now;
  }

  logChange(store: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.changelog.push({ store, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp });
  }

  /** The changelog of one store. */
  recordsOf(store: string): LoggedRecord[] {
    return this.changelog.filter((r) => r.store === store);
  }
}

/** A fresh temporary directory; `cleanup` removes it. */
export function tempDir(prefix = 'tributary-state-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the TaskStateDb of task `taskId` under `root`. */
export function openTaskDb(root: string, taskId = '0_0', onWarning?: (m: string) => void): Promise<TaskStateDb> {
  return TaskStateDb.open({ dir: join(root, 'app', taskId), owner: taskId, onWarning });
}

/** Bytes of a string (short to write in tests). */
export const b = (s: string): Buffer => Buffer.from(s);
