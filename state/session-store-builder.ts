import type { Serde } from '../src/serdes/serde.js';
import { CachingSessionStore } from './caching-session-store.js';
import { ChangeLoggingSessionStore } from './change-logging-session-store.js';
import { DEFAULT_LAYER_OPTIONS, LayeredStoreBuilder, type StoreLayerOptions } from './layered-store-builder.js';
import { MeteredSessionStore } from './metered-session-store.js';
import type { SessionBytesStore } from './session-store.js';
import { CHANGELOG_ADDITIONAL_RETENTION_MS } from './window-store-builder.js';

/** Makes the inner session store of one task: `Stores.persistentSessionStore(...)` etc. */
export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  get(): SessionBytesStore;
}

/**
 * Builds typed session stores, one per task: metered → (caching) → (change-logging) → inner.
 * Immutable; logging on and caching off by default.
 * @example
 * const b = Stores.sessionStoreBuilder(Stores.persistentSessionStore('sessions', 86_400_000), Serdes.string(), Serdes.long());
 */
export class SessionStoreBuilder<K, AGG> extends LayeredStoreBuilder<MeteredSessionStore<K, AGG>, StoreLayerOptions, SessionStoreBuilder<K, AGG>> {
  constructor(
    readonly supplier: SessionBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly aggSerde: Serde<AGG>,
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
  protected with(options: Partial<StoreLayerOptions>): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.aggSerde, { ...this.options, ...options });
  }

  build(): MeteredSessionStore<K, AGG> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.options.logging) store = new ChangeLoggingSessionStore(store);
    if (this.options.caching) store = new CachingSessionStore(store);
    return new MeteredSessionStore(store, this.keySerde, this.aggSerde);
  }
}
