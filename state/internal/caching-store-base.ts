import { StoreNotOpenError } from '../../src/core/errors.js';
import type { ChangelogRecord } from '../key-value-entry.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import { storeContextParts } from '../store-context.js';
import { ThreadCache } from '../thread-cache.js';
import type { CacheEntry, NamedCache } from './named-cache.js';
import { andFinally, andThen } from './maybe-async.js';

/** What a caching window or session layer needs from the store below it. */
export interface TimeRetainedStore extends StateStore {
  readonly retentionMs: number;
  observedStreamTime(): number;
}

/**
 * The lifecycle shared by the caching window and session layers: register with the instance's
 * {@link ThreadCache} at `init` (a private one when the context has none), start retention from the
 * store's own stream time, write every dirty entry through at `flush` and on close (flushed entries
 * stay cached, clean, for reads), and refuse use while closed. How one entry is written through (and reported to the flush listener) is the kind's.
 */
export abstract class CachingStoreBase<I extends TimeRetainedStore, L> {
  protected cache: ThreadCache | null = null;
  protected named: NamedCache | null = null;
  protected listener: L | null = null;
  /** Event time of the record being processed (from the context). */
  protected now: () => number = () => 0;
  /** Largest time written or restored through this layer, or kept by the store below (retention reference). */
  protected streamTime = Number.NEGATIVE_INFINITY;

  constructor(protected readonly inner: I) {}

  /** Writes one flushed (or evicted) dirty cache entry to the store below and tells the flush listener. */
  protected abstract writeThrough(entry: CacheEntry): void;

  get name(): string {
    return this.inner.name;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }
  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return andThen(this.inner.init(context, root), () => {
      const parts = storeContextParts(context);
      if (parts.timestamp !== undefined) this.now = parts.timestamp.bind(parts);
      this.cache = parts.cache ?? new ThreadCache(10 * 1024 * 1024);
      this.named = this.cache.register(`${context.taskId}-${this.name}`, (e) => this.writeThrough(e));
      // A reopened persistent store already has a stream time (saved with its last commit): retention
      // in this layer must start from it, not from what is written or restored after the reopen.
      this.streamTime = this.inner.observedStreamTime();
    });
  }
  /** Writes every dirty entry through; they stay cached, clean (see {@link ThreadCache}). */
  flush(): void | Promise<void> {
    for (const e of this.cache!.flush(this.open())) this.writeThrough(e);
    return this.inner.flush();
  }
  /**
   * Drops clean cached entries of restored records: a restore writes below without passing
   * through the cache. `storeKey` gives the cache key of a record (the changelog key, by default).
   */
  protected invalidateRestored(records: readonly ChangelogRecord[], storeKey: (recordKey: Buffer) => Buffer = (k) => k): void {
    const named = this.open();
    if (named.size > 0) for (const r of records) this.cache!.invalidateClean(named, storeKey(r.key));
  }
  close(): void | Promise<void> {
    const named = this.named;
    if (named === null) return;
    return andFinally(
      () => this.flush(),
      () => {
        this.cache!.unregister(named);
        this.named = null;
        return this.inner.close();
      },
    );
  }
  persistent(): boolean {
    return this.inner.persistent();
  }
  isOpen(): boolean {
    return this.named !== null;
  }
  observedStreamTime(): number {
    return this.streamTime;
  }
  /** This task's part of the cache; StoreNotOpenError when closed. */
  protected open(): NamedCache {
    if (this.named === null) throw new StoreNotOpenError(this.name);
    return this.named;
  }
}
