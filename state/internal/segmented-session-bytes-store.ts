import { StoreNotOpenError } from '../../src/core/errors.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { SessionBytesStore } from '../session-store.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import { isProperPrefix, keyInRange, planKeyRangeScan } from './key-range-scan.js';
import { andThen } from './maybe-async.js';
import { Segments, defaultSegmentInterval, type SegmentFactory } from './segments.js';
import { SessionKeySchema as S } from './window-key-schema.js';

const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** Every session-store operation over time {@link Segments} (segmented by session end). */
export abstract class SegmentedSessionBytesStore implements SessionBytesStore {
  private segments: Segments | null = null;

  constructor(
    readonly name: string,
    readonly retentionMs: number,
    readonly segmentIntervalMs: number = defaultSegmentInterval(retentionMs),
  ) {
    if (!(retentionMs > 0)) throw new RangeError(`session store "${name}": retention must be > 0, got ${retentionMs}`);
  }

  protected abstract segmentFactory(context: StateStoreContext): SegmentFactory | Promise<SegmentFactory>;
  protected abstract release(): void;
  abstract persistent(): boolean;

  init(context: StateStoreContext, _root: StateStore): void | Promise<void> {
    if (this.segments !== null) throw new TypeError(`state store "${this.name}" is already initialized`);
    const opened = andThen(this.segmentFactory(context), (factory) => {
      const segments = new Segments(factory, this.retentionMs, this.segmentIntervalMs, S.endOf);
      return andThen(segments.open(), () => {
        this.segments = segments;
      });
    });
    if (!(opened instanceof Promise)) return opened;
    return opened.catch((err: unknown) => {
      this.release();
      throw err;
    });
  }
  flush(): void {
    this.open();
  }
  close(): void {
    if (this.segments === null) return;
    this.segments = null;
    this.release();
  }
  isOpen(): boolean {
    return this.segments !== null;
  }
  private open(): Segments {
    if (this.segments === null) throw new StoreNotOpenError(this.name);
    return this.segments;
  }

  put(sessionKey: Windowed<Buffer>, aggregate: Buffer | null): void {
    this.open().put(S.toStoreKey(sessionKey.key, sessionKey.window.start, sessionKey.window.end), aggregate);
  }
  remove(sessionKey: Windowed<Buffer>): void {
    this.put(sessionKey, null);
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    const segments = this.open();
    for (const r of records) segments.put(r.key, r.value);
  }

  fetchSession(key: Buffer, sessionStartTime: number, sessionEndTime: number): Buffer | null {
    return this.open().get(S.toStoreKey(key, sessionStartTime, sessionEndTime));
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
    const found: { storeKey: Buffer; value: Buffer }[] = [];
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    for (const scan of planKeyRangeScan(keyFrom, keyTo, S.SUFFIX).scans) {
      // Any end >= earliestEnd qualifies: scan every segment from earliestEnd's on.
      segments.scan(earliestEnd, MAX_TIME, scan.lo, scan.hi, (storeKey, value) => {
        if (storeKey.length < S.SUFFIX) return;
        const key = S.keyOf(storeKey);
        if (S.endOf(storeKey) < earliestEnd || S.startOf(storeKey) > latestStart || !keyInRange(key, keyFrom, keyTo)) return;
        if (scan.exactKey === null ? isProperPrefix(key, keyTo) : !key.equals(scan.exactKey)) return;
        found.push({ storeKey, value });
      });
    }
    found.sort(
      (x, y) =>
        S.endOf(x.storeKey) - S.endOf(y.storeKey) ||
        Buffer.compare(S.keyOf(x.storeKey), S.keyOf(y.storeKey)) ||
        S.startOf(x.storeKey) - S.startOf(y.storeKey),
    );
    return found.map(({ storeKey, value }) => ({
      key: { key: S.keyOf(storeKey), window: { start: S.startOf(storeKey), end: S.endOf(storeKey) } },
      value,
    }));
  }
}
