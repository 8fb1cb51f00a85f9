import type { Serde } from '../src/serdes/serde.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import { KeyValueStoreBuilder, type KeyValueBytesStoreSupplier } from './key-value-store-builder.js';
import { LevelKeyValueStore } from './level-key-value-store.js';

function checkName(name: string): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new TypeError(`store name "${name}" must be non-empty and use only letters, digits, '.', '_' and '-' (it names a topic)`);
  }
  return name;
}

/**
 * Factories for state stores, as in Kafka Streams: a *supplier* makes the inner store (where the
 * bytes live), a *builder* wraps it in layers and serdes.
 * @example
 * const counts = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long())
 *   .withCachingEnabled()
 *   .withLoggingEnabled({ 'min.insync.replicas': '1' });
 */
export const Stores = {
  /** A key-value store in the task's LevelDB (needs `stateDir`). */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkName(name);
    return { name, persistent: true, get: () => new LevelKeyValueStore(name) };
  },
  /** A key-value store in memory, rebuilt from its changelog after a restart. */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    checkName(name);
    return { name, persistent: false, get: () => new InMemoryKeyValueStore(name) };
  },
  /** Typed key-value stores over a supplier: logging on, caching off until told otherwise. */
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
} as const;
