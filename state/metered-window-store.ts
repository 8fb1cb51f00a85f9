import type { Windowed } from '../src/core/windowed.js';
import type { Serde } from '../src/serdes/serde.js';
import { MeteredStoreBase } from './internal/metered-store-base.js';
import type { ChangelogRecord, KeyValueEntry, RestorableStore } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';
import type { WindowBytesStore, WindowStore } from './window-store.js';
import type { WindowBytesFlushListener } from './caching-window-store.js';

/** Told about every window update that leaves the store. */
export type WindowFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/**
 * The typed outer layer of a window store: serdes (topic = the changelog topic), counters and
 * sampled latency. Keys of range results are `Windowed<K>` with `end = start + windowSize`.
 * @example
 * const w = new MeteredWindowStore(new InMemoryWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long());
 */
export class MeteredWindowStore<K, V> extends MeteredStoreBase<WindowBytesStore> implements WindowStore<K, V>, RestorableStore {
  private immediate: WindowFlushListener<K, V> | null = null;

  constructor(
    inner: WindowBytesStore,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    super(inner);
  }

  /**
   * Hears every window update that leaves the store: once per flush with a caching layer below
   * (returns true), else on every put (returns false).
   */
  setFlushListener(listener: WindowFlushListener<K, V>): boolean {
    const inner = this.inner as WindowBytesStore & { setFlushListener?: (l: WindowBytesFlushListener) => boolean };
    const cached = inner.setFlushListener?.((k, n, o, ts) =>
      listener({ key: this.keySerde.deserialize(k.key, this.topic) as K, window: k.window }, n === null ? null : this.v(n), o === null ? null : this.v(o), ts),
    ) ?? false;
    this.immediate = cached ? null : listener;
    return cached;
  }

  private k(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TypeError(`store "${this.name}": null keys are not allowed`);
    return bytes;
  }
  private kOrNull(key: K | null): Buffer | null {
    return key === null ? null : this.k(key);
  }
  private v(bytes: Buffer): V {
    return this.valueSerde.deserialize(bytes, this.topic) as V;
  }
  private entries(list: WindowEntry<Buffer>[]): WindowEntry<V>[] {
    this.recorder.ranges++;
    return list.map((e) => ({ timestamp: e.timestamp, value: this.v(e.value) }));
  }
  private windowed(list: KeyValueEntry<Windowed<Buffer>, Buffer>[]): KeyValueEntry<Windowed<K>, V>[] {
    this.recorder.ranges++;
    return list.map((e) => ({ key: { key: this.keySerde.deserialize(e.key.key, this.topic) as K, window: e.key.window }, value: this.v(e.value) }));
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.recorder.puts++;
    const k = this.k(key);
    const v = value === null ? null : this.valueSerde.serialize(value, this.topic);
    if (this.immediate === null) return this.recorder.time(() => this.inner.put(k, v, windowStart));
    const old = this.inner.retainDuplicates ? null : this.inner.fetch(k, windowStart);
    this.inner.put(k, v, windowStart);
    if (old !== null || v !== null) {
      this.immediate({ key, window: { start: windowStart, end: windowStart + this.inner.windowSizeMs } }, value, old === null ? null : this.v(old), windowStart);
    }
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  fetch(a: K | null, b: K | number | null, c?: number, d?: number): unknown {
    if (d !== undefined) return this.windowed(this.inner.fetch(this.kOrNull(a), this.kOrNull(b as K | null), c!, d));
    if (c !== undefined) return this.entries(this.inner.fetch(this.k(a as K), b as number, c));
    this.recorder.gets++;
    const bytes = this.recorder.time(() => this.inner.fetch(this.k(a as K), b as number));
    return bytes === null ? null : this.v(bytes);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  backwardFetch(a: K | null, b: K | number | null, c: number, d?: number): unknown {
    if (d !== undefined) return this.windowed(this.inner.backwardFetch(this.kOrNull(a), this.kOrNull(b as K | null), c, d));
    return this.entries(this.inner.backwardFetch(this.k(a as K), b as number, c));
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    return this.windowed(this.inner.fetchAll(timeFrom, timeTo));
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    return this.windowed(this.inner.backwardFetchAll(timeFrom, timeTo));
  }
  all(): KeyValueEntry<Windowed<K>, V>[] {
    return this.windowed(this.inner.all());
  }
  backwardAll(): KeyValueEntry<Windowed<K>, V>[] {
    return this.windowed(this.inner.backwardAll());
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
    this.recorder.restored += records.length;
  }
}
