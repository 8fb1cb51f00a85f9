import type { Windowed } from '../src/core/windowed.js';
import { WindowKeySchema } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { WindowEntry } from './read-only-window-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';
import { storeContextParts, type StoreContext } from './store-context.js';
import type { WindowBytesStore } from './window-store.js';

/**
 * Adds a changelog to a window store: each write is logged with the store key
 * `<key><window start int64 BE><seq int32 BE>` (Kafka's window key schema), so a restore can put
 * the record straight back. The duplicate sequence number is assigned here, once, and the same store
 * key goes to the store below and to the changelog. Changelog topic config: `compact,delete`.
 * @example
 * const store = new ChangeLoggingWindowStore(new InMemoryWindowStore('w', 3_600_000, 60_000, false));
 */
export class ChangeLoggingWindowStore implements WindowBytesStore {
  private context: Pick<StoreContext, 'logChange' | 'timestamp'> | null = null;
  private seq = 0;

  constructor(private readonly inner: WindowBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates;
  }

  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    const parts = storeContextParts(context);
    if (parts.logChange === undefined) throw new TypeError(`store "${this.name}" has logging enabled but its StoreContext has no logChange()`);
    this.context = { logChange: parts.logChange.bind(parts), timestamp: parts.timestamp?.bind(parts) ?? (() => Date.now()) };
    return this.inner.init(context, root);
  }
  flush(): void | Promise<void> {
    return this.inner.flush();
  }
  close(): void | Promise<void> {
    return this.inner.close();
  }
  persistent(): boolean {
    return this.inner.persistent();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  observedStreamTime(): number {
    return this.inner.observedStreamTime();
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    if (this.retainDuplicates && value === null) return;
    this.putStoreKey(WindowKeySchema.toStoreKey(key, windowStart, this.retainDuplicates ? ++this.seq : 0), value);
  }

  putStoreKey(storeKey: Buffer, value: Buffer | null): void {
    this.inner.putStoreKey(storeKey, value);
    const ctx = this.context!;
    ctx.logChange(this.name, storeKey, value, ctx.timestamp());
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null;
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    // Spelled out (no rest arguments): the point read runs per windowed update and per flushed window.
    if (d !== undefined) return this.inner.fetch(a, b as Buffer | null, c!, d);
    if (c !== undefined) return this.inner.fetch(a!, b as number, c);
    return this.inner.fetch(a!, b as number);
  }
  backwardFetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFetch(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): unknown {
    return d !== undefined ? this.inner.backwardFetch(a, b as Buffer | null, c, d) : this.inner.backwardFetch(a!, b as number, c);
  }
  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.inner.fetchAll(timeFrom, timeTo);
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.inner.backwardFetchAll(timeFrom, timeTo);
  }
  all(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.inner.all();
  }
  backwardAll(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.inner.backwardAll();
  }
}
