import type { Serde } from '../src/serdes/serde.js';
import { ExpiryQueue } from './internal/expiry-queue.js';
import { andThen } from './internal/maybe-async.js';
import { WrappedKeyValueBytesStore, type BytesFlushListener } from './internal/wrapped-key-value-bytes-store.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';

/**
 * Adds a per-key time to live by event time (`withTtl(ms)`; Kafka Streams has no such option).
 *
 * Semantics:
 * - every value is stored (and logged) as `<write timestamp int64 BE><value bytes>`;
 * - the store's *stream time* is the largest timestamp it has seen written or restored; it never
 *   moves backwards and has nothing to do with wall-clock time;
 * - a key written at `t` is expired once `t + ttlMs <= streamTime`. An expired key reads as absent
 *   (get, ranges, putIfAbsent) at once;
 * - expired keys are removed at the next `flush()` (commit): deleted from the store and logged as
 *   tombstones, so the changelog forgets them too, and reported to a flush listener as deletes (a
 *   KTable forwards them downstream). Reads never write (interactive queries stay pure);
 * - `approximateNumEntries()` counts expired keys not yet removed.
 * @example
 * const sessions = Materialized.as<string, string>('sessions').withTtl(30 * 60_000);
 */
export class TimeToLiveKeyValueStore extends WrappedKeyValueBytesStore {
  private streamTime = Number.NEGATIVE_INFINITY;
  private readonly queue = new ExpiryQueue();
  private purgeListener: BytesFlushListener | null = null;

  constructor(inner: KeyValueBytesStore, readonly ttlMs: number) {
    super(inner);
    if (!(ttlMs > 0)) throw new RangeError(`TTL of store "${inner.name}" must be > 0 ms, got ${ttlMs}`);
  }

  /** The largest timestamp written or restored so far. */
  observedStreamTime(): number {
    return this.streamTime;
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return andThen(this.inner.init(context, root), () => {
      // A reopened persistent store: rebuild stream time and the expiry queue from what it holds.
      for (const { key, value } of this.inner.all()) this.observe(key, value);
    });
  }

  private observe(key: Buffer, stamped: Buffer): void {
    const ts = Number(stamped.readBigInt64BE(0));
    if (ts > this.streamTime) this.streamTime = ts;
    this.queue.push(ts + this.ttlMs, key);
  }

  private live(stamped: Buffer | null): Buffer | null {
    if (stamped === null) return null;
    return Number(stamped.readBigInt64BE(0)) + this.ttlMs <= this.streamTime ? null : stamped.subarray(8);
  }

  private stamp(value: Buffer, timestamp: number): Buffer {
    const out = Buffer.allocUnsafe(value.length + 8);
    out.writeBigInt64BE(BigInt(timestamp), 0);
    value.copy(out, 8);
    return out;
  }

  override setFlushListener(listener: BytesFlushListener): boolean {
    const cached = super.setFlushListener((key, newValue, oldValue, ts) =>
      listener(key, newValue === null ? null : newValue.subarray(8), oldValue === null ? null : oldValue.subarray(8), ts),
    );
    // Without a cache below, the metered layer reports writes as they happen, but purges start
    // here: report them here.
    this.purgeListener = cached ? null : listener;
    return cached;
  }

  override get(key: Buffer): Buffer | null {
    return this.live(this.inner.get(key));
  }

  override put(key: Buffer, value: Buffer | null, timestamp = 0): void {
    if (timestamp > this.streamTime) this.streamTime = timestamp;
    if (value === null) {
      this.inner.put(key, null, timestamp);
      return;
    }
    this.inner.put(key, this.stamp(value, timestamp), timestamp);
    this.queue.push(timestamp + this.ttlMs, key);
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

  private liveEntries(entries: KeyValueEntry<Buffer, Buffer>[]): KeyValueEntry<Buffer, Buffer>[] {
    const out: KeyValueEntry<Buffer, Buffer>[] = [];
    for (const { key, value } of entries) {
      const v = this.live(value);
      if (v !== null) out.push({ key, value: v });
    }
    return out;
  }

  override range(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.liveEntries(this.inner.range(from, to));
  }
  override reverseRange(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.liveEntries(this.inner.reverseRange(from, to));
  }
  override prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<Buffer, Buffer>[] {
    return this.liveEntries(this.inner.prefixScan(prefix, prefixKeySerde));
  }
  override all(): KeyValueEntry<Buffer, Buffer>[] {
    return this.liveEntries(this.inner.all());
  }
  override reverseAll(): KeyValueEntry<Buffer, Buffer>[] {
    return this.liveEntries(this.inner.reverseAll());
  }

  override restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
    for (const r of records) if (r.value !== null && r.value.length >= 8) this.observe(r.key, r.value);
  }

  /** Removes expired keys (logged as tombstones below), then flushes the layers below. */
  override flush(): void | Promise<void> {
    this.purgeExpired();
    return this.inner.flush();
  }

  /** Deletes every key whose newest write has expired; returns how many. */
  purgeExpired(): number {
    let n = 0;
    for (const key of this.queue.popDue(this.streamTime)) {
      const stamped = this.inner.get(key);
      // The key may have been rewritten since this queue entry: only its newest write counts.
      if (stamped !== null && this.live(stamped) === null) {
        this.inner.delete(key, this.streamTime);
        this.purgeListener?.(key, null, stamped.subarray(8), this.streamTime);
        n++;
      }
    }
    return n;
  }
}
