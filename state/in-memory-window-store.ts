import type { Windowed } from '../src/core/windowed.js';
import type { Serde } from '../src/serdes/serde.js';
import { ObjectWindowMap } from './internal/object-window-map.js';
import { memorySegments, type SegmentFactory } from './internal/segments.js';
import { SegmentedWindowBytesStore } from './internal/segmented-window-bytes-store.js';
import { WindowKeySchema } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';

/**
 * The in-memory inner window store: time segments of byte-ordered maps; retention drops whole
 * segments. Lost on close (restored from the changelog).
 *
 * When the typed (metered) layer sits directly on it — no cache, no changelog between them, no
 * duplicates — that layer claims it with {@link objectLevel}: the data then lives as objects in an
 * {@link ObjectWindowMap} (nothing needs bytes), and this store's own byte-level operations (restore,
 * anyone holding the inner store) translate to and from it with the serdes, so both views agree.
 * @example
 * const supplier = Stores.inMemoryWindowStore('clicks', 3_600_000, 60_000, false);
 */
export class InMemoryWindowStore extends SegmentedWindowBytesStore {
  private objects: ObjectWindowMap<unknown, unknown> | null = null;

  /**
   * Keeps this store's data as objects of the given serdes, for the typed layer right above it
   * (which then calls the returned map directly). Null for a store retaining duplicates. Once, before init.
   */
  objectLevel<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): ObjectWindowMap<K, V> | null {
    if (this.retainDuplicates) return null;
    if (this.objects !== null || this.isOpen()) throw new TypeError(`window store "${this.name}": objectLevel() is for one typed layer, before init`);
    const map = new ObjectWindowMap<K, V>(this.name, this.retentionMs, this.windowSizeMs, keySerde, valueSerde);
    this.objects = map as ObjectWindowMap<unknown, unknown>;
    return map;
  }

  protected segmentFactory(): SegmentFactory {
    this.objects?.opened();
    return memorySegments;
  }
  protected release(): void {
    this.objects?.closed();
  }
  persistent(): boolean {
    return false;
  }

  override observedStreamTime(): number {
    return this.objects === null ? super.observedStreamTime() : this.objects.observedStreamTime();
  }

  override put(key: Buffer, value: Buffer | null, windowStart: number): void {
    if (this.objects === null) return super.put(key, value, windowStart);
    this.objects.putBytes(key, value, windowStart);
  }
  override putStoreKey(storeKey: Buffer, value: Buffer | null): void {
    if (this.objects === null) return super.putStoreKey(storeKey, value);
    this.objects.putBytes(WindowKeySchema.keyOf(storeKey), value, WindowKeySchema.startOf(storeKey));
  }
  override restoreBatch(records: readonly ChangelogRecord[]): void {
    if (this.objects === null) return super.restoreBatch(records);
    this.open(); // an empty batch must fail on a closed store too
    for (const r of records) this.putStoreKey(r.key, r.value);
  }

  override fetch(key: Buffer, windowStart: number): Buffer | null;
  override fetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  override fetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  override fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    const o = this.objects;
    if (o === null) return (super.fetch as (...args: unknown[]) => unknown).call(this, a, b, c, d);
    if (d !== undefined) return o.rangeFetchBytes(a, b as Buffer | null, c!, d);
    if (c !== undefined) return o.keyFetchBytes(a!, b as number, c);
    return o.fetchBytes(a!, b as number);
  }
  override backwardFetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  override backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  override backwardFetch(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): unknown {
    const o = this.objects;
    if (o === null) return (super.backwardFetch as (...args: unknown[]) => unknown).call(this, a, b, c, d);
    return d !== undefined ? o.rangeFetchBytes(a, b as Buffer | null, c, d).reverse() : o.keyFetchBytes(a!, b as number, c).reverse();
  }
  override fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    if (this.objects === null) return super.fetchAll(timeFrom, timeTo);
    return this.objects.rangeFetchBytes(null, null, timeFrom, timeTo);
  }
}
