import type { Windowed } from '../src/core/windowed.js';
import type { Serde } from '../src/serdes/serde.js';
import type { KeyValueEntry } from './key-value-entry.js';
import type { ReadOnlyKeyValueStore } from './read-only-key-value-store.js';
import type { ReadOnlySessionStore } from './read-only-session-store.js';
import type { ReadOnlyWindowStore, WindowEntry } from './read-only-window-store.js';

type Fn = (...args: never[]) => unknown;
/** Binds the named read methods of `store` into a fresh object: nothing else is reachable. */
function pick<T extends object>(store: T, names: readonly string[]): T {
  const view: Record<string, Fn> = {};
  for (const name of names) {
    const method = (store as Record<string, unknown>)[name];
    if (typeof method !== 'function') throw new TypeError(`store has no ${name}() to expose read-only`);
    view[name] = (method as Fn).bind(store);
  }
  return Object.freeze(view) as unknown as T;
}

/**
 * Read-only views for interactive queries (`app.store(name, QueryableStoreTypes.…)`, the test
 * driver): objects with only the read methods of a store, so a caller cannot cast its way to
 * `put` or `close`. Reads go through the whole stack (metered, cache, store), so they see writes
 * not yet committed — as Kafka's interactive queries do.
 * @example
 * const view = ReadOnlyViews.keyValue(taskStore);
 * view.get('alice'); // (view as any).put is undefined
 */
export const ReadOnlyViews = {
  keyValue<K, V>(store: ReadOnlyKeyValueStore<K, V>): ReadOnlyKeyValueStore<K, V> {
    return pick(store, ['get', 'range', 'reverseRange', 'prefixScan', 'all', 'reverseAll', 'approximateNumEntries']);
  },
  window<K, V>(store: ReadOnlyWindowStore<K, V>): ReadOnlyWindowStore<K, V> {
    return pick(store, ['fetch', 'backwardFetch', 'fetchAll', 'backwardFetchAll', 'all', 'backwardAll']);
  },
  session<K, AGG>(store: ReadOnlySessionStore<K, AGG>): ReadOnlySessionStore<K, AGG> {
    return pick(store, ['findSessions', 'backwardFindSessions', 'fetchSession', 'fetch', 'backwardFetch']);
  },
  /**
   * One view over the same store in several tasks (one per partition): point reads ask each until
   * one has the key; scans concatenate (ordered per task, not globally — as in Kafka).
   */
  compositeKeyValue<K, V>(stores: readonly ReadOnlyKeyValueStore<K, V>[]): ReadOnlyKeyValueStore<K, V> {
    const each = <R>(f: (s: ReadOnlyKeyValueStore<K, V>) => R[]): R[] => stores.flatMap(f);
    return Object.freeze({
      get: (key: K) => {
        for (const s of stores) {
          const v = s.get(key);
          if (v !== null) return v;
        }
        return null;
      },
      range: (from: K | null, to: K | null) => each((s) => s.range(from, to)),
      reverseRange: (from: K | null, to: K | null) => each((s) => s.reverseRange(from, to)),
      prefixScan: <P>(prefix: P, serde: Serde<P>): KeyValueEntry<K, V>[] => each((s) => s.prefixScan(prefix, serde)),
      all: () => each((s) => s.all()),
      reverseAll: () => each((s) => s.reverseAll()),
      approximateNumEntries: () => stores.reduce((n, s) => n + s.approximateNumEntries(), 0),
    });
  },
} as const;

/** Re-exported entry shapes the views return. */
export type { KeyValueEntry, WindowEntry, Windowed };
