import type { RestorableStore } from './key-value-entry.js';
import type { ReadOnlyWindowStore } from './read-only-window-store.js';
import type { StateStore } from './state-store.js';

/**
 * A window store as processors see it: values per (key, window start). Windows are kept for the
 * store's retention, measured against the largest window start put (its stream time); retention
 * drops whole time segments. A null value deletes the window (ignored when duplicates are retained,
 * as in Kafka). Window ends are `start + windowSize`.
 * @example
 * const w = context.getStateStore<WindowStore<string, number>>('counts-per-minute');
 * w.put(key, (w.fetch(key, windowStart) ?? 0) + 1, windowStart);
 */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Sets the value of the window of `key` starting at `windowStart` (null: deletes it). */
  put(key: K, value: V | null, windowStart: number): void;
}

/**
 * A window store of raw bytes (every layer below the metered one). `putStoreKey` writes an already
 * encoded store key (`<key><start int64><seq int32>`, see the window key schema); layers above the
 * inner store use it so that the changelog and the store agree on the duplicate sequence number.
 */
export interface WindowBytesStore extends WindowStore<Buffer, Buffer>, RestorableStore {
  readonly windowSizeMs: number;
  readonly retentionMs: number;
  readonly retainDuplicates: boolean;
  putStoreKey(storeKey: Buffer, value: Buffer | null): void;
  /** The largest window start this store has seen, including persisted and restored ones (its retention reference). */
  observedStreamTime(): number;
}
