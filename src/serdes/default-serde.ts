import type { Serde } from './serde.js';

/**
 * A serde that stands for "the application's default serde" until a store is initialized — Kafka's
 * null serde in `Materialized` / `Grouped`, which a store replaces with `default.key.serde` /
 * `default.value.serde` from the config at `init`. `withDefault` returns the serde to use given the
 * configured default (a wrapper, e.g. the value-and-timestamp serde, rebuilds itself around it).
 * @example
 * const serde = resolveDefaultSerde(store.keySerde, config.defaultKeySerde);
 */
export interface DefaultableSerde<T> extends Serde<T> {
  withDefault(fallback: Serde<unknown>): Serde<T>;
}

/** True if `serde` waits for a default ({@link DefaultableSerde}). */
export function isDefaultableSerde<T>(serde: Serde<T>): serde is DefaultableSerde<T> {
  return typeof (serde as Partial<DefaultableSerde<T>>).withDefault === 'function';
}

/**
 * `serde` itself, or — if it stands for the default and a default is configured — the serde to use
 * instead. Without a configured default the placeholder stays (it fails with its own message when used).
 * @example
 * resolveDefaultSerde(missing, Serdes.string()); // Serdes.string()
 */
export function resolveDefaultSerde<T>(serde: Serde<T>, fallback: Serde<unknown> | undefined): Serde<T> {
  if (fallback === undefined || !isDefaultableSerde(serde)) return serde;
  return serde.withDefault(fallback);
}
