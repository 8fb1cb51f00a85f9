import type { StateStore } from '../../state/state-store.js';
import { TopologyError } from '../core/errors.js';

/** Methods that change a store or its lifecycle: a global store's owner (its updater) alone may call them. */
const WRITES = new Set(['put', 'putIfAbsent', 'putAll', 'delete', 'init', 'flush', 'close', 'restoreBatch']);

/**
 * The view of a global store that stream tasks' processors get from `getStateStore(name)`: every
 * read goes to the store (so it sees each update at once), while writes and lifecycle calls throw a
 * `TopologyError` — Kafka's global stores are read-only to processors, since the global topic is
 * the only source of truth and each instance keeps its own copy.
 * @example
 * const view = readOnlyGlobalStore(globalStore);
 * view.get('k'); // reads through
 * view.put('k', v); // TopologyError
 */
export function readOnlyGlobalStore(store: StateStore): StateStore {
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const cached = bound.get(prop);
      if (cached !== undefined) return cached;
      const member = Reflect.get(target, prop, target) as unknown;
      if (typeof member !== 'function') return member;
      const fn =
        typeof prop === 'string' && WRITES.has(prop)
          ? () => {
              throw new TopologyError(`global store "${target.name}" is read-only to processors: ${prop}() is not allowed (update it through its topic)`);
            }
          : (member as (...args: unknown[]) => unknown).bind(target);
      bound.set(prop, fn);
      return fn;
    },
    set() {
      return false;
    },
  });
}

/**
 * Read-only views of the global stores, by name: what every stream task gets as `globalStores`.
 * @example
 * new TaskExecutor(topology, { ...options, globalStores: globalStoreViews(updaterStores) });
 */
export function globalStoreViews(stores: Iterable<StateStore>): ReadonlyMap<string, StateStore> {
  const views = new Map<string, StateStore>();
  for (const s of stores) views.set(s.name, readOnlyGlobalStore(s));
  return views;
}
