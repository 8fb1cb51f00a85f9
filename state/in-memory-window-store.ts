import { memorySegments, type SegmentFactory } from './internal/segments.js';
import { SegmentedWindowBytesStore } from './internal/segmented-window-bytes-store.js';

/**
 * The in-memory inner window store: time segments of byte-ordered maps; retention drops whole
 * segments. Lost on close (restored from the changelog).
 * @example
 * const supplier = Stores.inMemoryWindowStore('clicks', 3_600_000, 60_000, false);
 */
export class InMemoryWindowStore extends SegmentedWindowBytesStore {
  protected segmentFactory(): SegmentFactory {
    return memorySegments;
  }
  protected release(): void {}
  persistent(): boolean {
    return false;
  }
}
