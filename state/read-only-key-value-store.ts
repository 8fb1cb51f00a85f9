import type { Serde } from '../src/serdes/serde.js';
import type { KeyValueEntry } from './key-value-entry.js';

/**
 * The read side of a key-value store: what interactive queries (`app.store(name,
 * QueryableStoreTypes.keyValueStore())`) and the test driver hand out.
 *
 * Ordering: ranges follow the byte order of the *serialized* key (as in Kafka), so with
 * `Serdes.int32()` negative numbers sort after positive ones. Bounds are inclusive; `null` means
 * unbounded; `from > to` (in bytes) yields an empty result. Reads are synchronous and return arrays.
 * @example
 * const counts = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
 * counts.get('alice'); counts.range('a', 'c');
 */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value of a key, or null when absent. */
  get(key: K): V | null;
  /** Entries with from <= key <= to in ascending byte order of the serialized key. */
  range(from: K | null, to: K | null): KeyValueEntry<K, V>[];
  /** Like {@link range}, descending. */
  reverseRange(from: K | null, to: K | null): KeyValueEntry<K, V>[];
  /** Entries whose serialized key starts with `prefixKeySerde.serialize(prefix)`, ascending. */
  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<K, V>[];
  /** Every entry, ascending. */
  all(): KeyValueEntry<K, V>[];
  /** Every entry, descending. */
  reverseAll(): KeyValueEntry<K, V>[];
  /** The number of entries (exact for tributary's stores; "approximate" keeps Kafka's name). */
  approximateNumEntries(): number;
}
