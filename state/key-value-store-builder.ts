import type { Serde } from '../src/serdes/serde.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import { MeteredKeyValueStore } from './metered-key-value-store.js';
import type { StoreBuilder } from './store-builder.js';
import { TimeToLiveKeyValueStore } from './time-to-live-key-value-store.js';

/** Makes the inner (bytes) store of one task; `Stores.persistentKeyValueStore(name)` etc. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  /** True for LevelDB-backed stores. */
  readonly persistent: boolean;
  get(): KeyValueBytesStore;
}

/** Layer options shared by the key-value, window and session builders. */
export interface StoreLayerOptions {
  readonly caching: boolean;
  readonly logging: boolean;
  readonly changelogConfig: Readonly<Record<string, string>>;
}

/**
 * Builds typed key-value stores, one per task: metered → (TTL) → (caching) → (change-logging) →
 * inner. Immutable: every `with…` returns a new builder. Defaults as in Kafka: logging on, caching off.
 * @example
 * const builder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long())
 *   .withCachingEnabled();
 * topology.addStateStore(builder, 'counter');
 */
export class KeyValueStoreBuilder<K, V> implements StoreBuilder<MeteredKeyValueStore<K, V>> {
  constructor(
    readonly supplier: KeyValueBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly options: StoreLayerOptions & { readonly ttlMs?: number } = { caching: false, logging: true, changelogConfig: {} },
  ) {}

  get name(): string {
    return this.supplier.name;
  }
  get loggingEnabled(): boolean {
    return this.options.logging;
  }
  get changelogConfig(): Readonly<Record<string, string>> {
    return { 'cleanup.policy': 'compact', ...this.options.changelogConfig };
  }

  private with(options: Partial<StoreLayerOptions & { ttlMs: number }>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, { ...this.options, ...options });
  }

  withCachingEnabled(): KeyValueStoreBuilder<K, V> {
    return this.with({ caching: true });
  }
  withCachingDisabled(): KeyValueStoreBuilder<K, V> {
    return this.with({ caching: false });
  }
  /** Backs the store with `<applicationId>-<name>-changelog`, with these extra topic configs. */
  withLoggingEnabled(config: Record<string, string> = {}): KeyValueStoreBuilder<K, V> {
    return this.with({ logging: true, changelogConfig: { ...config } });
  }
  withLoggingDisabled(): KeyValueStoreBuilder<K, V> {
    return this.with({ logging: false });
  }
  /** Expires keys `ttlMs` of stream time after their last write (see {@link TimeToLiveKeyValueStore}). */
  withTtl(ttlMs: number): KeyValueStoreBuilder<K, V> {
    if (!(ttlMs > 0)) throw new RangeError(`withTtl: ttlMs must be > 0, got ${ttlMs}`);
    return this.with({ ttlMs });
  }

  build(): MeteredKeyValueStore<K, V> {
    let store: KeyValueBytesStore = this.supplier.get();
    if (this.options.logging) store = new ChangeLoggingKeyValueStore(store);
    if (this.options.caching) store = new CachingKeyValueStore(store);
    if (this.options.ttlMs !== undefined) store = new TimeToLiveKeyValueStore(store, this.options.ttlMs);
    return new MeteredKeyValueStore(store, this.keySerde, this.valueSerde);
  }
}
