import { StoreNotOpenError } from '../src/core/errors.js';
import type { Windowed } from '../src/core/windowed.js';
import type { CacheEntry, NamedCache } from './internal/named-cache.js';
import { keyInRange } from './internal/key-in-range.js';
import { WindowKeySchema as S } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';
import { storeContextParts } from './store-context.js';
import { ThreadCache } from './thread-cache.js';
import { andFinally, andThen } from './internal/maybe-async.js';
import type { WindowBytesStore } from './window-store.js';

/** Bytes-level flush listener of a window store: the windowed key, new and old value. */
export type WindowBytesFlushListener = (key: Windowed<Buffer>, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/**
 * Adds a write cache to a window store: repeated updates of one (key, window) between commits
 * fold into one entry, written below and reported to the flush listener at commit or on LRU
 * eviction — as {@link CachingKeyValueStore} does for key-value stores, sharing the same
 * {@link ThreadCache} budget. Stores that retain duplicates (join buffers) are not cached: every
 * put is a new record, there is nothing to fold (Kafka also builds them without a cache).
 * @example
 * const store = new CachingWindowStore(new ChangeLoggingWindowStore(new LevelWindowStore('w', 3_600_000, 60_000, false)));
 */
export class CachingWindowStore implements WindowBytesStore {
  private cache: ThreadCache | null = null;
  private named: NamedCache | null = null;
  private listener: WindowBytesFlushListener | null = null;
  private now: () => number = () => 0;
  /** Largest window start written or restored through this layer (retention reference). */
  private streamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly inner: WindowBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }

  setFlushListener(listener: WindowBytesFlushListener): boolean {
    this.listener = listener;
    return !this.retainDuplicates;
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

  private open(): NamedCache {
    if (this.named === null) throw new StoreNotOpenError(this.name);
    return this.named;
  }
  private writeThrough(entry: CacheEntry): void {
    const key = S.keyOf(entry.key);
    const start = S.startOf(entry.key);
    // The old value is read only for a listener (a point read per flushed window).
    const old = this.listener === null ? null : this.inner.fetch(key, start);
    // Always written through, even a tombstone for an absent window: it still moves the store's
    // stream time (retention) below and in the changelog, as in Kafka. Only the forward is skipped.
    this.inner.putStoreKey(entry.key, entry.value);
    if (old === null && entry.value === null) return;
    this.listener?.({ key, window: { start, end: start + this.windowSizeMs } }, entry.value, old, entry.timestamp);
  }
  flush(): void | Promise<void> {
    for (const e of this.cache!.drain(this.open())) this.writeThrough(e);
    return this.inner.flush();
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

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    const named = this.open();
    if (this.retainDuplicates) return this.inner.put(key, value, windowStart);
    this.streamTime = Math.max(this.streamTime, windowStart);
    this.cache!.put(named, S.toStoreKey(key, windowStart, 0), value, this.now());
  }
  putStoreKey(storeKey: Buffer, value: Buffer | null): void {
    if (this.retainDuplicates) return this.inner.putStoreKey(storeKey, value);
    this.streamTime = Math.max(this.streamTime, S.startOf(storeKey));
    this.cache!.put(this.open(), storeKey, value, this.now());
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.open();
    this.inner.restoreBatch(records);
    for (const r of records) this.streamTime = Math.max(this.streamTime, S.startOf(r.key));
  }

  fetch(key: Buffer, windowStart: number): Buffer | null;
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    const named = this.open();
    if (d !== undefined) return this.rangeFetch(a, b as Buffer | null, c!, d);
    if (c !== undefined) {
      return this.rangeFetch(a, a, b as number, c).map((e) => ({ timestamp: e.key.window.start, value: e.value }));
    }
    if ((b as number) < this.streamTime - this.retentionMs + 1) return null;
    const cached = named.get(S.toStoreKey(a!, b as number, 0));
    return cached !== undefined ? cached.value : this.inner.fetch(a!, b as number);
  }
  backwardFetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFetch(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): unknown {
    return d !== undefined ? this.fetch(a, b as Buffer | null, c, d).reverse() : this.fetch(a!, b as number, c).reverse();
  }
  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.rangeFetch(null, null, timeFrom, timeTo);
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.fetchAll(timeFrom, timeTo).reverse();
  }
  all(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
  backwardAll(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.all().reverse();
  }

  /** The store below, overlaid with cached writes (a cached null hides a window), re-sorted. */
  private rangeFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    const below = this.inner.fetch(keyFrom, keyTo, timeFrom, timeTo);
    const named = this.open();
    if (this.retainDuplicates) return below;
    const merged = new Map<string, KeyValueEntry<Windowed<Buffer>, Buffer | null>>();
    for (const e of below) merged.set(S.toStoreKey(e.key.key, e.key.window.start, 0).toString('latin1'), e);
    for (const e of named.range(keyFrom, null, false)) {
      const key = S.keyOf(e.key);
      const start = S.startOf(e.key);
      if (start < timeFrom || start > timeTo || !keyInRange(key, keyFrom, keyTo)) continue;
      merged.set(e.key.toString('latin1'), { key: { key, window: { start, end: start + this.windowSizeMs } }, value: e.value });
    }
    // The store below learns of newer windows only at flush: apply this layer's view of retention.
    const minLive = this.streamTime - this.retentionMs + 1;
    const out = [...merged.values()].filter(
      (e): e is KeyValueEntry<Windowed<Buffer>, Buffer> => e.value !== null && e.key.window.start >= minLive,
    );
    return out.sort((x, y) => x.key.window.start - y.key.window.start || Buffer.compare(x.key.key, y.key.key));
  }
}
