import { StoreNotOpenError } from '../../src/core/errors.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { WindowEntry } from '../read-only-window-store.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import type { WindowBytesStore } from '../window-store.js';
import { isProperPrefix, keyInRange, planKeyRangeScan } from './key-range-scan.js';
import { andThen } from './maybe-async.js';
import { Segments, defaultSegmentInterval, type SegmentFactory } from './segments.js';
import { WindowKeySchema as S } from './window-key-schema.js';

type Found = { storeKey: Buffer; value: Buffer };

/**
 * Every window-store operation over time {@link Segments}; subclasses say where segments live.
 * The segment interval is Kafka's `max(retention / 2, 60 s)` unless given.
 */
export abstract class SegmentedWindowBytesStore implements WindowBytesStore {
  private segments: Segments | null = null;
  private seq = 0;

  constructor(
    readonly name: string,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    readonly segmentIntervalMs: number = defaultSegmentInterval(retentionMs),
  ) {
    if (!(retentionMs >= windowSizeMs && windowSizeMs > 0)) {
      throw new RangeError(`window store "${name}": need retention (${retentionMs}) >= window size (${windowSizeMs}) > 0`);
    }
  }

  protected abstract segmentFactory(context: StateStoreContext): SegmentFactory | Promise<SegmentFactory>;
  protected abstract release(): void;
  abstract persistent(): boolean;

  init(context: StateStoreContext, _root: StateStore): void | Promise<void> {
    if (this.segments !== null) throw new TypeError(`state store "${this.name}" is already initialized`);
    const opened = andThen(this.segmentFactory(context), (factory) => {
      const segments = new Segments(factory, this.retentionMs, this.segmentIntervalMs, S.startOf);
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

  /** Stream time: the largest window start seen (for tests and metrics). */
  observedStreamTime(): number {
    return this.open().observedStreamTime();
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    const segments = this.open();
    if (this.retainDuplicates && value === null) return;
    segments.put(S.toStoreKey(key, windowStart, this.retainDuplicates ? ++this.seq : 0), value);
  }

  putStoreKey(storeKey: Buffer, value: Buffer | null): void {
    this.open().put(storeKey, value);
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    const segments = this.open();
    for (const r of records) segments.put(r.key, r.value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null;
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    if (d !== undefined) return this.rangeFetch(a, b as Buffer | null, c!, d);
    if (c !== undefined) return this.keyFetch(a!, b as number, c);
    // The hot path of windowed aggregations: a point read, unless duplicates need a scan.
    if (!this.retainDuplicates) return this.open().get(S.toStoreKey(a!, b as number, 0));
    const found = this.keyFetch(a!, b as number, b as number);
    return found.length === 0 ? null : found[0]!.value;
  }

  backwardFetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  backwardFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  backwardFetch(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): unknown {
    return d !== undefined ? this.rangeFetch(a, b as Buffer | null, c, d).reverse() : this.keyFetch(a!, b as number, c).reverse();
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.rangeFetch(null, null, timeFrom, timeTo);
  }
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.fetchAll(timeFrom, timeTo).reverse();
  }
  all(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
  backwardAll(): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    return this.all().reverse();
  }

  private keyFetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[] {
    const out: WindowEntry<Buffer>[] = [];
    const segments = this.open();
    if (timeFrom > timeTo) return out;
    const lo = S.lower(key, Math.max(timeFrom, 0));
    const hi = S.upper(key, timeTo);
    segments.scan(timeFrom, timeTo, lo, hi, (storeKey, value) => {
      const start = S.startOf(storeKey);
      if (storeKey.length === key.length + S.SUFFIX && start >= timeFrom && start <= timeTo && S.keyOf(storeKey).equals(key)) {
        out.push({ timestamp: start, value });
      }
    });
    return out;
  }

  private rangeFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    const segments = this.open();
    const found: Found[] = [];
    if (timeFrom > timeTo || (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0)) return [];
    for (const scan of planKeyRangeScan(keyFrom, keyTo, S.SUFFIX).scans) {
      segments.scan(timeFrom, timeTo, scan.lo, scan.hi, (storeKey, value) => {
        if (storeKey.length < S.SUFFIX) return;
        const key = S.keyOf(storeKey);
        const start = S.startOf(storeKey);
        if (start < timeFrom || start > timeTo || !keyInRange(key, keyFrom, keyTo)) return;
        if (scan.exactKey === null ? isProperPrefix(key, keyTo) : !key.equals(scan.exactKey)) return;
        found.push({ storeKey, value });
      });
    }
    found.sort(
      (x, y) =>
        S.startOf(x.storeKey) - S.startOf(y.storeKey) ||
        Buffer.compare(S.keyOf(x.storeKey), S.keyOf(y.storeKey)) ||
        x.storeKey.readUInt32BE(x.storeKey.length - 4) - y.storeKey.readUInt32BE(y.storeKey.length - 4),
    );
    return found.map(({ storeKey, value }) => {
      const start = S.startOf(storeKey);
      return { key: { key: S.keyOf(storeKey), window: { start, end: start + this.windowSizeMs } }, value };
    });
  }
}
