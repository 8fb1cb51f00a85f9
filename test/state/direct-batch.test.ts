import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directBatch, type ChainedBatchLike } from '../../state/internal/direct-batch.js';
import { TaskStateDb } from '../../state/task-state-db.js';

function recordingBatch(withHooks: boolean): ChainedBatchLike & { calls: string[] } {
  const calls: string[] = [];
  const batch: ChainedBatchLike & { calls: string[] } = {
    calls,
    put: (k: Buffer) => calls.push(`put ${k}`),
    del: (k: Buffer) => calls.push(`del ${k}`),
  };
  if (withHooks) {
    batch._put = (k: Buffer) => calls.push(`_put ${k}`);
    batch._del = (k: Buffer) => calls.push(`_del ${k}`);
  }
  return batch;
}

describe('state > directBatch', () => {
  it('adds through the implementor hooks once a public operation is counted', () => {
    const counted = recordingBatch(true);
    const t = directBatch(counted, true);
    t.put(Buffer.from('a'), Buffer.from('1'));
    t.del(Buffer.from('b'));
    expect(counted.calls).toEqual(['_put a', '_del b']);
  });

  it('sends the first write through the public API when nothing was counted yet (abstract-level skips an empty count)', () => {
    const fresh = recordingBatch(true);
    const t = directBatch(fresh, false);
    t.del(Buffer.from('a'));
    t.put(Buffer.from('b'), Buffer.from('2'));
    expect(fresh.calls).toEqual(['del a', '_put b']);
  });

  it('is the batch itself when it has no hooks', () => {
    const plain = recordingBatch(false);
    expect(directBatch(plain, true)).toBe(plain);
  });
});

describe('state > TaskStateDb.commit through the direct batch', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it.each([
    ['with checkpoint offsets', new Map([['app-s-changelog-0', 7]])],
    ['with no checkpoint offsets (the first store write is the only public one)', new Map<string, number>()],
  ])('writes every staged put and delete, and the checkpoint, durably (%s)', async (_name, offsets) => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-direct-batch-'));
    dirs.push(dir);
    let db = await TaskStateDb.open({ dir });
    let space = await db.space('s');
    for (let i = 0; i < 100; i++) space.stage(Buffer.from(`k${i}`), Buffer.from(`v${i}`));
    await db.commit(offsets);
    space.stage(Buffer.from('k0'), null);
    space.stage(Buffer.from('k1'), Buffer.from('again'));
    await db.commit(offsets);
    space.release();
    await db.close();

    db = await TaskStateDb.open({ dir });
    space = await db.space('s');
    expect(space.get(Buffer.from('k0'))).toBeNull();
    expect(space.get(Buffer.from('k1'))?.toString()).toBe('again');
    for (let i = 2; i < 100; i++) expect(space.get(Buffer.from(`k${i}`))?.toString()).toBe(`v${i}`);
    const keys: string[] = [];
    await space.loadKeys((k) => keys.push(k.toString()));
    expect(keys.length).toBe(99);
    expect(db.readCheckpoint()).toEqual(offsets);
    space.release();
    await db.close();
  });
});
