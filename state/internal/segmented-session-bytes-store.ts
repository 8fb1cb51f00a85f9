import type { Windowed } from '../../src/core/windowed.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { SessionBytesStore } from '../session-store.js';
import { SegmentedBytesStoreBase } from './segmented-bytes-store-base.js';
import { defaultSegmentInterval } from './segments.js';
import { InnerSessionKey as I } from './window-key-schema.js';

const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** Every session-store operation over time segments (`Segments`) (segmented by session end). */
export abstract class SegmentedSessionBytesStore extends SegmentedBytesStoreBase implements SessionBytesStore {
  constructor(name: string, retentionMs: number, segmentIntervalMs: number = defaultSegmentInterval(retentionMs)) {
    super(name, retentionMs, segmentIntervalMs, I.endOf);
    if (!(retentionMs > 0)) throw new RangeError(`session store "${name}": retention must be > 0, got ${retentionMs}`);
  }

  put(sessionKey: Windowed<Buffer>, aggregate: Buffer | null): void {
    this.open().put(I.of(sessionKey.key, sessionKey.window.start, sessionKey.window.end), aggregate);
  }
  remove(sessionKey: Windowed<Buffer>): void {
    this.put(sessionKey, null);
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    const segments = this.open();
    for (const r of records) segments.put(I.fromChangelog(r.key), r.value);
  }

  fetchSession(key: Buffer, sessionStartTime: number, sessionEndTime: number): Buffer | null {
    return this.open().get(I.of(key, sessionStartTime, sessionEndTime));
  }

  findSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  findSessions(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return d === undefined ? this.find(a, a, b as number, c) : this.find(a, b as Buffer | null, c, d);
  }
  backwardFindSessions(key: Buffer, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFindSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFindSessions(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return (d === undefined ? this.find(a, a, b as number, c) : this.find(a, b as Buffer | null, c, d)).reverse();
  }
  fetch(key: Buffer): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(a: Buffer | null, ...rest: (Buffer | null)[]): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.find(a, rest.length === 0 ? a : rest[0]!, Number.MIN_SAFE_INTEGER, MAX_TIME);
  }
  backwardFetch(key: Buffer): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFetch(a: Buffer | null, ...rest: (Buffer | null)[]): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.find(a, rest.length === 0 ? a : rest[0]!, Number.MIN_SAFE_INTEGER, MAX_TIME).reverse();
  }

  private find(keyFrom: Buffer | null, keyTo: Buffer | null, earliestEnd: number, latestStart: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    const segments = this.open();
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    const found: { key: Buffer; start: number; end: number; value: Buffer }[] = [];
    // Any end >= earliestEnd qualifies: scan every segment from earliestEnd's on. With one key,
    // the lower bound can start at that key's first qualifying end.
    const lo = keyFrom !== null && keyTo !== null && keyFrom.equals(keyTo) ? I.of(keyFrom, 0, Math.max(earliestEnd, 0)) : I.lowerOfKey(keyFrom);
    segments.scan(earliestEnd, MAX_TIME, lo, I.upperOfKey(keyTo), (innerKey, value) => {
      const end = I.endOf(innerKey);
      const start = I.startOf(innerKey);
      if (end >= earliestEnd && start <= latestStart) found.push({ key: I.keyOf(innerKey), start, end, value });
    });
    found.sort((x, y) => x.end - y.end || Buffer.compare(x.key, y.key) || x.start - y.start);
    return found.map(({ key, start, end, value }) => ({ key: { key, window: { start, end } }, value }));
  }
}
