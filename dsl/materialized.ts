import type { Serde } from '../src/serdes/serde.js';
import { KeyValueStoreBuilder, type KeyValueBytesStoreSupplier } from '../state/key-value-store-builder.js';
import { SessionStoreBuilder, type SessionBytesStoreSupplier } from '../state/session-store-builder.js';
import { Stores } from '../state/stores.js';
import { WindowStoreBuilder, type WindowBytesStoreSupplier } from '../state/window-store-builder.js';

/** Any inner-store supplier `Materialized.as` accepts. */
export type MaterializedSupplier = KeyValueBytesStoreSupplier | WindowBytesStoreSupplier | SessionBytesStoreSupplier;

/** Kafka's default retention of windowed DSL stores when none is given: one day. */
export const DEFAULT_WINDOW_RETENTION_MS = 86_400_000;

interface MaterializedState<K, V> {
  readonly storeName: string | undefined;
  readonly supplier: MaterializedSupplier | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly cachingEnabled: boolean;
  readonly loggingEnabled: boolean;
  readonly changelogConfig: Readonly<Record<string, string>>;
  readonly retentionMs: number | undefined;
  readonly ttlMs: number | undefined;
}

/**
 * How a DSL operation (`table`, `count`, `aggregate`, `reduce`, …) materializes its state store:
 * name (which makes it queryable), inner store, serdes, caching, logging, retention and TTL.
 * Immutable: every `with…` returns a new object. DSL defaults, as in Kafka: a persistent (LevelDB)
 * store, caching and logging enabled; unset serdes fall back to the operation's or the app's.
 * @example
 * builder.stream('clicks').groupByKey().count(Materialized.as<string, number>('click-counts').withCachingDisabled());
 * table.mapValues(f, Materialized.with(Serdes.string(), Serdes.long()));
 */
export class Materialized<K, V> {
  private constructor(private readonly state: MaterializedState<K, V>) {}

  /** A store of this name (queryable), or built from this inner-store supplier. */
  static as<K, V>(storeNameOrSupplier: string | MaterializedSupplier): Materialized<K, V> {
    const named = typeof storeNameOrSupplier === 'string';
    if (named && !/^[a-zA-Z0-9._-]+$/.test(storeNameOrSupplier)) {
      throw new TypeError(`Materialized.as: store name "${storeNameOrSupplier}" must use only letters, digits, '.', '_' and '-'`);
    }
    return new Materialized<K, V>({
      ...DEFAULTS,
      storeName: named ? storeNameOrSupplier : storeNameOrSupplier.name,
      supplier: named ? undefined : storeNameOrSupplier,
    } as MaterializedState<K, V>);
  }

  /** An unnamed (internal, generated-name) store with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Materialized<K, V> {
    return new Materialized<K, V>({ ...(DEFAULTS as MaterializedState<K, V>), keySerde, valueSerde });
  }

  private with(patch: Partial<MaterializedState<K, V>>): Materialized<K, V> {
    return new Materialized({ ...this.state, ...patch });
  }

  withKeySerde<K2>(keySerde: Serde<K2>): Materialized<K2, V> {
    return new Materialized<K2, V>({ ...this.state, keySerde } as unknown as MaterializedState<K2, V>);
  }
  withValueSerde<V2>(valueSerde: Serde<V2>): Materialized<K, V2> {
    return new Materialized<K, V2>({ ...this.state, valueSerde } as unknown as MaterializedState<K, V2>);
  }
  withCachingEnabled(): Materialized<K, V> {
    return this.with({ cachingEnabled: true });
  }
  withCachingDisabled(): Materialized<K, V> {
    return this.with({ cachingEnabled: false });
  }
  /** Backs the store with a changelog topic, with these extra topic configs. */
  withLoggingEnabled(config: Record<string, string> = {}): Materialized<K, V> {
    return this.with({ loggingEnabled: true, changelogConfig: { ...config } });
  }
  withLoggingDisabled(): Materialized<K, V> {
    return this.with({ loggingEnabled: false, changelogConfig: {} });
  }
  /** Retention of a windowed or session store (>= window size + grace). */
  withRetention(retentionMs: number): Materialized<K, V> {
    if (!(retentionMs >= 0)) throw new RangeError(`Materialized.withRetention: must be >= 0, got ${retentionMs}`);
    return this.with({ retentionMs });
  }
  /** Per-key time to live of a key-value store, by event time (see `TimeToLiveKeyValueStore`). */
  withTtl(ttlMs: number): Materialized<K, V> {
    if (!(ttlMs > 0)) throw new RangeError(`Materialized.withTtl: must be > 0, got ${ttlMs}`);
    return this.with({ ttlMs });
  }

