import { hash } from 'node:crypto';
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
