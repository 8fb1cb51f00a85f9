import { MemoryBytesMap, type BytesMap } from './internal/bytes-map.js';
import { BytesMapKeyValueStore } from './internal/bytes-map-key-value-store.js';

/**
 * The in-memory inner key-value store: a byte-ordered map, lost on close (a changelog restores it).
 * Closing discards the data, as Kafka's in-memory store does.
 * @example
 * const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.long()).build();
 */
export class InMemoryKeyValueStore extends BytesMapKeyValueStore {
  protected openMap(): BytesMap {
    return new MemoryBytesMap();
  }
  protected closeMap(): void {}
  persistent(): boolean {
    return false;
  }
}
