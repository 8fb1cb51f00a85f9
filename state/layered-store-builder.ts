import type { StateStore } from './state-store.js';
import type { StoreBuilder } from './store-builder.js';

/** Layer options shared by the key-value, window and session builders. */
export interface StoreLayerOptions {
  readonly caching: boolean;
  readonly logging: boolean;
  readonly changelogConfig: Readonly<Record<string, string>>;
}

/** Kafka's defaults for a store builder: logged, not cached. */
export const DEFAULT_LAYER_OPTIONS: StoreLayerOptions = { caching: false, logging: true, changelogConfig: {} };

/**
 * What every store builder shares: immutable caching / logging toggles (each `with…` returns a new
 * builder of the same kind) over the layer options. A subclass says how to copy itself with new
 * options, which changelog configs its kind needs, and how to stack its layers in `build()`.
 * @example
 * class MyBuilder extends LayeredStoreBuilder<MyStore, StoreLayerOptions, MyBuilder> { ... }
 */
export abstract class LayeredStoreBuilder<S extends StateStore, O extends StoreLayerOptions, Self> implements StoreBuilder<S> {
  constructor(readonly options: O) {}

  abstract get name(): string;
  abstract get changelogConfig(): Readonly<Record<string, string>>;
  abstract build(): S;
  /** This builder with `options` merged over its own. */
  protected abstract with(options: Partial<O>): Self;

  get loggingEnabled(): boolean {
    return this.options.logging;
  }
  withCachingEnabled(): Self {
    return this.with({ caching: true } as Partial<O>);
  }
  withCachingDisabled(): Self {
    return this.with({ caching: false } as Partial<O>);
  }
  /** Backs the store with `<applicationId>-<name>-changelog`, with these extra topic configs. */
  withLoggingEnabled(config: Record<string, string> = {}): Self {
    return this.with({ logging: true, changelogConfig: { ...config } } as Partial<O>);
  }
  withLoggingDisabled(): Self {
    return this.with({ logging: false } as Partial<O>);
  }
}
