import { StoreNotOpenError } from '../src/core/errors.js';
import type { Serde } from '../src/serdes/serde.js';
import type { CacheEntry, NamedCache } from './internal/named-cache.js';
import { WrappedKeyValueBytesStore, type BytesFlushListener } from './internal/wrapped-key-value-bytes-store.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { StateStore, StateStoreContext } from './state-store.js';
import { storeContextParts } from './store-context.js';
import { ThreadCache } from './thread-cache.js';
import { andFinally, andThen } from './internal/maybe-async.js';

/** Kafka's default `cache.max.bytes.buffering`, used when the context brings no shared cache. */
const DEFAULT_PRIVATE_CACHE_BYTES = 10 * 1024 * 1024;

/**
 * Adds a record cache: repeated updates of a key between commits fold into one entry, which is
 * written to the layer below (so logged once) and reported to the flush listener as
 * `(key, newValue, oldValue, timestamp)` when the entry is flushed — at commit (`flush()`), or
 * earlier when the instance's {@link ThreadCache} budget evicts it (least recently written first).
 * A flushed entry stays cached, clean, so reads after a commit are served from memory; the budget
 * evicts clean entries silently (never written or forwarded again). Reads see cached writes first.
 * With a flush listener, a flushed entry whose old and new values are both absent (put then
 * deleted within one commit) is neither written nor reported. A read that misses the cache is not
 * cached: LevelDB reads are already synchronous, and the read path stays a lookup.
 * @example
 * const store = new CachingKeyValueStore(new ChangeLoggingKeyValueStore(new LevelKeyValueStore('counts')));
 * store.setFlushListener((k, newV, oldV, ts) => forward(k, { newValue: newV, oldValue: oldV }, ts));
 */
export class CachingKeyValueStore extends WrappedKeyValueBytesStore {
  private cache: ThreadCache | null = null;
  private named: NamedCache | null = null;
  private listener: BytesFlushListener | null = null;

  override setFlushListener(listener: BytesFlushListener): boolean {
    this.listener = listener;
    return true;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return andThen(this.inner.init(context, root), () => {
      this.cache = storeContextParts(context).cache ?? new ThreadCache(DEFAULT_PRIVATE_CACHE_BYTES);
      this.named = this.cache.register(
        `${context.taskId}-${this.name}`,
        (entry) => this.writeThrough(entry.key, entry.value, entry.timestamp),
        (key, value, timestamp) => this.writeThrough(key, value, timestamp),
      );
    });
  }

  private open(): NamedCache {
    if (this.named === null) throw new StoreNotOpenError(this.name);
    return this.named;
  }

  private writeThrough(key: Buffer, value: Buffer | null, timestamp: number): void {
    // The old value is read only for a listener (a point read per flushed key is the largest cost
    // of a flush); without one, a tombstone of a key never written below is written anyway.
    if (this.listener === null) return this.inner.put(key, value, timestamp);
    const old = this.inner.get(key);
    if (old === null && value === null) return;
    this.inner.put(key, value, timestamp);
    this.listener(key, value, old, timestamp);
  }

  override flush(): void | Promise<void> {
    const named = this.open();
    // Marked clean first, then written: a listener may write to this store again while we flush
    // (that write makes its entry dirty again, for the next flush).
    const { keys, values, timestamps } = this.cache!.flushEntries(named);
    for (let i = 0; i < keys.length; i++) this.writeThrough(keys[i]!, values[i]!, timestamps[i]!);
    return this.inner.flush();
  }

  override close(): void | Promise<void> {
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

  override isOpen(): boolean {
    return this.named !== null;
  }

  override get(key: Buffer): Buffer | null {
    const cached = this.open().valueOf(key);
    return cached !== undefined ? cached : this.inner.get(key);
  }

  override put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.cache!.put(this.open(), key, value, timestamp ?? 0);
  }

  override putIfAbsent(key: Buffer, value: Buffer, timestamp?: number): Buffer | null {
    const old = this.get(key);
    if (old === null) this.put(key, value, timestamp);
    return old;
  }

  override delete(key: Buffer, timestamp?: number): Buffer | null {
    const old = this.get(key);
    this.put(key, null, timestamp);
    return old;
  }

  override putAll(entries: readonly KeyValueEntry<Buffer, Buffer | null>[], timestamp?: number): void {
    for (const { key, value } of entries) this.put(key, value, timestamp);
  }

  override range(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.merge(this.inner.range(from, to), this.open().range(from, to, false), 1);
  }

  override reverseRange(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.merge(this.inner.reverseRange(from, to), this.open().range(from, to, true), -1);
  }

  override all(): KeyValueEntry<Buffer, Buffer>[] {
    return this.range(null, null);
  }

  override reverseAll(): KeyValueEntry<Buffer, Buffer>[] {
    return this.reverseRange(null, null);
  }

  override prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<Buffer, Buffer>[] {
    const from = prefixKeySerde.serialize(prefix) ?? Buffer.alloc(0);
    const cached = this.open()
      .range(from, null, false)
      .filter((e) => e.key.length >= from.length && e.key.compare(from, 0, from.length, 0, from.length) === 0);
    return this.merge(this.inner.prefixScan(prefix, prefixKeySerde), cached, 1);
  }

  /** Exact, at the cost of one lookup below per dirty cached entry (clean ones equal what is below). */
  override approximateNumEntries(): number {
    let n = this.inner.approximateNumEntries();
    for (const e of this.open().range(null, null, false)) {
      const below = this.inner.get(e.key) !== null;
      if (e.value !== null && !below) n++;
      else if (e.value === null && below) n--;
    }
    return n;
  }

  override restoreBatch(records: readonly ChangelogRecord[]): void {
    const named = this.open();
    // Restored records change the store below without passing through the cache: a clean entry
    // of the same key would now be stale.
    if (named.size > 0) for (const r of records) this.cache!.invalidateClean(named, r.key);
    this.inner.restoreBatch(records);
  }

  /**
   * Merges two sorted lists (direction `dir`); cached entries win, cached nulls hide keys. The
   * cached list holds dirty entries only: a clean one equals what is below.
   */
  private merge(below: KeyValueEntry<Buffer, Buffer>[], cached: CacheEntry[], dir: 1 | -1): KeyValueEntry<Buffer, Buffer>[] {
    if (cached.length === 0) return below;
    const out: KeyValueEntry<Buffer, Buffer>[] = [];
    let i = 0;
    let j = 0;
    while (i < below.length || j < cached.length) {
      const c = i >= below.length ? 1 : j >= cached.length ? -1 : dir * Buffer.compare(below[i]!.key, cached[j]!.key);
      if (c < 0) out.push(below[i++]!);
      else {
        const e = cached[j++]!;
        if (c === 0) i++;
        if (e.value !== null) out.push({ key: e.key, value: e.value });
      }
    }
    return out;
  }
}
