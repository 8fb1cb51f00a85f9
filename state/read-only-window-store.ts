import type { Windowed } from '../src/core/windowed.js';
import type { KeyValueEntry } from './key-value-entry.js';

/** One window of one key: its start time and value. */
export interface WindowEntry<V> {
  /** The window start, epoch ms. */
  readonly timestamp: number;
  readonly value: V;
}

/**
 * The read side of a window store (interactive queries, the test driver).
 *
 * Time bounds are inclusive window *start* times. Windows older than the store's retention
 * (relative to the largest window start it has seen) are not returned even if not yet dropped.
 * Per-key fetches are in ascending window start; key-range fetches, `fetchAll` and `all` are
 * ordered by window start, then serialized key bytes (then insertion, for duplicates);
 * `backward…` variants return the exact reverse. Key bounds may be null (unbounded).
 * @example
 * const w = app.store('clicks-per-minute', QueryableStoreTypes.windowStore<string, number>());
 * w.fetch('alice', t0, t1); // [{ timestamp, value }, ...]
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of the window of `key` starting exactly at `windowStart`, or null. */
  fetch(key: K, windowStart: number): V | null;
  /** Windows of one key with timeFrom <= start <= timeTo. */
  fetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  /** Windows of keys in [keyFrom, keyTo] with timeFrom <= start <= timeTo. */
  fetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  backwardFetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[];
  backwardFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  /** Windows of every key with timeFrom <= start <= timeTo. */
  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[];
  /** Every retained window. */
  all(): KeyValueEntry<Windowed<K>, V>[];
  backwardAll(): KeyValueEntry<Windowed<K>, V>[];
}
