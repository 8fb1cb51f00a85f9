import type { Serde } from '../src/serdes/serde.js';
import { CachingSessionStore } from './caching-session-store.js';
import { ChangeLoggingSessionStore } from './change-logging-session-store.js';
import type { StoreLayerOptions } from './key-value-store-builder.js';
import { MeteredSessionStore } from './metered-session-store.js';
import type { SessionBytesStore } from './session-store.js';
import type { StoreBuilder } from './store-builder.js';
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
export class SessionStoreBuilder<K, AGG> implements StoreBuilder<MeteredSessionStore<K, AGG>> {
  constructor(
    readonly supplier: SessionBytesStoreSupplier,
    readonly keySerde: Serde<K>,
    readonly aggSerde: Serde<AGG>,
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
  private with(options: Partial<StoreLayerOptions>): SessionStoreBuilder<K, AGG> {
    return new SessionStoreBuilder(this.supplier, this.keySerde, this.aggSerde, { ...this.options, ...options });
  }
  withCachingEnabled(): SessionStoreBuilder<K, AGG> {
    return this.with({ caching: true });
  }
  withCachingDisabled(): SessionStoreBuilder<K, AGG> {
    return this.with({ caching: false });
  }
  withLoggingEnabled(config: Record<string, string> = {}): SessionStoreBuilder<K, AGG> {
    return this.with({ logging: true, changelogConfig: { ...config } });
  }
  withLoggingDisabled(): SessionStoreBuilder<K, AGG> {
    return this.with({ logging: false });
  }

  build(): MeteredSessionStore<K, AGG> {
    let store: SessionBytesStore = this.supplier.get();
    if (this.options.logging) store = new ChangeLoggingSessionStore(store);
    if (this.options.caching) store = new CachingSessionStore(store);
    return new MeteredSessionStore(store, this.keySerde, this.aggSerde);
  }
}
