import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskStateDb } from '../../state/task-state-db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const b = (s: string) => Buffer.from(s);

async function reopen(dir: string): Promise<{ values: Map<string, string | null>; checkpoint: Map<string, number> }> {
  const db = await TaskStateDb.open({ dir });
  const space = await db.space('s');
  const values = new Map<string, string | null>();
  for (const k of ['a', 'b', 'c']) values.set(k, space.get(b(k))?.toString() ?? null);
  const checkpoint = db.readCheckpoint();
  space.release();
  await db.close();
  return { values, checkpoint };
}

describe('state > TaskStateDb.commit(offsets, writeAfter)', () => {
  it('takes the staged writes at the call and writes them only after writeAfter resolves true; later writes stay staged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-write-after-'));
    dirs.push(dir);
    const db = await TaskStateDb.open({ dir });
    const space = await db.space('s');
    space.stage(b('a'), b('1'));
    let go!: (ok: boolean) => void;
    const committing = db.commit(new Map([['cl-0', 5]]), new Promise<boolean>((r) => (go = r)));
    // Staged after the take: not part of this batch, but readable, as are the taken writes.
    space.stage(b('b'), b('2'));
    expect(space.get(b('a'))?.toString()).toBe('1');
    expect(space.get(b('b'))?.toString()).toBe('2');
    expect(space.pendingCount()).toBe(1);
    go(true);
    await committing;
    expect(db.readCheckpoint()).toEqual(new Map([['cl-0', 5]]));
    space.release();
    await db.close();
    const after = await reopen(dir);
    expect(after.values).toEqual(new Map([['a', '1'], ['b', null], ['c', null]]));
    expect(after.checkpoint).toEqual(new Map([['cl-0', 5]]));
  });

  it('false or a rejection writes nothing and puts the taken writes back to staging (newer ones win)', async () => {
    for (const outcome of [() => Promise.resolve(false), () => Promise.reject(new Error('fsync failed'))]) {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-write-after-'));
      dirs.push(dir);
      const db = await TaskStateDb.open({ dir });
      const space = await db.space('s');
      space.stage(b('a'), b('1'));
      space.stage(b('c'), b('old'));
      const committing = db.commit(new Map([['cl-0', 5]]), outcome());
      space.stage(b('c'), b('new'));
      await committing;
      expect(db.readCheckpoint()).toEqual(new Map());
      expect(space.get(b('a'))?.toString()).toBe('1');
      expect(space.get(b('c'))?.toString()).toBe('new');
      // The next plain commit writes them all.
      await db.commit(new Map([['cl-0', 9]]));
      space.release();
      await db.close();
      const after = await reopen(dir);
      expect(after.values).toEqual(new Map([['a', '1'], ['b', null], ['c', 'new']]));
      expect(after.checkpoint).toEqual(new Map([['cl-0', 9]]));
    }
  });
});
