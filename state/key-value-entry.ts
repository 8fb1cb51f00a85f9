/**
 * One entry of a store read: what `range`, `all` and window/session fetches return.
 *
 * Reads return arrays, not iterators (a choice Kafka does not make): the hot path is synchronous,
 * an array needs no `close()` and cannot leak a LevelDB snapshot; the price is memory proportional
 * to the result, so scan bounded ranges.
 * @example
 * for (const { key, value } of store.range('a', 'm')) console.log(key, value);
 */
export interface KeyValueEntry<K, V> {
  readonly key: K;
  readonly value: V;
}

/** One raw changelog record as the restore path receives it (a null value is a tombstone). */
export interface ChangelogRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  /** The record's timestamp, when the source has one. */
  readonly timestamp?: number;
}

/**
 * A store that can apply raw changelog records straight to its innermost layer: no re-logging, no
 * cache, no serdes. Every layer of a stack forwards `restoreBatch` to the layer below.
 * @example
 * store.restoreBatch([{ key: Buffer.from('a'), value: Buffer.from('1') }]);
 */
export interface RestorableStore {
  readonly name: string;
  /** Applies records in order; a null value deletes the key. */
  restoreBatch(records: readonly ChangelogRecord[]): void;
}
