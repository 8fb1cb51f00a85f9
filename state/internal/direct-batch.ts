import type { SpaceBatch } from './store-space.js';

/** The slice of an abstract-level chained batch that {@link directBatch} uses. */
export interface ChainedBatchLike extends SpaceBatch {
  /** abstract-level's implementor hooks: classic-level hands the bytes straight to the native batch. */
  _put?: (key: Buffer, value: Buffer) => unknown;
  _del?: (key: Buffer) => unknown;
}

/**
 * A view of a root-database chained batch that adds store writes through the implementor hooks
 * (`_put` / `_del`) instead of the public `put` / `del`, or the batch itself when it has none.
 *
 * Why: the public method builds an operation object per call (a spread of the options, both
 * encodings, key checks, sublevel and hook handling) before it reaches `_put`; on a 200k-write commit
 * that was about a third of the time spent adding to the batch, plus the garbage. The caller must
 * have checked that skipping it changes nothing: buffer key and value encodings on the root
 * database (no prefix to add), no prewrite hooks, no `write` listeners (see `TaskStateDb.commit`).
 * The first write still goes through the public `put`/`del`, because abstract-level counts public
 * operations and writes nothing when the count is zero.
 */
export function directBatch(batch: ChainedBatchLike, publicOpsAdded: boolean): SpaceBatch {
  const put = batch._put;
  const del = batch._del;
  if (typeof put !== 'function' || typeof del !== 'function') return batch;
  let counted = publicOpsAdded;
  return {
    put(key, value) {
      if (counted) return put.call(batch, key, value);
      counted = true;
      return batch.put(key, value);
    },
    del(key) {
      if (counted) return del.call(batch, key);
      counted = true;
      return batch.del(key);
    },
  };
}
