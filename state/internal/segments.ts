import type { StoreSpace } from './store-space.js';
import { LevelBytesMap, MemoryBytesMap, type BytesMap } from './bytes-map.js';
import { andThen, type MaybePromise } from './maybe-async.js';

/** Kafka's choice: segments of half the retention, but never shorter than a minute. */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

/** Where segment maps come from: memory, or one LevelDB space with an 8-byte segment-id prefix. */
export interface SegmentFactory {
  create(id: number): BytesMap;
  /** Segments already on disk (persistent stores), loaded once at open, with the saved stream time. */
  load(): MaybePromise<{ segments: Map<number, BytesMap>; streamTime: number }>;
  /** Remembers the stream time with the next commit (a no-op in memory). */
  saveStreamTime(time: number): void;
}

export const memorySegments: SegmentFactory = {
  create: () => new MemoryBytesMap(),
  load: () => ({ segments: new Map(), streamTime: Number.NEGATIVE_INFINITY }),
  saveStreamTime: () => {},
};

/**
 * Key of the saved stream time: the prefix of segment id int64-max, which no time maps to. Why save
 * it: a tombstone or an expired put moves stream time without leaving a record in any segment, so
 * after a reopen the largest stored time could be older than the real stream time, and windows
 * already expired would come back.
 */
const STREAM_TIME_KEY = Buffer.from('7fffffffffffffff', 'hex');

function idPrefix(id: number): Buffer {
  const p = Buffer.allocUnsafe(8);
  p.writeBigInt64BE(BigInt(id));
  return p;
}

/** Segments of one persistent store: LevelDB key = `<segment id int64 BE><store key>`. */
export function levelSegments(space: StoreSpace): SegmentFactory {
  return {
    create: (id) => new LevelBytesMap(space, idPrefix(id)),
    saveStreamTime(time) {
      const v = Buffer.allocUnsafe(8);
      v.writeBigInt64BE(BigInt(time));
      space.stage(STREAM_TIME_KEY, v);
    },
    async load() {
      const segments = new Map<number, BytesMap>();
      await space.loadKeys((dbKey) => {
        if (dbKey.equals(STREAM_TIME_KEY)) return;
        const id = Number(dbKey.readBigInt64BE(0));
        let seg = segments.get(id);
        if (seg === undefined) segments.set(id, (seg = new LevelBytesMap(space, idPrefix(id))));
        (seg as LevelBytesMap).addLoadedKey(dbKey.subarray(8));
      });
      const saved = space.get(STREAM_TIME_KEY);
      return { segments, streamTime: saved === null ? Number.NEGATIVE_INFINITY : Number(saved.readBigInt64BE(0)) };
    },
  };
}

/**
 * Time-segmented byte storage for window and session stores. Each store key carries a time
 * (`timeOf`: the window start, or the session end); a key lives in segment
 * `floor(time / segmentInterval)`. The store's stream time is the largest time put; when it
 * advances, segments wholly older than `streamTime - retention + 1` are dropped as a unit, and
 * writes or reads older than that are ignored (as in Kafka).
 */
export class Segments {
  private readonly segments = new Map<number, BytesMap>();
  private streamTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly factory: SegmentFactory,
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
    private readonly timeOf: (storeKey: Buffer) => number,
  ) {}

  open(): void | Promise<void> {
    return andThen(this.factory.load(), (loaded) => {
      this.streamTime = loaded.streamTime;
      for (const [id, seg] of loaded.segments) {
        this.segments.set(id, seg);
        // Keys sort by record key first, so the largest time can be anywhere in the segment.
        seg.forEachKey((k) => {
          const t = this.timeOf(k);
          if (t > this.streamTime) this.streamTime = t;
        });
      }
      this.dropExpired();
    });
  }

  observedStreamTime(): number {
    return this.streamTime;
  }

  /** Oldest time still retained. */
  minLiveTime(): number {
    return this.streamTime - this.retentionMs + 1;
  }

  segmentCount(): number {
    return this.segments.size;
  }

  private idOf(time: number): number {
    return Math.floor(time / this.segmentIntervalMs);
  }

  /** Writes (null: deletes) a store key; returns false if it was too old to keep. */
  put(storeKey: Buffer, value: Buffer | null): boolean {
    const time = this.timeOf(storeKey);
    if (time > this.streamTime) {
      this.streamTime = time;
      this.factory.saveStreamTime(time);
      this.dropExpired();
    }
    if (time < this.minLiveTime()) return false;
    const id = this.idOf(time);
    let seg = this.segments.get(id);
    if (seg === undefined) {
      if (value === null) return true;
      this.segments.set(id, (seg = this.factory.create(id)));
    }
    seg.set(storeKey, value);
    return true;
  }

  get(storeKey: Buffer): Buffer | null {
    const time = this.timeOf(storeKey);
    if (time < this.minLiveTime()) return null;
    return this.segments.get(this.idOf(time))?.get(storeKey) ?? null;
  }

  /**
   * Visits store keys in [lo, hi] (byte bounds, null = open) of every segment overlapping
   * [timeFrom, timeTo], segments in ascending time order. Callers filter exact times and keys.
   */
  scan(timeFrom: number, timeTo: number, lo: Buffer | null, hi: Buffer | null, visit: (storeKey: Buffer, value: Buffer) => void): void {
    const from = Math.max(timeFrom, this.minLiveTime());
    if (from > timeTo) return;
    const first = this.idOf(from);
    const last = this.idOf(timeTo);
    const ids = [...this.segments.keys()].filter((id) => id >= first && id <= last).sort((a, b) => a - b);
    // Segments drop whole, so the oldest live segment may still hold expired records: filter them.
    const minLive = this.minLiveTime();
    for (const id of ids) {
      this.segments.get(id)!.scan(lo, hi, false, (k, v) => {
        if (this.timeOf(k) >= minLive) visit(k, v);
      });
    }
  }

  /** Drops every segment wholly older than the retention. */
  private dropExpired(): void {
    const minLive = this.idOf(this.minLiveTime());
    for (const [id, seg] of this.segments) {
      if (id < minLive) {
        seg.clear();
        this.segments.delete(id);
      }
    }
  }

  clear(): void {
    for (const seg of this.segments.values()) seg.clear();
    this.segments.clear();
  }
}
