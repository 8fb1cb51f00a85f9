import type { Serde } from '../../src/serdes/serde.js';
import { Stores } from '../../state/stores.js';
import type { KeyValueStoreBuilder } from '../../state/key-value-store-builder.js';

/**
 * Key of the shared store of a left/outer stream–stream join (Kafka's `TimestampedKeyAndJoinSide`):
 * serialized as `<timestamp int64 BE><side byte: 1 left, 0 right><key bytes>`, so the store iterates
 * held records by timestamp, then right before left, then key bytes.
 * @example
 * const k: TimestampedKeyAndJoinSide<string> = { timestamp: 10, leftSide: true, key: 'a' };
 */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

/**
 * The unmatched records held under one key of the shared store (Kafka keeps a list per key, its
 * `ListValueStore`), oldest first; all from the side the key names.
 * @example
 * const held: HeldValues = [{ value: "A", left: true }];
 */
export type HeldValues = readonly { readonly value: unknown; readonly left: boolean }[];

function keySerde<K>(inner: Serde<K>): Serde<TimestampedKeyAndJoinSide<K>> {
  return {
    serialize(k, topic) {
      if (k === null) return null;
      const keyBytes = inner.serialize(k.key, topic) ?? Buffer.alloc(0);
      const out = Buffer.alloc(9 + keyBytes.length);
      out.writeBigInt64BE(BigInt(k.timestamp), 0);
      out.writeUInt8(k.leftSide ? 1 : 0, 8);
      keyBytes.copy(out, 9);
      return out;
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const key = inner.deserialize(data.subarray(9), topic) as K;
      return { timestamp: Number(data.readBigInt64BE(0)), leftSide: data.readUInt8(8) === 1, key };
    },
  };
}

function valuesSerde(left: Serde<unknown>, right: Serde<unknown>): Serde<HeldValues> {
  // Layout: per value `<side byte><length int32><bytes>`; the side picks the serde.
  return {
    serialize(values, topic) {
      if (values === null) return null;
      const parts: Buffer[] = [];
      for (const v of values) {
        const isLeft = v.left;
        const bytes = (isLeft ? left : right).serialize(v.value, topic) ?? Buffer.alloc(0);
        const head = Buffer.alloc(5);
        head.writeUInt8(isLeft ? 1 : 0, 0);
        head.writeInt32BE(bytes.length, 1);
        parts.push(head, bytes);
      }
      return Buffer.concat(parts);
    },
    deserialize(data, topic) {
      if (data === null) return null;
      const out: { value: unknown; left: boolean }[] = [];
      for (let i = 0; i < data.length; ) {
        const isLeft = data.readUInt8(i) === 1;
        const len = data.readInt32BE(i + 1);
        out.push({ left: isLeft, value: (isLeft ? left : right).deserialize(data.subarray(i + 5, i + 5 + len), topic) });
        i += 5 + len;
      }
      return out;
    },
  };
}

/**
 * The builder of the shared "outer join" store (`KSTREAM-OUTERSHARED-<n>-store` unless named), a
 * key-value store of the records a left/outer stream–stream join holds until their window closes.
 * Persistent, no cache, logged unless disabled (as Kafka's).
 * @example
 * const b = outerJoinStoreBuilder('KSTREAM-OUTERSHARED-0000000004-store', Serdes.string(), Serdes.string(), Serdes.long(), true);
 */
export function outerJoinStoreBuilder<K>(
  name: string,
  key: Serde<K>,
  leftValue: Serde<unknown>,
  rightValue: Serde<unknown>,
  logged: boolean,
): KeyValueStoreBuilder<TimestampedKeyAndJoinSide<K>, HeldValues> {
  const b = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde(key), valuesSerde(leftValue, rightValue)).withCachingDisabled();
  return logged ? b.withLoggingEnabled() : b.withLoggingDisabled();
}
