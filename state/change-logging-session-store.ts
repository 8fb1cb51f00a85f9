import type { Windowed } from '../src/core/windowed.js';
import { SessionKeySchema } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { SessionBytesStore } from './session-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';
import { storeContextParts, type StoreContext } from './store-context.js';

type Sessions = KeyValueEntry<Windowed<Buffer>, Buffer>[];

/**
 * Adds a changelog to a session store: each put/remove is logged with the key
 * `<key><end int64 BE><start int64 BE>` (Kafka's session key schema, = `Serdes.sessionWindowed`).
 * @example
 * const store = new ChangeLoggingSessionStore(new InMemorySessionStore('sessions', 86_400_000));
 */
export class ChangeLoggingSessionStore implements SessionBytesStore {
  private context: Pick<StoreContext, 'logChange' | 'timestamp'> | null = null;

  constructor(private readonly inner: SessionBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  get retentionMs(): number {
    return this.inner.retentionMs;
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

  put(sessionKey: Windowed<Buffer>, aggregate: Buffer | null): void {
    this.inner.put(sessionKey, aggregate);
    const ctx = this.context!;
    const key = SessionKeySchema.toStoreKey(sessionKey.key, sessionKey.window.start, sessionKey.window.end);
    ctx.logChange(this.name, key, aggregate, ctx.timestamp());
  }
  remove(sessionKey: Windowed<Buffer>): void {
    this.put(sessionKey, null);
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    return this.inner.fetchSession(key, start, end);
  }
  findSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  findSessions(...args: unknown[]): Sessions {
    return (this.inner.findSessions as (...a: unknown[]) => Sessions).apply(this.inner, args);
  }
  backwardFindSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  backwardFindSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  backwardFindSessions(...args: unknown[]): Sessions {
    return (this.inner.backwardFindSessions as (...a: unknown[]) => Sessions).apply(this.inner, args);
  }
  fetch(key: Buffer): Sessions;
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null): Sessions;
  fetch(...args: unknown[]): Sessions {
    return (this.inner.fetch as (...a: unknown[]) => Sessions).apply(this.inner, args);
  }
  backwardFetch(key: Buffer): Sessions;
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null): Sessions;
  backwardFetch(...args: unknown[]): Sessions {
    return (this.inner.backwardFetch as (...a: unknown[]) => Sessions).apply(this.inner, args);
  }
}
