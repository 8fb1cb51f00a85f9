import { memorySegments, type SegmentFactory } from './internal/segments.js';
import { SegmentedSessionBytesStore } from './internal/segmented-session-bytes-store.js';

/**
 * The in-memory inner session store: time segments (by session end) of byte-ordered maps.
 * @example
 * const supplier = Stores.inMemorySessionStore('sessions', 86_400_000);
 */
export class InMemorySessionStore extends SegmentedSessionBytesStore {
  protected segmentFactory(): SegmentFactory {
    return memorySegments;
  }
  protected release(): void {}
  persistent(): boolean {
    return false;
  }
}
