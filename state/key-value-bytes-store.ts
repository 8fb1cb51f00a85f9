import type { RestorableStore } from './key-value-entry.js';
import type { KeyValueStore } from './key-value-store.js';

/**
 * A key-value store of raw bytes: every layer below the metered one (caching, change-logging, the
 * in-memory and LevelDB inner stores) implements it. Keys order by `Buffer.compare`.
 * @example
 * const inner: KeyValueBytesStore = Stores.inMemoryKeyValueStore('counts').get();
 */
export interface KeyValueBytesStore extends KeyValueStore<Buffer, Buffer>, RestorableStore {}
