import type { Serde } from '../src/serdes/serde.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import { MeteredKeyValueStore } from './metered-key-value-store.js';
import { DEFAULT_LAYER_OPTIONS, LayeredStoreBuilder, type StoreLayerOptions } from './layered-store-builder.js';
import { TimeToLiveKeyValueStore } from './time-to-live-key-value-store.js';

/** Makes the inner (bytes) store of one task; `Stores.persistentKeyValueStore(name)` etc. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  /** True for LevelDB-backed stores. */
  readonly persistent: boolean;
  get(): KeyValueBytesStore;
}

export type { StoreLayerOptions } from './layered-store-builder.js';

type KeyValueLayerOptions = StoreLayerOptions & { readonly ttlMs?: number };

/**
 * Builds typed key-value stores, one per task: metered → (TTL) → (caching) → (change-logging) →
 * inner. Immutable: every `with…` returns a new builder. Defaults as in Kafka: logging on, caching off.
 * @example
 * const builder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long())
 *   .withCachingEnabled();
 * topology.addStateStore(builder, 'counter');
 */
export class KeyValueStoreBuilder<K, V> extends LayeredStoreBuilder<MeteredKeyValueStore<K, V>, KeyValueLayerOptions, KeyValueStoreBuilder<K, V>> {
  constructor(
    readonly supplier: KeyValueBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    options: KeyValueLayerOptions = DEFAULT_LAYER_OPTIONS,
  ) {
    super(options);
  }

  get name(): string {
    return this.supplier.name;
  }
  get changelogConfig(): Readonly<Record<string, string>> {
    return { 'cleanup.policy': 'compact', ...this.options.changelogConfig };
  }
  protected with(options: Partial<KeyValueLayerOptions>): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(this.supplier, this.keySerde, this.valueSerde, { ...this.options, ...options });
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
