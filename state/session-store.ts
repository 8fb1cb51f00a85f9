import type { Windowed } from '../src/core/windowed.js';
import type { RestorableStore } from './key-value-entry.js';
import type { ReadOnlySessionStore } from './read-only-session-store.js';
import type { StateStore } from './state-store.js';

/**
 * A session store as processors see it: one aggregate per (key, session window). Retention is by
 * session end time against the largest end put; it drops whole time segments.
 * @example
 * const s = context.getStateStore<SessionStore<string, number>>('sessions');
 * s.put({ key, window: { start: t, end: t } }, 1);
 */
export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  /** Writes the aggregate of a session (null removes it). */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void;
  /** Removes a session. */
  remove(sessionKey: Windowed<K>): void;
}

/** A session store of raw bytes (the layers below the metered one). */
export interface SessionBytesStore extends SessionStore<Buffer, Buffer>, RestorableStore {
  readonly retentionMs: number;
  /** The largest session end this store has seen, including persisted and restored ones (its retention reference). */
  observedStreamTime(): number;
}
