import { BehaviorSubject, type Observable } from 'rxjs';
import { TaskCorruptedError } from '../src/core/errors.js';
import type { ChangelogRecord, RestorableStore } from './key-value-entry.js';

/** One batch read from a changelog partition. */
export interface ChangelogBatch {
  readonly records: readonly ChangelogRecord[];
  /** The offset after the last record of the batch (gaps from compaction or markers are fine). */
  readonly nextOffset: number;
}

/** Restore progress of one store partition, in changelog offsets. */
export interface RestoreProgress {
  readonly store: string;
  readonly partition: number;
  /** Offsets restored so far (from the start offset). */
  readonly restored: number;
  /** Offsets to restore: end offset − start offset. */
  readonly total: number;
}

/** Options of {@link StateRestorer}. */
export interface StateRestorerOptions {
  /** The store to restore (its outermost layer: each layer forwards `restoreBatch` to the inner store). */
  readonly store: RestorableStore;
  readonly partition: number;
  /** The checkpointed offset to restore from; undefined (no checkpoint, or wiped) means 0. */
  readonly checkpoint: number | undefined;
  /** The changelog's end offset when the restore starts (high watermark / last stable offset). */
  readonly endOffset: number;
  /** Batches of the changelog partition from `checkpoint` on; the runtime feeds it from a consumer. */
  readonly source: AsyncIterable<ChangelogBatch>;
  /**
   * Called with the next offset after every `commitEveryRecords` records and at the end. For a
   * persistent store this is `taskDb.commit(checkpoints)` — it bounds the memory of staged writes
   * and makes an interrupted restore resume where it stopped.
   */
  readonly commit?: (nextOffset: number) => Promise<void>;
  /** Default 100 000. */
  readonly commitEveryRecords?: number;
}

/** What a finished restore did. */
export interface RestoreResult {
  readonly records: number;
  readonly nextOffset: number;
}

/**
 * Replays a changelog partition into a store, reporting progress as an Observable (Kafka's
 * StateRestoreListener, as a stream).
 *
 * Steps:
 * 1. start at the checkpoint (or 0); nothing to do if it is at the end offset. A checkpoint *past*
 *    the end offset means the local state is ahead of its changelog (a commit that never became
 *    visible): `run()` rejects with `TaskCorruptedError` — wipe the task directory and restore from 0;
 * 2. for each batch: apply its records straight to the inner store (`restoreBatch`: no cache, no
 *    re-logging), stop at the end offset;
 * 3. every `commitEveryRecords` records, call `commit(nextOffset)`;
 * 4. commit once more at the end, then complete `progress$`. A failing source or commit errors
 *    `progress$` and rejects `run()`.
 * @example
 * const restorer = new StateRestorer({ store, partition: 0, checkpoint: db.readCheckpoint().get(tp),
 *   endOffset: hw, source: batchesFrom(consumer), commit: (o) => db.commit(new Map([[tp, o]])) });
 * restorer.progress$.subscribe((p) => console.log(`${p.store}: ${p.restored}/${p.total}`));
 * await restorer.run();
 */
export class StateRestorer {
  private readonly subject: BehaviorSubject<RestoreProgress>;
  private readonly start: number;

  constructor(private readonly options: StateRestorerOptions) {
    this.start = options.checkpoint ?? 0;
    this.subject = new BehaviorSubject<RestoreProgress>({
      store: options.store.name,
      partition: options.partition,
      restored: 0,
      total: Math.max(0, options.endOffset - this.start),
    });
  }

  /** Progress after each batch; completes when the restore is done. */
  get progress$(): Observable<RestoreProgress> {
    return this.subject.asObservable();
  }

  async run(): Promise<RestoreResult> {
    const { store, partition, endOffset, source, commit } = this.options;
    const every = this.options.commitEveryRecords ?? 100_000;
    const total = Math.max(0, endOffset - this.start);
    let records = 0;
    let sinceCommit = 0;
    let next = this.start;
    try {
      // Step 1
      if (next > endOffset) {
        throw new TaskCorruptedError(
          `store "${store.name}" partition ${partition}: checkpoint ${next} is past the changelog end ${endOffset}; wipe the task's state and restore`,
        );
      }
      if (next < endOffset) {
        for await (const batch of source) {
          // Step 2
          store.restoreBatch(batch.records);
          records += batch.records.length;
          sinceCommit += batch.records.length;
          next = batch.nextOffset;
          // Step 3
          if (commit !== undefined && sinceCommit >= every) {
            await commit(next);
            sinceCommit = 0;
          }
          this.subject.next({ store: store.name, partition, restored: Math.min(total, next - this.start), total });
          if (next >= endOffset) break;
        }
      }
      // Step 4
      if (commit !== undefined && sinceCommit > 0) await commit(next);
      this.subject.complete();
      return { records, nextOffset: next };
    } catch (err) {
      this.subject.error(err);
      throw err;
    }
  }
}
