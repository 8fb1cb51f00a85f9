import { hash } from 'node:crypto';
import { TopologyError } from '../../src/core/errors.js';
import type { Serde } from '../../src/serdes/serde.js';

/**
 * The 128-bit hash of a left value's bytes that a foreign-key join's subscription carries and its
 * response echoes (Kafka uses Murmur3 hash128; any 128-bit digest serves, the hash never leaves
 * the application): the resolver drops a response whose hash differs from the hash of the row's
 * current value, because the row changed again after the subscription was sent. Null for null.
 * @example
 * valueHash(Serdes.json<Order>(), order, topic)?.length; // 16
 */
export function valueHash<V>(serde: Serde<V>, value: V | null, topic: string): Buffer | null {
  if (value === null) return null;
  const bytes = serde.serialize(value, topic);
  return bytes === null ? null : hash('md5', bytes, 'buffer');
}

/**
 * `serde`, or one that fails on first use with a `TopologyError` saying which table of the
 * foreign-key join needs serdes: the join's internal topics and subscription store serialize keys
 * and values themselves, so the application's default serdes cannot stand in.
 * @example
 * const fkSerde = fkJoinSerde(right.keySerde, 'KTABLE-FK-JOIN-OUTPUT-0000000018', 'right table key');
 */
export function fkJoinSerde<T>(serde: Serde<T> | undefined, join: string, what: string): Serde<T> {
  if (serde !== undefined) return serde;
  const fail = (): never => {
    throw new TopologyError(
      `foreign-key join "${join}" has no ${what} serde: give the table its serdes ` +
        '(Consumed.with(keySerde, valueSerde) on builder.table, or Materialized.with on the operation that made it)',
    );
  };
  return { serialize: fail, deserialize: fail };
}
