import type { Serde } from '../../src/serdes/serde.js';

/**
 * An aggregate with the largest record timestamp that went into it (Kafka's `ValueAndTimestamp`):
 * what windowed aggregations keep per window, so results carry Kafka's output timestamps.
 * @example
 * const vt: ValueAndTimestamp<number> = { value: 3, timestamp: 1_000 };
 */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Serde of {@link ValueAndTimestamp} in Kafka's timestamped-store layout: 8-byte big-endian
 * timestamp, then the inner value's bytes. A null inner value (or null) serializes to null.
 * @example
 * const serde = valueAndTimestampSerde(Serdes.long()); serde.serialize({ value: 1, timestamp: 5 });
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(vt: ValueAndTimestamp<V> | null, topic?: string): Buffer | null {
      if (vt === null || vt === undefined) return null;
      const bytes = inner.serialize(vt.value, topic);
      if (bytes === null) return null;
      const out = Buffer.allocUnsafe(8 + bytes.length);
      out.writeBigInt64BE(BigInt(vt.timestamp), 0);
      bytes.copy(out, 8);
      return out;
    },
    deserialize(data: Buffer | null, topic?: string): ValueAndTimestamp<V> | null {
      if (data === null || data === undefined) return null;
      const timestamp = Number(data.readBigInt64BE(0));
      return { value: inner.deserialize(data.subarray(8), topic) as V, timestamp };
    },
  };
}
