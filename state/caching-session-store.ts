import type { Windowed } from '../src/core/windowed.js';
import { CachingStoreBase } from './internal/caching-store-base.js';
import type { CacheEntry } from './internal/named-cache.js';
import { keyInRange } from './internal/key-in-range.js';
import { SessionKeySchema as S } from './internal/window-key-schema.js';
import type { ChangelogRecord, KeyValueEntry } from './key-value-entry.js';
import type { SessionBytesStore } from './session-store.js';
import type { ThreadCache } from './thread-cache.js';

type Sessions = KeyValueEntry<Windowed<Buffer>, Buffer>[];
const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** Bytes-level flush listener of a session store: the session key, new and old aggregate. */
export type SessionBytesFlushListener = (key: Windowed<Buffer>, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/**
 * Adds a write cache to a session store, sharing the instance's {@link ThreadCache}: repeated
 * updates of one session between commits fold into one entry, written below (and logged) and
 * reported to the flush listener at commit or on LRU eviction. Reads merge cached writes (a cached
 * removal hides a session) with the store below; retention is applied with this layer's view of
 * stream time (largest session end written or restored through it).
 * @example
 * const store = new CachingSessionStore(new ChangeLoggingSessionStore(new LevelSessionStore('s', 86_400_000)));
 */
export class CachingSessionStore extends CachingStoreBase<SessionBytesStore, SessionBytesFlushListener> implements SessionBytesStore {
  setFlushListener(listener: SessionBytesFlushListener): boolean {
    this.listener = listener;
    return true;
  }

  private sessionOf(storeKey: Buffer): Windowed<Buffer> {
    return { key: S.keyOf(storeKey), window: { start: S.startOf(storeKey), end: S.endOf(storeKey) } };
  }
  protected writeThrough(entry: CacheEntry): void {
    const session = this.sessionOf(entry.key);
    const old = this.listener === null ? null : this.inner.fetchSession(session.key, session.window.start, session.window.end);
    // Written through even when nothing was there: the session end still moves stream time below.
    this.inner.put(session, entry.value);
    if (this.listener !== null && (old !== null || entry.value !== null)) this.listener(session, entry.value, old, entry.timestamp);
  }

  put(sessionKey: Windowed<Buffer>, aggregate: Buffer | null): void {
    const named = this.open();
    this.streamTime = Math.max(this.streamTime, sessionKey.window.end);
    this.cache!.put(named, S.toStoreKey(sessionKey.key, sessionKey.window.start, sessionKey.window.end), aggregate, this.now());
  }
  remove(sessionKey: Windowed<Buffer>): void {
    this.put(sessionKey, null);
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    // Changelog keys are the cache's store keys.
    this.invalidateRestored(records);
    this.inner.restoreBatch(records);
    for (const r of records) this.streamTime = Math.max(this.streamTime, S.endOf(r.key));
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    if (end < this.streamTime - this.retentionMs + 1) return null;
    const cached = this.open().get(S.toStoreKey(key, start, end));
    return cached !== undefined ? cached.value : this.inner.fetchSession(key, start, end);
  }
  findSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  findSessions(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): Sessions {
    return d === undefined ? this.find(a, a, b as number, c) : this.find(a, b as Buffer | null, c, d);
  }
  backwardFindSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  backwardFindSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions;
  backwardFindSessions(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): Sessions {
    return (d === undefined ? this.find(a, a, b as number, c) : this.find(a, b as Buffer | null, c, d)).reverse();
  }
  fetch(key: Buffer): Sessions;
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null): Sessions;
  fetch(a: Buffer | null, ...rest: (Buffer | null)[]): Sessions {
    return this.find(a, rest.length === 0 ? a : rest[0]!, Number.MIN_SAFE_INTEGER, MAX_TIME);
  }
  backwardFetch(key: Buffer): Sessions;
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null): Sessions;
  backwardFetch(a: Buffer | null, ...rest: (Buffer | null)[]): Sessions {
    return this.find(a, rest.length === 0 ? a : rest[0]!, Number.MIN_SAFE_INTEGER, MAX_TIME).reverse();
  }

  /** The store below overlaid with cached writes, filtered and ordered like the store below. */
  private find(keyFrom: Buffer | null, keyTo: Buffer | null, earliestEnd: number, latestStart: number): Sessions {
    const named = this.open();
    const below = this.inner.findSessions(keyFrom, keyTo, earliestEnd, latestStart);
    const merged = new Map<string, KeyValueEntry<Windowed<Buffer>, Buffer | null>>();
    for (const e of below) merged.set(S.toStoreKey(e.key.key, e.key.window.start, e.key.window.end).toString('latin1'), e);
    for (const e of named.range(keyFrom, null, false)) {
      const session = this.sessionOf(e.key);
      if (session.window.end < earliestEnd || session.window.start > latestStart || !keyInRange(session.key, keyFrom, keyTo)) continue;
      merged.set(e.key.toString('latin1'), { key: session, value: e.value });
    }
    const minLive = this.streamTime - this.retentionMs + 1;
    return [...merged.values()]
      .filter((e): e is KeyValueEntry<Windowed<Buffer>, Buffer> => e.value !== null && e.key.window.end >= minLive)
      .sort((x, y) => x.key.window.end - y.key.window.end || Buffer.compare(x.key.key, y.key.key) || x.key.window.start - y.key.window.start);
  }
}
