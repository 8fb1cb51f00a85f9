import type { ReadOnlyKeyValueStore } from '../../state/read-only-key-value-store.js';
import type { ReadOnlySessionStore } from '../../state/read-only-session-store.js';
import type { ReadOnlyWindowStore } from '../../state/read-only-window-store.js';
import type { StateStore } from '../../state/state-store.js';
import { InvalidStateStoreError } from '../core/errors.js';
import { isValueAndTimestampSerde, type ValueAndTimestamp } from '../processor/value-and-timestamp.js';

/** How a composite method combines the answers of the tasks' stores. */
type Combine = 'first' | 'concat' | 'sum';

/**
 * What kind of store a query wants and how to view several tasks' instances of it as one read-only
 * store (Kafka Streams' `QueryableStoreType`). Get one from {@link QueryableStoreTypes}.
 * @example
 * const view = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
 */
export interface QueryableStoreType<T> {
  /** 'key-value', 'window' or 'session': named in errors. */
  readonly kind: string;
  /** True if a task's store (its outermost layer) is of this kind. */
  accepts(store: StateStore): boolean;
  /** The read methods of the view, and how each combines the tasks' answers (given the call's arguments). */
  readonly methods: Readonly<Record<string, (args: readonly unknown[]) => Combine>>;
  /** Phantom: the view's type. */
  readonly __view?: T;
}

const has = (store: StateStore, ...names: string[]) => names.every((n) => typeof (store as unknown as Record<string, unknown>)[n] === 'function');
const first = () => 'first' as const;
const concat = () => 'concat' as const;

/**
 * The store types interactive queries can ask for (Kafka Streams' `QueryableStoreTypes`):
 * `app.store(name, QueryableStoreTypes.keyValueStore())` etc. return a read-only view over the
 * store of every local active task — point reads ask each task's store until one has the key, scans
 * concatenate the tasks' (ordered per task, not globally, as in Kafka). Values of the DSL's
 * timestamped stores come out plain (`3`, not `{ value: 3, timestamp }`), as in Kafka.
 * @example
 * const counts = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>());
 * counts.get('kafka'); // 3
 * const clicks = app.store('clicks-per-minute', QueryableStoreTypes.windowStore<string, number>());
 * clicks.fetch('alice', 0, Date.now());
 */
export const QueryableStoreTypes = {
  /** Key-value stores (also timestamped ones, through their value view). */
  keyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
    return {
      kind: 'key-value',
      accepts: (s) => has(s, 'get', 'range', 'all', 'prefixScan'),
      methods: { get: first, range: concat, reverseRange: concat, prefixScan: concat, all: concat, reverseAll: concat, approximateNumEntries: () => 'sum' },
    };
  },
  /** Window stores: `fetch(key, windowStart)` is a point read; the other fetches are scans. */
  windowStore<K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> {
    return {
      kind: 'window',
      accepts: (s) => has(s, 'fetch', 'fetchAll', 'backwardFetchAll'),
      methods: { fetch: (args) => (args.length === 2 ? 'first' : 'concat'), backwardFetch: concat, fetchAll: concat, backwardFetchAll: concat, all: concat, backwardAll: concat },
    };
  },
  /** Session stores: `fetchSession` is a point read; the rest are scans. */
  sessionStore<K, AGG>(): QueryableStoreType<ReadOnlySessionStore<K, AGG>> {
    return {
      kind: 'session',
      accepts: (s) => has(s, 'findSessions', 'fetchSession'),
      methods: { findSessions: concat, backwardFindSessions: concat, fetchSession: first, fetch: concat, backwardFetch: concat },
    };
  },
} as const;

/** What a view needs from the application, asked again at every read (tasks move on rebalance). */
export interface LocalStoreProvider {
  /** The store's instances in this instance's active tasks; throws `InvalidStateStoreError` if it cannot be queried now. */
  stores(): StateStore[];
}

/**
 * A read-only view of type `T` over every local task's instance of a store: only the type's read
 * methods exist on it; each call re-reads the local tasks through `provider` (so a view keeps
 * working across rebalances, and fails with `InvalidStateStoreError` while the store restores or
 * the application is not running), checks that each store is of the requested kind, and combines
 * the answers as the type says.
 * @example
 * const view = compositeView('counts', QueryableStoreTypes.keyValueStore<string, number>(), { stores: () => local });
 */
