import type { Serde } from '../src/serdes/serde.js';
import { ChangeLoggingWindowStore } from './change-logging-window-store.js';
import { DEFAULT_LAYER_OPTIONS, LayeredStoreBuilder, type StoreLayerOptions } from './layered-store-builder.js';
import { MeteredWindowStore } from './metered-window-store.js';
import { CachingWindowStore } from './caching-window-store.js';
import type { WindowBytesStore } from './window-store.js';

/** Kafka's `windowstore.changelog.additional.retention.ms` default: the changelog keeps a day more. */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000;

/** Makes the inner window store of one task: `Stores.persistentWindowStore(...)` etc. */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  get(): WindowBytesStore;
}

/**
 * Builds typed window stores, one per task: metered → (caching) → (change-logging) → inner.
 * Immutable; logging on and caching off by default. The changelog is `compact,delete` with
 * `retention.ms` = store retention + 1 day, as in Kafka. With caching and logging off over an
 * in-memory supplier (no duplicates), nothing below the metered layer needs bytes, so the built
 * store keeps keys and values as objects (`InMemoryWindowStore.objectLevel`).
 * @example
 * const b = Stores.windowStoreBuilder(Stores.persistentWindowStore('clicks', 3_600_000, 60_000, false), Serdes.string(), Serdes.long());
 */
export class WindowStoreBuilder<K, V> extends LayeredStoreBuilder<MeteredWindowStore<K, V>, StoreLayerOptions, WindowStoreBuilder<K, V>> {
  constructor(
    readonly supplier: WindowBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    options: StoreLayerOptions = DEFAULT_LAYER_OPTIONS,
  ) {
    super(options);
  }

  get name(): string {
    return this.supplier.name;
  }
  get changelogConfig(): Readonly<Record<string, string>> {
    return {
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(this.supplier.retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS),
      ...this.options.changelogConfig,
    };
  }
  protected with(options: Partial<StoreLayerOptions>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, { ...this.options, ...options });
  }

  build(): MeteredWindowStore<K, V> {
    let store: WindowBytesStore = this.supplier.get();
    if (this.options.logging) store = new ChangeLoggingWindowStore(store);
    if (this.options.caching) store = new CachingWindowStore(store);
    return new MeteredWindowStore(store, this.keySerde, this.valueSerde);
  }
}
