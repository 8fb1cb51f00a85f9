import type { Windowed } from '../../src/core/windowed.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { WindowEntry } from '../read-only-window-store.js';
import type { WindowBytesStore } from '../window-store.js';
import { SegmentedBytesStoreBase } from './segmented-bytes-store-base.js';
import { defaultSegmentInterval } from './segments.js';
import { InnerWindowKey as I } from './window-key-schema.js';

type Found = { storeKey: Buffer; value: Buffer };

/**
 * Every window-store operation over time segments (`Segments`); subclasses say where segments live.
 * The segment interval is Kafka's `max(retention / 2, 60 s)` unless given.
 */
export abstract class SegmentedWindowBytesStore extends SegmentedBytesStoreBase implements WindowBytesStore {
  private seq = 0;

  constructor(
    name: string,
    retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    segmentIntervalMs: number = defaultSegmentInterval(retentionMs),
  ) {
    super(name, retentionMs, segmentIntervalMs, I.startOf);
    if (!(retentionMs >= windowSizeMs && windowSizeMs > 0)) {
      throw new RangeError(`window store "${name}": need retention (${retentionMs}) >= window size (${windowSizeMs}) > 0`);
    }
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    const segments = this.open();
    if (this.retainDuplicates && value === null) return;
    segments.put(I.of(key, windowStart, this.retainDuplicates ? ++this.seq : 0), value);
  }

  /** `storeKey` in the changelog's (Kafka's) layout. */
  putStoreKey(storeKey: Buffer, value: Buffer | null): void {
    this.open().put(I.fromChangelog(storeKey), value);
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    const segments = this.open();
    for (const r of records) segments.put(I.fromChangelog(r.key), r.value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null;
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[];
  fetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[];
  fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    if (d !== undefined) return this.rangeFetch(a, b as Buffer | null, c!, d);
    if (c !== undefined) return this.keyFetch(a!, b as number, c);
    // The hot path of windowed aggregations: a point read, unless duplicates need a scan.
    if (!this.retainDuplicates) return this.open().get(I.of(a!, b as number, 0));
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
    // Entries of one key are contiguous (ordered key encoding): the byte range is exact.
    segments.scan(timeFrom, timeTo, I.of(key, Math.max(timeFrom, 0), 0), I.of(key, timeTo, -1), (innerKey, value) => {
      const start = I.startOf(innerKey);
      if (start >= timeFrom && start <= timeTo) out.push({ timestamp: start, value });
    });
    return out;
  }

  private rangeFetch(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    const segments = this.open();
    const found: Found[] = [];
    if (timeFrom > timeTo || (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0)) return [];
    segments.scan(timeFrom, timeTo, I.lowerOfKey(keyFrom), I.upperOfKey(keyTo), (innerKey, value) => {
      const start = I.startOf(innerKey);
      if (start >= timeFrom && start <= timeTo) found.push({ storeKey: innerKey, value });
    });
    // Segments come in time order, entries within one in key order: order all by (start, key, seq).
    const entries = found.map(({ storeKey, value }) => ({ key: I.keyOf(storeKey), start: I.startOf(storeKey), seq: I.seqOf(storeKey), value }));
    entries.sort((x, y) => x.start - y.start || Buffer.compare(x.key, y.key) || x.seq - y.seq);
    return entries.map((e) => ({ key: { key: e.key, window: { start: e.start, end: e.start + this.windowSizeMs } }, value: e.value }));
  }
}