export function compositeView<T>(name: string, type: QueryableStoreType<T>, provider: LocalStoreProvider): T {
  const view: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [method, combine] of Object.entries(type.methods)) {
    view[method] = (...args: unknown[]) => {
      const stores = provider.stores();
      for (const s of stores) checkKind(name, type, s);
      const how = combine(args);
      if (how === 'first') {
        for (const s of stores) {
          const v = call(s, method, args);
          if (v !== null && v !== undefined) return isTimestamped(s) ? (v as ValueAndTimestamp<unknown>).value : v;
        }
        return null;
      }
      if (how === 'sum') return stores.reduce((n, s) => n + (call(s, method, args) as number), 0);
      return stores.flatMap((s) => {
        const entries = call(s, method, args) as { value: unknown }[];
        return isTimestamped(s) ? entries.map((e) => ({ ...e, value: (e.value as ValueAndTimestamp<unknown>).value })) : entries;
      });
    };
  }
  return Object.freeze(view) as unknown as T;
}

/** Throws `InvalidStateStoreError` unless `store` is of the kind `type` asks for. */
export function checkKind(name: string, type: QueryableStoreType<unknown>, store: StateStore): void {
  if (!type.accepts(store)) {
    throw new InvalidStateStoreError(name, `is not a ${type.kind} store; query it with the QueryableStoreTypes method of its kind`);
  }
}

/** The DSL's stores keep `ValueAndTimestamp`s; queries hand out plain values, as Kafka's do. */
function isTimestamped(store: StateStore): boolean {
  return isValueAndTimestampSerde((store as unknown as { valueSerde?: unknown }).valueSerde);
}

function call(store: StateStore, method: string, args: readonly unknown[]): unknown {
  return (store as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
}

/** What {@link localStoreView} needs from the application. */
export interface LocalStores {
  /** Every store name of the topology. */
  readonly knownStores: readonly string[];
  /** The application's state now. */
  appState(): string;
  /** True while some local task restores the store. */
  isRestoring(store: string): boolean;
  /** The active tasks of this instance now (none when not running). */
  tasks(): Iterable<{ readonly executor: { store(name: string): StateStore | undefined } }>;
}

/**
 * `KafkaStreams.store(name, type)`: a read-only view over store `name` in every local active task.
 *
 * Throws `InvalidStateStoreError` when the topology has no such store (naming the stores it has),
 * when a local task is restoring it (retriable: ask again once the application is RUNNING), when
 * the application is neither RUNNING nor REBALANCING, or when the store is of another kind than
 * `type`. The view re-checks the same conditions at every read.
 * @example
 * const counts = localStoreView('counts', QueryableStoreTypes.keyValueStore<string, number>(), local);
 */
export function localStoreView<T>(name: string, type: QueryableStoreType<T>, local: LocalStores): T {
  if (!local.knownStores.includes(name)) {
    const known = local.knownStores.length === 0 ? 'it has none' : `its stores are: ${local.knownStores.map((s) => `"${s}"`).join(', ')}`;
    throw new InvalidStateStoreError(name, `the topology has no store with this name; ${known}`);
  }
  if (type === undefined || type === null || typeof type !== 'object' || typeof type.accepts !== 'function' || typeof type.methods !== 'object') {
    throw new TypeError('store(name, type): type must come from QueryableStoreTypes (keyValueStore(), windowStore(), sessionStore())');
  }
  const provider: LocalStoreProvider = {
    stores: () => {
      if (local.isRestoring(name)) {
        throw new InvalidStateStoreError(name, 'is restoring from its changelog; query it again once the application is RUNNING', { retriable: true });
      }
      const state = local.appState();
      if (state !== 'RUNNING' && state !== 'REBALANCING') {
        throw new InvalidStateStoreError(name, `the application is ${state}; stores can be queried while it is RUNNING`);
      }
      const out: StateStore[] = [];
      for (const task of local.tasks()) {
        const s = task.executor.store(name);
        if (s !== undefined && s.isOpen()) out.push(s);
      }
      return out;
    },
  };
  // Fail at store() already, not only at the first read.
  for (const s of provider.stores()) checkKind(name, type, s);
  return compositeView(name, type, provider);
}
