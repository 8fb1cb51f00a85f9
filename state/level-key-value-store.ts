import { LevelBytesMap, type BytesMap } from './internal/bytes-map.js';
import { BytesMapKeyValueStore } from './internal/bytes-map-key-value-store.js';
import type { StoreSpace } from './internal/store-space.js';
import type { StateStoreContext } from './state-store.js';
import { storeContextParts } from './store-context.js';

/**
 * The persistent inner key-value store: one sublevel of the task's LevelDB ({@link TaskStateDb},
 * from `StoreContext.stateDb`). Writes are staged in memory and reach disk in the task's commit
 * batch; reads use `getSync`; ranges walk an in-memory sorted index of the keys (built at init by one
 * key scan) — see `LevelBytesMap` for that trade. Closing the store without a `TaskStateDb.commit`
 * first drops its staged writes, exactly as a crash would (the runtime commits, then closes).
 * @example
 * const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.string(), Serdes.long()).build();
 */
export class LevelKeyValueStore extends BytesMapKeyValueStore {
  private space: StoreSpace | null = null;

  protected async openMap(context: StateStoreContext): Promise<BytesMap> {
    const db = storeContextParts(context).stateDb;
    if (db === undefined) {
      throw new TypeError(`persistent store "${this.name}" needs StoreContext.stateDb (the task's TaskStateDb) at init`);
    }
    const space = await db.space(this.name);
    const map = new LevelBytesMap(space);
    try {
      await space.loadKeys((key) => map.addLoadedKey(key));
    } catch (err) {
      space.release();
      throw err;
    }
    this.space = space;
    return map;
  }

  protected closeMap(): void {
    this.space?.release();
    this.space = null;
  }

  persistent(): boolean {
    return true;
  }
}
