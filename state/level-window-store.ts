import type { StoreSpace } from './internal/store-space.js';
import { levelSegments, type SegmentFactory } from './internal/segments.js';
import { SegmentedWindowBytesStore } from './internal/segmented-window-bytes-store.js';
import type { StateStoreContext } from './state-store.js';
import { storeContextParts } from './store-context.js';

/**
 * The persistent inner window store: one sublevel of the task's LevelDB; LevelDB keys are
 * `<segment id int64 BE><key><window start int64 BE><seq int32 BE>`, so dropping a segment is
 * one delete per key of that segment, staged into the next commit batch.
 * @example
 * const supplier = Stores.persistentWindowStore('clicks', 3_600_000, 60_000, false);
 */
export class LevelWindowStore extends SegmentedWindowBytesStore {
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
