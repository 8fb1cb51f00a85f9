import type { Windowed } from '../src/core/windowed.js';
import { resolveDefaultSerde } from '../src/serdes/default-serde.js';
import type { Serde } from '../src/serdes/serde.js';
import { MeteredStoreBase } from './internal/metered-store-base.js';
import type { ChangelogRecord, KeyValueEntry, RestorableStore } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';
import type { WindowBytesStore, WindowStore } from './window-store.js';
import type { WindowBytesFlushListener } from './caching-window-store.js';
import { InMemoryWindowStore } from './in-memory-window-store.js';
import type { ObjectWindowMap } from './internal/object-window-map.js';
import type { StateStore, StateStoreContext } from './state-store.js';

/** Told about every window update that leaves the store. */
export type WindowFlushListener<K, V> = (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void;

/**
 * The typed outer layer of a window store: serdes (topic = the changelog topic), counters and
 * sampled latency. Keys of range results are `Windowed<K>` with `end = start + windowSize`.
 *
 * Directly over an {@link InMemoryWindowStore} (no cache, no changelog: nothing below needs bytes)
 * it claims the store's object level and calls that {@link ObjectWindowMap} without serializing
 * keys or values — the same results, the bytes made only where order needs them.
 * @example
 * const w = new MeteredWindowStore(new InMemoryWindowStore('w', 3_600_000, 60_000, false), Serdes.string(), Serdes.long());
 */
export class MeteredWindowStore<K, V> extends MeteredStoreBase<WindowBytesStore> implements WindowStore<K, V>, RestorableStore {
  private immediate: WindowFlushListener<K, V> | null = null;
  private lastKey: unknown = undefined;
  private lastKeySerde: Serde<K> | null = null;
  private lastKeyBytes: Buffer | null = null;
  /** The inner store's data as objects, when this layer sits right on an in-memory store. */
  private readonly objects: ObjectWindowMap<K, V> | null;

  constructor(
    inner: WindowBytesStore,
    public keySerde: Serde<K>,
    public valueSerde: Serde<V>,
  ) {
    super(inner);
    this.objects = inner instanceof InMemoryWindowStore ? inner.objectLevel(keySerde, valueSerde) : null;
  }
  protected override useDefaultSerdes(key: Serde<unknown> | undefined, value: Serde<unknown> | undefined): void {
    // The object-level fast path (if any) was chosen for the serdes given at construction; a store whose
    // serdes stand for the defaults never gets it (a placeholder keeps nothing as-is), so bytes stay right.
    this.keySerde = resolveDefaultSerde(this.keySerde, key);
    this.valueSerde = resolveDefaultSerde(this.valueSerde, value);
  }


  override init(context: StateStoreContext, root: StateStore = this): void | Promise<void> {
    const done = super.init(context, root);
    this.lastKeySerde = null; // bytes made before init were made without the topic
    if (this.objects !== null) this.objects.topic = this.topic;
    return done;
  }

  /**
   * Hears every window update that leaves the store: once per flush with a caching layer below
   * (returns true), else on every put (returns false). Null stops hearing (a processor that
   * forwards updates itself: puts then skip reading the old value). `sendOldValues: false` (Kafka's
   * `setFlushListener(listener, sendOldValues)`) tells the cache the listener needs no old value of
   * an update, so a flush need not read it from the store below (it still does for a delete).
   */
  setFlushListener(listener: WindowFlushListener<K, V> | null, sendOldValues = true): boolean {
    const inner = this.inner as WindowBytesStore & { setFlushListener?: (l: WindowBytesFlushListener | null, sendOldValues?: boolean) => boolean };
    const cached = inner.setFlushListener?.(listener === null ? null : (k, n, o, ts) =>
      listener({ key: this.keySerde.deserialize(k.key, this.topic) as K, window: k.window }, n === null ? null : this.v(n), o === null ? null : this.v(o), ts),
      sendOldValues,
    ) ?? false;
    this.immediate = cached ? null : listener;
    return cached;
  }

  private k(key: K): Buffer {
    // An aggregation fetches a window and then puts it with the same key: a string key equal to the
    // last one, with the same serde, has the same bytes (the layers below copy, never mutate, them).
    // Strings only: numbers have 0 === -0 with different bytes under a double serde.
    if (key === this.lastKey && this.keySerde === this.lastKeySerde && typeof key === 'string') return this.lastKeyBytes!;
    const bytes = this.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TypeError(`store "${this.name}": null keys are not allowed`);
    this.lastKey = key;
    this.lastKeySerde = this.keySerde;
    this.lastKeyBytes = bytes;
    return bytes;
  }
  private kOrNull(key: K | null): Buffer | null {
    return key === null ? null : this.k(key);
  }
  private v(bytes: Buffer): V {
    return this.valueSerde.deserialize(bytes, this.topic) as V;
  }
  private entries(list: WindowEntry<Buffer>[]): WindowEntry<V>[] {
    return list.map((e) => ({ timestamp: e.timestamp, value: this.v(e.value) }));
  }
  private windowed(list: KeyValueEntry<Windowed<Buffer>, Buffer>[]): KeyValueEntry<Windowed<K>, V>[] {
    return list.map((e) => ({ key: { key: this.keySerde.deserialize(e.key.key, this.topic) as K, window: e.key.window }, value: this.v(e.value) }));
  }
  private range(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    this.recorder.ranges++;
    const o = this.objects;
    if (o !== null) return o.rangeFetch(keyFrom, keyTo, timeFrom, timeTo);
    return this.windowed(this.inner.fetch(this.kOrNull(keyFrom), this.kOrNull(keyTo), timeFrom, timeTo));
  }
  private keyRange(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[] {
    this.recorder.ranges++;
    const o = this.objects;
    if (o !== null) return o.keyFetch(key, timeFrom, timeTo);
    return this.entries(this.inner.fetch(this.k(key), timeFrom, timeTo));
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.recorder.puts++;
    const o = this.objects;
    if (this.immediate === null) {
      const t0 = this.recorder.start();
      if (o !== null) o.put(key, value, windowStart);
      else this.inner.put(this.k(key), value === null ? null : this.valueSerde.serialize(value, this.topic), windowStart);
      return this.recorder.end(t0);
    }
    let old: V | null;
    let present: boolean;
    if (o !== null) {
      old = o.fetch(key, windowStart);
      present = o.put(key, value, windowStart);
    } else {
      const k = this.k(key);
      const v = value === null ? null : this.valueSerde.serialize(value, this.topic);
      const oldBytes = this.inner.retainDuplicates ? null : this.inner.fetch(k, windowStart);
      this.inner.put(k, v, windowStart);
      old = oldBytes === null ? null : this.v(oldBytes);
      present = v !== null;
    }
    if (old !== null || present) {
      this.immediate({ key, window: { start: windowStart, end: windowStart + this.inner.windowSizeMs } }, value, old, windowStart);
    }
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  fetch(a: K | null, b: K | number | null, c?: number, d?: number): unknown {
    if (d !== undefined) return this.range(a, b as K | null, c!, d);
    if (c !== undefined) return this.keyRange(a as K, b as number, c);
    this.recorder.gets++;
    const t0 = this.recorder.start();
    const o = this.objects;
    let value: V | null;
    if (o !== null) value = o.fetch(a as K, b as number);
    else {
      const bytes = this.inner.fetch(this.k(a as K), b as number);
      value = bytes === null ? null : this.v(bytes);
    }
    this.recorder.end(t0);
    return value;
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  backwardFetch(a: K | null, b: K | number | null, c: number, d?: number): unknown {
    return d !== undefined ? this.range(a, b as K | null, c, d).reverse() : this.keyRange(a as K, b as number, c).reverse();
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    return this.range(null, null, timeFrom, timeTo);
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    return this.fetchAll(timeFrom, timeTo).reverse();
  }
  all(): KeyValueEntry<Windowed<K>, V>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
  backwardAll(): KeyValueEntry<Windowed<K>, V>[] {
    return this.all().reverse();
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
    this.recorder.restored += records.length;
  }
}
