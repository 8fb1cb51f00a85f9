import type { Serde } from '../src/serdes/serde.js';
import { ChangeLoggingWindowStore } from './change-logging-window-store.js';
import type { StoreLayerOptions } from './key-value-store-builder.js';
import { MeteredWindowStore } from './metered-window-store.js';
import type { StoreBuilder } from './store-builder.js';
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
 * `retention.ms` = store retention + 1 day, as in Kafka.
 * @example
 * const b = Stores.windowStoreBuilder(Stores.persistentWindowStore('clicks', 3_600_000, 60_000, false), Serdes.string(), Serdes.long());
 */
export class WindowStoreBuilder<K, V> implements StoreBuilder<MeteredWindowStore<K, V>> {
  constructor(
    readonly supplier: WindowBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly options: StoreLayerOptions = { caching: false, logging: true, changelogConfig: {} },
  ) {}

  get name(): string {
    return this.supplier.name;
  }
  get loggingEnabled(): boolean {
    return this.options.logging;
  }
  get changelogConfig(): Readonly<Record<string, string>> {
    return {
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(this.supplier.retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS),
      ...this.options.changelogConfig,
    };
  }
  private with(options: Partial<StoreLayerOptions>): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(this.supplier, this.keySerde, this.valueSerde, { ...this.options, ...options });
  }
  withCachingEnabled(): WindowStoreBuilder<K, V> {
    return this.with({ caching: true });
  }
  withCachingDisabled(): WindowStoreBuilder<K, V> {
    return this.with({ caching: false });
  }
  withLoggingEnabled(config: Record<string, string> = {}): WindowStoreBuilder<K, V> {
    return this.with({ logging: true, changelogConfig: { ...config } });
  }
  withLoggingDisabled(): WindowStoreBuilder<K, V> {
    return this.with({ logging: false });
  }

  build(): MeteredWindowStore<K, V> {
    let store: WindowBytesStore = this.supplier.get();
    if (this.options.logging) store = new ChangeLoggingWindowStore(store);
    if (this.options.caching) store = new CachingWindowStore(store);
    return new MeteredWindowStore(store, this.keySerde, this.valueSerde);
  }
}
