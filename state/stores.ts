import type { Serde } from '../src/serdes/serde.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import { KeyValueStoreBuilder, type KeyValueBytesStoreSupplier } from './key-value-store-builder.js';
import { LevelKeyValueStore } from './level-key-value-store.js';
import { InMemorySessionStore } from './in-memory-session-store.js';
import { InMemoryWindowStore } from './in-memory-window-store.js';
import { LevelSessionStore } from './level-session-store.js';
import { LevelWindowStore } from './level-window-store.js';
import { SessionStoreBuilder, type SessionBytesStoreSupplier } from './session-store-builder.js';
import { WindowStoreBuilder, type WindowBytesStoreSupplier } from './window-store-builder.js';

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
  /**
   * A window store in the task's LevelDB. Keeps windows for `retentionMs` of stream time (>= the
   * window size); `retainDuplicates` keeps every put (join buffers) instead of one value per window.
   */
  persistentWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    checkName(name);
    new LevelWindowStore(name, retentionMs, windowSizeMs, retainDuplicates); // validates the arguments now
    return { name, persistent: true, retentionMs, windowSizeMs, retainDuplicates, get: () => new LevelWindowStore(name, retentionMs, windowSizeMs, retainDuplicates) };
  },
  /** A window store in memory (see {@link Stores.persistentWindowStore} for the arguments). */
  inMemoryWindowStore(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): WindowBytesStoreSupplier {
    checkName(name);
    new InMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates);
    return { name, persistent: false, retentionMs, windowSizeMs, retainDuplicates, get: () => new InMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates) };
  },
  /** A session store in the task's LevelDB, keeping sessions for `retentionMs` of stream time (by end). */
  persistentSessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    checkName(name);
    new LevelSessionStore(name, retentionMs);
    return { name, persistent: true, retentionMs, get: () => new LevelSessionStore(name, retentionMs) };
  },
  /** A session store in memory. */
  inMemorySessionStore(name: string, retentionMs: number): SessionBytesStoreSupplier {
    checkName(name);
    new InMemorySessionStore(name, retentionMs);
    return { name, persistent: false, retentionMs, get: () => new InMemorySessionStore(name, retentionMs) };
  },
  /** Typed key-value stores over a supplier: logging on, caching off until told otherwise. */
  keyValueStoreBuilder<K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  /** Typed window stores over a supplier: logging on, caching off until told otherwise. */
  windowStoreBuilder<K, V>(supplier: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier, keySerde, valueSerde);
  },
  /** Typed session stores over a supplier: logging on. */
  sessionStoreBuilder<K, AGG>(supplier: SessionBytesStoreSupplier, keySerde: Serde<K>, aggSerde: Serde<AGG>): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(supplier, keySerde, aggSerde);
  },
} as const;
