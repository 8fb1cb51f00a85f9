import type { KeyValueEntry } from './key-value-entry.js';
import type { ReadOnlyKeyValueStore } from './read-only-key-value-store.js';
import type { StateStore } from './state-store.js';

/**
 * A mutable key-value store, as a processor sees it through `context.getStateStore(name)`.
 *
 * Writes are synchronous and land in memory (cache, pending write buffer); they reach LevelDB and
 * the changelog at commit. `timestamp` (optional everywhere) is the event time of the write: it
 * stamps the changelog record and drives TTL; it defaults to the timestamp of the record being
 * processed (`StoreContext.timestamp()`). A null value deletes the key.
 * @example
 * const store = context.getStateStore<KeyValueStore<string, number>>('counts');
 * store.put(key, (store.get(key) ?? 0) + 1);
 */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** Sets (or with null, deletes) a key. */
  put(key: K, value: V | null, timestamp?: number): void;
  /** Sets the key only if absent; returns the existing value (null if it wrote). */
  putIfAbsent(key: K, value: V, timestamp?: number): V | null;
  /** Deletes the key; returns the old value (null if absent). */
  delete(key: K, timestamp?: number): V | null;
  /** Puts every entry in order. */
  putAll(entries: readonly KeyValueEntry<K, V | null>[], timestamp?: number): void;
}
