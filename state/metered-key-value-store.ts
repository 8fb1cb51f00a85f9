import { resolveDefaultSerde } from '../src/serdes/default-serde.js';
import type { Serde } from '../src/serdes/serde.js';
import { isFlushListenable } from './internal/wrapped-key-value-bytes-store.js';
import { MeteredStoreBase } from './internal/metered-store-base.js';
import type { ChangelogRecord, KeyValueEntry, RestorableStore } from './key-value-entry.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { KeyValueStore } from './key-value-store.js';

/** Told about every table update that leaves the store: new and old value, with the write's timestamp. */
export type FlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/**
 * The outermost, and only typed, layer: serializes keys and values with the store's serdes
 * (topic = the changelog topic, as in Kafka), counts operations and samples their latency, stamps
 * writes with `StoreContext.timestamp()` when no timestamp is passed, and is the store processors see.
 *
 * `setFlushListener` is how a KTable forwards `Change<V>`: with a caching layer below, the listener
 * hears each key once per flush (commit or eviction); without one, this layer calls it on every
 * write (reading the old value first). It returns whether a cache is in the stack.
 * @example
 * const store = new MeteredKeyValueStore(new InMemoryKeyValueStore('counts'), Serdes.string(), Serdes.long());
 * await store.init(ctx, store); store.put('a', 1);
 */
export class MeteredKeyValueStore<K, V> extends MeteredStoreBase<KeyValueBytesStore> implements KeyValueStore<K, V>, RestorableStore {
  private immediate: FlushListener<K, V> | null = null;
  constructor(
    inner: KeyValueBytesStore,
    public keySerde: Serde<K>,
    public valueSerde: Serde<V>,
  ) {
    super(inner);
  }

  protected override useDefaultSerdes(key: Serde<unknown> | undefined, value: Serde<unknown> | undefined): void {
    this.keySerde = resolveDefaultSerde(this.keySerde, key);
    this.valueSerde = resolveDefaultSerde(this.valueSerde, value);
  }

  setFlushListener(listener: FlushListener<K, V>): boolean {
    const cached = isFlushListenable(this.inner) &&
      this.inner.setFlushListener((k, n, o, ts) => listener(this.key(k), this.value(n), this.value(o), ts));
    this.immediate = cached ? null : listener;
    return cached;
  }

  private keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TypeError(`store "${this.name}": null keys are not allowed`);
    return bytes;
  }
  private valueBytes(value: V | null): Buffer | null {
    if (value === null) return null;
    return this.valueSerde.serialize(value, this.topic);
  }
  private key(bytes: Buffer): K {
    return this.keySerde.deserialize(bytes, this.topic) as K;
  }
  private value(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.valueSerde.deserialize(bytes, this.topic);
  }
  private entries(list: KeyValueEntry<Buffer, Buffer>[]): KeyValueEntry<K, V>[] {
    this.recorder.ranges++;
    return list.map((e) => ({ key: this.key(e.key), value: this.value(e.value) as V }));
  }

  get(key: K): V | null {
    this.recorder.gets++;
    const t0 = this.recorder.start();
    const value = this.value(this.inner.get(this.keyBytes(key)));
    this.recorder.end(t0);
    return value;
  }

  put(key: K, value: V | null, timestamp: number = this.now()): void {
    this.recorder.puts++;
    const k = this.keyBytes(key);
    const v = this.valueBytes(value);
    if (this.immediate === null) {
      const t0 = this.recorder.start();
      this.inner.put(k, v, timestamp);
      return this.recorder.end(t0);
    }
    const old = this.value(this.inner.get(k));
    this.inner.put(k, v, timestamp);
    if (old !== null || value !== null) this.immediate(key, value, old, timestamp);
  }

  putIfAbsent(key: K, value: V, timestamp: number = this.now()): V | null {
    this.recorder.puts++;
    const old = this.value(this.inner.putIfAbsent(this.keyBytes(key), this.valueBytes(value)!, timestamp));
    if (old === null) this.immediate?.(key, value, null, timestamp);
    return old;
  }

  delete(key: K, timestamp: number = this.now()): V | null {
    this.recorder.deletes++;
    const old = this.value(this.inner.delete(this.keyBytes(key), timestamp));
    if (old !== null) this.immediate?.(key, null, old, timestamp);
    return old;
  }

  putAll(entries: readonly KeyValueEntry<K, V | null>[], timestamp: number = this.now()): void {
    for (const { key, value } of entries) this.put(key, value, timestamp);
  }

  range(from: K | null, to: K | null): KeyValueEntry<K, V>[] {
    return this.entries(this.inner.range(from === null ? null : this.keyBytes(from), to === null ? null : this.keyBytes(to)));
  }
  reverseRange(from: K | null, to: K | null): KeyValueEntry<K, V>[] {
    return this.entries(this.inner.reverseRange(from === null ? null : this.keyBytes(from), to === null ? null : this.keyBytes(to)));
  }
  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<K, V>[] {
    return this.entries(this.inner.prefixScan(prefix, prefixKeySerde));
  }
  all(): KeyValueEntry<K, V>[] {
    return this.entries(this.inner.all());
  }
  reverseAll(): KeyValueEntry<K, V>[] {
    return this.entries(this.inner.reverseAll());
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  /** Applies raw changelog records to the innermost store (see {@link StateRestorer}). */
  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
    this.recorder.restored += records.length;
  }
}