  get storeName(): string | undefined {
    return this.state.storeName;
  }
  get keySerde(): Serde<K> | undefined {
    return this.state.keySerde;
  }
  get valueSerde(): Serde<V> | undefined {
    return this.state.valueSerde;
  }
  get cachingEnabled(): boolean {
    return this.state.cachingEnabled;
  }
  get loggingEnabled(): boolean {
    return this.state.loggingEnabled;
  }
  get retentionMs(): number | undefined {
    return this.state.retentionMs;
  }
  get ttlMs(): number | undefined {
    return this.state.ttlMs;
  }
  get supplier(): MaterializedSupplier | undefined {
    return this.state.supplier;
  }

  /**
   * The key-value store builder this describes; `defaults` fill what is unset (the DSL passes a
   * generated name and the operation's serdes).
   */
  toKeyValueStoreBuilder(defaults: { name: string; keySerde: Serde<K>; valueSerde: Serde<V> }): KeyValueStoreBuilder<K, V> {
    const supplier = (this.state.supplier as KeyValueBytesStoreSupplier | undefined) ?? Stores.persistentKeyValueStore(this.state.storeName ?? defaults.name);
    let b = Stores.keyValueStoreBuilder(supplier, this.state.keySerde ?? defaults.keySerde, this.state.valueSerde ?? defaults.valueSerde);
    b = this.state.cachingEnabled ? b.withCachingEnabled() : b.withCachingDisabled();
    b = this.state.loggingEnabled ? b.withLoggingEnabled({ ...this.state.changelogConfig }) : b.withLoggingDisabled();
    return this.state.ttlMs === undefined ? b : b.withTtl(this.state.ttlMs);
  }

  /** The window store builder this describes; retention defaults to max(size + grace, 1 day). */
  toWindowStoreBuilder(defaults: { name: string; keySerde: Serde<K>; valueSerde: Serde<V>; windowSizeMs: number; graceMs: number; retainDuplicates?: boolean }): WindowStoreBuilder<K, V> {
    const retention = this.state.retentionMs ?? Math.max(defaults.windowSizeMs + defaults.graceMs, DEFAULT_WINDOW_RETENTION_MS);
    if (retention < defaults.windowSizeMs + defaults.graceMs) {
      throw new RangeError(`store "${this.state.storeName ?? defaults.name}": retention ${retention} ms must be >= window size + grace (${defaults.windowSizeMs + defaults.graceMs} ms)`);
    }
    const supplier = (this.state.supplier as WindowBytesStoreSupplier | undefined) ??
      Stores.persistentWindowStore(this.state.storeName ?? defaults.name, retention, defaults.windowSizeMs, defaults.retainDuplicates ?? false);
    let b = Stores.windowStoreBuilder(supplier, this.state.keySerde ?? defaults.keySerde, this.state.valueSerde ?? defaults.valueSerde);
    b = this.state.cachingEnabled ? b.withCachingEnabled() : b.withCachingDisabled();
    return this.state.loggingEnabled ? b.withLoggingEnabled({ ...this.state.changelogConfig }) : b.withLoggingDisabled();
  }

  /** The session store builder this describes; retention defaults to max(gap + grace, 1 day). */
  toSessionStoreBuilder(defaults: { name: string; keySerde: Serde<K>; valueSerde: Serde<V>; gapMs: number; graceMs: number }): SessionStoreBuilder<K, V> {
    const retention = this.state.retentionMs ?? Math.max(defaults.gapMs + defaults.graceMs, DEFAULT_WINDOW_RETENTION_MS);
    const supplier = (this.state.supplier as SessionBytesStoreSupplier | undefined) ?? Stores.persistentSessionStore(this.state.storeName ?? defaults.name, retention);
    let b = Stores.sessionStoreBuilder(supplier, this.state.keySerde ?? defaults.keySerde, this.state.valueSerde ?? defaults.valueSerde);
    b = this.state.cachingEnabled ? b.withCachingEnabled() : b.withCachingDisabled();
    return this.state.loggingEnabled ? b.withLoggingEnabled({ ...this.state.changelogConfig }) : b.withLoggingDisabled();
  }
}

const DEFAULTS: MaterializedState<unknown, unknown> = {
  storeName: undefined,
  supplier: undefined,
  keySerde: undefined,
  valueSerde: undefined,
  cachingEnabled: true,
  loggingEnabled: true,
  changelogConfig: {},
  retentionMs: undefined,
  ttlMs: undefined,
};
