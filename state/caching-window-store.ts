import type { Windowed } from '../src/core/windowed.js';
import { CachingStoreBase } from './internal/caching-store-base.js';
import type { CacheEntry } from './internal/named-cache.js';
import { keyInRange } from './internal/key-in-range.js';
import { WindowKeySchema as S } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';
import type { ThreadCache } from './thread-cache.js';
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
export class CachingWindowStore extends CachingStoreBase<WindowBytesStore, WindowBytesFlushListener> implements WindowBytesStore {
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }

  /** Kafka's `sendOldValues` of the flush listener: without it a flushed update reads no old value below (a delete still does). */
  private sendOldValues = true;

  setFlushListener(listener: WindowBytesFlushListener | null, sendOldValues = true): boolean {
    this.listener = listener;
    this.sendOldValues = sendOldValues;
    return !this.retainDuplicates;
  }

  protected writeThrough(entry: CacheEntry): void {
    const key = S.keyOf(entry.key);
    const start = S.startOf(entry.key);
    // The old value is read only for a listener that wants it, or to tell whether a delete removes
    // anything (a point read per flushed window), as Kafka's CachingWindowStore does.
    const old = this.listener === null || (entry.value !== null && !this.sendOldValues) ? null : this.inner.fetch(key, start);
    // Always written through, even a tombstone for an absent window: it still moves the store's
    // stream time (retention) below and in the changelog, as in Kafka. Only the forward is skipped.
    this.inner.putStoreKey(entry.key, entry.value);
    if (old === null && entry.value === null) return;
    this.listener?.({ key, window: { start, end: start + this.windowSizeMs } }, entry.value, old, entry.timestamp);
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
    // Changelog keys are the cache's store keys.
    this.invalidateRestored(records);
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
