import type { StateStore } from '../../state/state-store.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { FakeStoreContext, openTaskDb, tempDir } from '../state/fake-store-context.js';

/** One live store under test, with its task's commit, reopen and captured changelog. */
export interface StoreHarness<S extends StateStore> {
  readonly store: S;
  readonly context: FakeStoreContext;
  commit(): Promise<void>;
  reopen(): Promise<StoreHarness<S>>;
  changelog(): { key: Buffer; value: Buffer | null }[];
  dispose(): Promise<void>;
}

/** Opens `make()` as store "store" of task 0_0, with a TaskStateDb when persistent. */
export async function openHarness<S extends StateStore>(make: () => S, persistent: boolean, cacheBytes = 1 << 20): Promise<StoreHarness<S>> {
  const tmp = tempDir();
  const db: TaskStateDb | undefined = persistent ? await openTaskDb(tmp.dir) : undefined;
  const ctx = new FakeStoreContext('0_0', tmp.dir, db, new ThreadCache(cacheBytes));
  const start = async (): Promise<StoreHarness<S>> => {
    const store = make();
    await store.init(ctx, store);
    return {
      store,
      context: ctx,
      async commit() {
        await store.flush();
        await db?.commit(new Map([['app-store-changelog-0', ctx.changelog.length]]));
      },
      async reopen() {
        await store.close();
        return start();
      },
      changelog: () => ctx.recordsOf('store'),
      async dispose() {
        await store.close();
        if (db?.isOpen()) await db.close();
        tmp.cleanup();
      },
    };
  };
  return start();
}
