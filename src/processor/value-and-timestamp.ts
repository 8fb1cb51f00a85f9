import type { Serde } from '../serdes/serde.js';
import { resolveDefaultSerde } from '../serdes/default-serde.js';
import { int64IsSafe, readInt64BE, writeInt64BE } from '../serdes/int64-bytes.js';
import { longSerde } from '../serdes/primitive-serdes.js';

/**
 * A value with the timestamp of the update that produced it: what the DSL keeps in the key-value
 * stores of tables and aggregations (Kafka's `ValueAndTimestamp`), so that an aggregate's result
 * timestamp can be the max of its inputs' timestamps.
 * @example
 * const vt: ValueAndTimestamp<number> = { value: 3, timestamp: 1_700_000_000_000 };
 */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Serializes {@link ValueAndTimestamp} as Kafka does: the timestamp as an 8-byte big-endian long,
 * then the inner serde's bytes. A null inner value (a tombstone) is a null record.
 * `inner` is public so read-only views (`TopologyTestDriver.getKeyValueStore`, interactive queries)
 * can recognise timestamped stores and hand out plain values.
 * @example
 * const serde = new ValueAndTimestampSerde(Serdes.long());
 * serde.deserialize(serde.serialize({ value: 2, timestamp: 5 })); // { value: 2, timestamp: 5 }
 */
export class ValueAndTimestampSerde<V> implements Serde<ValueAndTimestamp<V>> {
  constructor(readonly inner: Serde<V>) {}

  /** Rebuilt around the default value serde when its inner serde stands for the default. */
  withDefault(fallback: Serde<unknown>): Serde<ValueAndTimestamp<V>> {
    const inner = resolveDefaultSerde(this.inner, fallback);
    return inner === this.inner ? this : new ValueAndTimestampSerde(inner);
  }

  serialize(data: ValueAndTimestamp<V> | null, topic?: string): Buffer | null {
    if (data === null) return null;
    const v = data.value as unknown;
    if (this.inner === (longSerde as Serde<unknown>) && typeof v === 'number' && Number.isSafeInteger(v)) {
      // Counts (every windowed or grouped count): one 16-byte buffer, not an 8-byte one copied.
      const out = Buffer.allocUnsafe(16);
      writeInt64BE(out, data.timestamp, 0);
      writeInt64BE(out, v, 8);
      return out;
    }
    const value = this.inner.serialize(data.value, topic);
    if (value === null) return null;
    const out = Buffer.allocUnsafe(8 + value.length);
    writeInt64BE(out, data.timestamp, 0);
    value.copy(out, 8);
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): ValueAndTimestamp<V> | null {
    if (data === null) return null;
    if (data.length < 8) throw new RangeError(`ValueAndTimestampSerde: ${data.length} bytes is shorter than the 8-byte timestamp`);
    if (this.inner === (longSerde as Serde<unknown>) && data.length === 16 && int64IsSafe(data, 8)) {
      return { value: readInt64BE(data, 8) as V, timestamp: readInt64BE(data, 0) };
    }
    const value = this.inner.deserialize(data.subarray(8), topic);
    return value === null ? null : { value, timestamp: readInt64BE(data, 0) };
  }
}

/**
 * True if `serde` stores {@link ValueAndTimestamp}s.
 * @example
 * isValueAndTimestampSerde(store.valueSerde); // true for the DSL's table stores
 */
export function isValueAndTimestampSerde(serde: unknown): serde is ValueAndTimestampSerde<unknown> {
  return serde instanceof ValueAndTimestampSerde;
}
