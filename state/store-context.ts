import type { Serde } from '../src/serdes/serde.js';
import type { StateStoreContext } from './state-store.js';
import type { TaskStateDb } from './task-state-db.js';
import type { ThreadCache } from './thread-cache.js';

/**
 * What tributary's stores need from their task, beyond {@link StateStoreContext}. The runtime (and
 * the test driver) implement it; stores never see the task, the producer or the broker.
 *
 * - `timestamp()` — event time of the record (or punctuation) being processed; stamps changelog
 *   records and TTL when a write passes no explicit timestamp.
 * - `logChange(store, key, value, timestamp)` — the change-logging layer calls it for every write
 *   that reaches it; the runtime produces `<applicationId>-<store>-changelog`, partition
 *   `partition`, inside the commit's transaction. `value === null` is a tombstone. Window stores
 *   pass the store key `<key><windowStart int64 BE><seq int32 BE>`; session stores
 *   `<key><end int64 BE><start int64 BE>`.
 * - `stateDb` — the task's open LevelDB ({@link TaskStateDb}); required by persistent stores.
 * - `cache` — the instance's shared record cache; without one a caching layer makes a private one.
 * - `defaultKeySerde` / `defaultValueSerde` — the application's defaults; a typed (metered) layer whose
 *   serde stands for the default (see `src/serdes/default-serde.ts`) takes them at `init`, as in Kafka.
 * @example
 * const ctx: StoreContext = { applicationId: 'app', taskId: '0_0', partition: 0, stateDir: dir,
 *   timestamp: () => recordTs, logChange: (s, k, v, ts) => producer.buffer(s, k, v, ts), stateDb, cache };
 */
export interface StoreContext extends StateStoreContext {
  timestamp(): number;
  logChange(store: string, key: Buffer, value: Buffer | null, timestamp: number): void;
  readonly stateDb?: TaskStateDb;
  readonly cache?: ThreadCache;
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
}

/** Optional members of a context, read defensively: a plain StateStoreContext has none of them. */
type PartialStoreContext = StateStoreContext & Partial<Pick<StoreContext, 'timestamp' | 'logChange' | 'stateDb' | 'cache' | 'defaultKeySerde' | 'defaultValueSerde'>>;

/** A store's view of its init context: every StoreContext member, read without a cast. */
export function storeContextParts(context: StateStoreContext): PartialStoreContext {
  return context as PartialStoreContext;
}
