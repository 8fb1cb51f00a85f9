import type { Windowed } from '../src/core/windowed.js';
import type { KeyValueEntry } from './key-value-entry.js';

/**
 * The read side of a session store. A session is `Windowed<K>` with inclusive `start` and `end`
 * (the first and last record times of the session).
 *
 * `findSessions(key, earliestSessionEndTime, latestSessionStartTime)` returns the sessions of `key`
 * with `end >= earliestSessionEndTime` and `start <= latestSessionStartTime` — the sessions a record
 * at time t may merge with are `findSessions(key, t - gap, t + gap)`. Results are ordered by session
 * end, then key bytes, then start; `backward…` returns the exact reverse. Sessions older than the
 * retention (by end time, relative to the largest end seen) are not returned.
 * @example
 * const s = app.store('sessions', QueryableStoreTypes.sessionStore<string, number>());
 * s.fetch('alice'); // every retained session of alice
 */
export interface ReadOnlySessionStore<K, AGG> {
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, AGG>[];
  findSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, AGG>[];
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, AGG>[];
  backwardFindSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<K>, AGG>[];
  /** The aggregate of exactly the session [start, end] of `key`, or null. */
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null;
  /** Every retained session of one key (or of a key range). */
  fetch(key: K): KeyValueEntry<Windowed<K>, AGG>[];
  fetch(keyFrom: K | null, keyTo: K | null): KeyValueEntry<Windowed<K>, AGG>[];
  backwardFetch(key: K): KeyValueEntry<Windowed<K>, AGG>[];
  backwardFetch(keyFrom: K | null, keyTo: K | null): KeyValueEntry<Windowed<K>, AGG>[];
}
