/**
 * A key and a value: what `map`, `flatMap` (and later `groupBy`) selectors return.
 *
 * @example
 * stream.map((k, v) => KeyValue.pair(v.userId, v.amount));
 */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * Factory for {@link KeyValue} pairs.
 * @example
 * const kv = KeyValue.pair('alice', 3); // { key: 'alice', value: 3 }
 */
export const KeyValue = {
  /** A new pair. */
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return { key, value };
  },
} as const;
