import { InMemoryKeyValueStore } from '../../state/in-memory-key-value-store.js';
import { InMemorySessionStore } from '../../state/in-memory-session-store.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import { KeyValueStoreBuilder } from '../../state/key-value-store-builder.js';
import type { KeyValueEntry } from '../../state/key-value-entry.js';
import type { ReadOnlyKeyValueStore } from '../../state/read-only-key-value-store.js';
import type { ReadOnlyWindowStore } from '../../state/read-only-window-store.js';
import { SessionStoreBuilder } from '../../state/session-store-builder.js';
import type { StateStore } from '../../state/state-store.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import { WindowStoreBuilder } from '../../state/window-store-builder.js';
import type { Serde } from '../serdes/serde.js';
import { isValueAndTimestampSerde, type ValueAndTimestamp } from '../processor/value-and-timestamp.js';

/**
 * Makes the driver's instance of a store. The driver's API is synchronous (as Kafka's
 * TopologyTestDriver is), but a LevelDB store opens asynchronously; so a *persistent* supplier is
 * served by the in-memory inner store of the same kind — same byte order of keys, same layers
 * (metered, caching, change-logging) and serdes above it. Only durability differs, which a test
 * driver has no use for. In-memory suppliers and Processor-API builders are built as they are.
 * @example
 * new TaskExecutor(topology, { ..., storeFactory: driverStoreFactory });
 */
export function driverStoreFactory(builder: StoreBuilder): StateStore {
  if (builder instanceof KeyValueStoreBuilder && builder.supplier.persistent) {
    const name = builder.supplier.name;
    const supplier = { name, persistent: false, get: () => new InMemoryKeyValueStore(name) };
    return new KeyValueStoreBuilder(supplier, builder.keySerde, builder.valueSerde, builder.options).build();
  }
  if (builder instanceof WindowStoreBuilder && builder.supplier.persistent) {
    const { name, retentionMs, windowSizeMs, retainDuplicates } = builder.supplier;
    const supplier = {
      name, persistent: false, retentionMs, windowSizeMs, retainDuplicates,
      get: () => new InMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates),
    };
    return new WindowStoreBuilder(supplier, builder.keySerde, builder.valueSerde, builder.options).build();
  }
  if (builder instanceof SessionStoreBuilder && builder.supplier.persistent) {
    const { name, retentionMs } = builder.supplier;
    const supplier = { name, persistent: false, retentionMs, get: () => new InMemorySessionStore(name, retentionMs) };
    return new SessionStoreBuilder(supplier, builder.keySerde, builder.aggSerde, builder.options).build();
  }
  return builder.build();
}

/**
 * True if a key-value store keeps `ValueAndTimestamp`s (the DSL's table and aggregation stores).
 * @example
 * if (isTimestampedStore(store)) return plainValues(view);
 */
export function isTimestampedStore(store: StateStore): boolean {
  return isValueAndTimestampSerde((store as unknown as { valueSerde?: Serde<unknown> }).valueSerde);
}

/**
 * A read-only view that hands out the plain values of a timestamped store, as Kafka's driver does
 * for `getKeyValueStore` on a timestamped store.
 * @example
 * plainValues(view).get('a'); // 3, not { value: 3, timestamp: … }
 */
export function plainValues<K, V>(view: ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>): ReadOnlyKeyValueStore<K, V> {
  const unwrap = (list: KeyValueEntry<K, ValueAndTimestamp<V>>[]): KeyValueEntry<K, V>[] =>
    list.map((e) => ({ key: e.key, value: e.value.value }));
  return Object.freeze({
    get: (key: K) => view.get(key)?.value ?? null,
    range: (from: K | null, to: K | null) => unwrap(view.range(from, to)),
    reverseRange: (from: K | null, to: K | null) => unwrap(view.reverseRange(from, to)),
    prefixScan: <P>(prefix: P, serde: Serde<P>) => unwrap(view.prefixScan(prefix, serde)),
    all: () => unwrap(view.all()),
    reverseAll: () => unwrap(view.reverseAll()),
    approximateNumEntries: () => view.approximateNumEntries(),
  });
}

/**
 * A read-only window view that hands out the plain values of a timestamped window store (the DSL's
 * windowed aggregations), as Kafka's driver does for `getWindowStore`; `getTimestampedWindowStore`
 * keeps the timestamps.
 * @example
 * plainWindowValues(view).fetch('alice', 0); // 3, not { value: 3, timestamp: … }
 */
export function plainWindowValues<K, V>(view: ReadOnlyWindowStore<K, ValueAndTimestamp<V>>): ReadOnlyWindowStore<K, V> {
  const entries = <E extends { value: ValueAndTimestamp<V> }>(list: E[]) => list.map((e) => ({ ...e, value: e.value.value }));
  const fetch = (...args: unknown[]): unknown => {
    const f = view.fetch as (...a: unknown[]) => unknown;
    const out = f.apply(view, args);
    if (args.length === 2) return (out as ValueAndTimestamp<V> | null)?.value ?? null;
    return entries(out as { value: ValueAndTimestamp<V> }[]);
  };
  const backwardFetch = (...args: unknown[]): unknown => entries((view.backwardFetch as (...a: unknown[]) => { value: ValueAndTimestamp<V> }[]).apply(view, args));
  return Object.freeze({
    fetch: fetch as ReadOnlyWindowStore<K, V>['fetch'],
    backwardFetch: backwardFetch as ReadOnlyWindowStore<K, V>['backwardFetch'],
    fetchAll: (from: number, to: number) => entries(view.fetchAll(from, to)),
    backwardFetchAll: (from: number, to: number) => entries(view.backwardFetchAll(from, to)),
    all: () => entries(view.all()),
    backwardAll: () => entries(view.backwardAll()),
  }) as ReadOnlyWindowStore<K, V>;
}
