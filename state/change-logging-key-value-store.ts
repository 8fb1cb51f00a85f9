import type { KeyValueEntry } from './key-value-entry.js';
import { WrappedKeyValueBytesStore } from './internal/wrapped-key-value-bytes-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';
import { storeContextParts, type StoreContext } from './store-context.js';

/**
 * Adds a changelog: every write that reaches this layer is sent, as raw bytes, through
 * `StoreContext.logChange(store, key, value, timestamp)` (a delete logs a tombstone). Below a
 * caching layer it sees one write per key per commit; without a cache, every write. Restoring
 * (`restoreBatch`) bypasses it, so replayed records are not logged again.
 * @example
 * const store = new ChangeLoggingKeyValueStore(new InMemoryKeyValueStore('counts'));
 */
export class ChangeLoggingKeyValueStore extends WrappedKeyValueBytesStore {
  private context: Pick<StoreContext, 'logChange' | 'timestamp'> | null = null;

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    const parts = storeContextParts(context);
    if (parts.logChange === undefined) {
      throw new TypeError(`store "${this.name}" has logging enabled but its StoreContext has no logChange()`);
    }
    this.context = { logChange: parts.logChange.bind(parts), timestamp: parts.timestamp?.bind(parts) ?? (() => Date.now()) };
    return this.inner.init(context, root);
  }

  private log(key: Buffer, value: Buffer | null, timestamp: number | undefined): void {
    const ctx = this.context!;
    ctx.logChange(this.name, key, value, timestamp ?? ctx.timestamp());
  }

  override put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, value, timestamp);
    this.log(key, value, timestamp);
  }

  override putIfAbsent(key: Buffer, value: Buffer, timestamp?: number): Buffer | null {
    const old = this.inner.putIfAbsent(key, value, timestamp);
    if (old === null) this.log(key, value, timestamp);
    return old;
  }

  override delete(key: Buffer, timestamp?: number): Buffer | null {
    const old = this.inner.delete(key, timestamp);
    this.log(key, null, timestamp);
    return old;
  }

  override putAll(entries: readonly KeyValueEntry<Buffer, Buffer | null>[], timestamp?: number): void {
    this.inner.putAll(entries, timestamp);
    for (const { key, value } of entries) this.log(key, value, timestamp);
  }
}
