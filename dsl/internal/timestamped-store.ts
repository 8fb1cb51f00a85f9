import { TopologyError } from '../../src/core/errors.js';
import { ValueAndTimestampSerde, type ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { DefaultableSerde } from '../../src/serdes/default-serde.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { KeyValueStoreBuilder } from '../../state/key-value-store-builder.js';
import { Materialized } from '../materialized.js';

/**
 * A serde for a store whose serde is not given: the store takes the application's default serde
 * (`defaultKeySerde` / `defaultValueSerde`) when it is initialized, as Kafka does; with no default
 * configured it fails with a message saying what to pass.
 * @example
 * const serde = missingSerde<number>('counts', 'value');
 */
export function missingSerde<T>(store: string, which: 'key' | 'value'): DefaultableSerde<T> {
  const fail = (): never => {
    throw new TopologyError(
      `state store "${store}" has no ${which} serde and no default${which === 'key' ? 'Key' : 'Value'}Serde is configured: ` +
        `pass one with Materialized.with(keySerde, valueSerde) (or Consumed/Grouped serdes upstream), or set the default in the config`,
    );
  };
  return { serialize: fail, deserialize: fail, withDefault: (fallback) => fallback as Serde<T> };
}

/**
 * The builder of a DSL key-value store that keeps {@link ValueAndTimestamp}s: the user's
 * `Materialized` (or DSL defaults: persistent, caching and logging on) with `name` when it has none,
 * and the given serdes where it sets none.
 * @example
 * const builder = timestampedStoreBuilder(materialized, 'KSTREAM-AGGREGATE-STATE-STORE-0000000002', keySerde, Serdes.long());
 */
export function timestampedStoreBuilder<K, V>(
  materialized: Materialized<K, V> | undefined,
  name: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KeyValueStoreBuilder<K, ValueAndTimestamp<V>> {
  const m = materialized ?? Materialized.as<K, V>(name);
  const storeName = m.storeName ?? name;
  const ks = m.keySerde ?? keySerde ?? missingSerde<K>(storeName, 'key');
  const vs = new ValueAndTimestampSerde(m.valueSerde ?? valueSerde ?? missingSerde<V>(storeName, 'value'));
  return m.withKeySerde(ks).withValueSerde(vs).toKeyValueStoreBuilder({ name, keySerde: ks, valueSerde: vs });
}
