import type { StoreSpace } from './internal/store-space.js';
import { levelSegments, type SegmentFactory } from './internal/segments.js';
import { SegmentedSessionBytesStore } from './internal/segmented-session-bytes-store.js';
import type { StateStoreContext } from './state-store.js';
import { storeContextParts } from './store-context.js';

/**
 * The persistent inner session store: one sublevel of the task's LevelDB, keys
 * `<segment id int64 BE><key><end int64 BE><start int64 BE>`.
 * @example
 * const supplier = Stores.persistentSessionStore('sessions', 86_400_000);
 */
export class LevelSessionStore extends SegmentedSessionBytesStore {
  private space: StoreSpace | null = null;

  protected async segmentFactory(context: StateStoreContext): Promise<SegmentFactory> {
    const db = storeContextParts(context).stateDb;
    if (db === undefined) throw new TypeError(`persistent store "${this.name}" needs StoreContext.stateDb (the task's TaskStateDb) at init`);
    this.space = await db.space(this.name);
    return levelSegments(this.space);
  }
  protected release(): void {
    this.space?.release();
    this.space = null;
  }
  persistent(): boolean {
    return true;
  }
}
