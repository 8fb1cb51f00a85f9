import { StoreNotOpenError } from '../../src/core/errors.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { KeyValueEntry } from '../key-value-entry.js';
import type { WindowEntry } from '../read-only-window-store.js';
import { isTimestamp, keepsAsIs, timestampedKeepsAsIs, type KeepsAsIs } from './serde-identity.js';

/** `Slot.key` of a key known only by its bytes: decoded with the key serde on every read. */
const UNDECODED = Symbol('undecoded');

/** How values are kept: always as bytes, as they are, or as the parts of a `ValueAndTimestamp`. */
const enum ValueMode {
  Bytes,
  AsIs,
  Timestamped,
}

/** One (key, window): its key (or only the key's bytes), and its value as is or as bytes. */
class Slot {
  /** Serialized key: set when the key came as bytes, else computed on the first ordered read. */
  keyBytes: Buffer | null;
  /** The value kept as is (a timestamped store: its inner value); undefined when `bytes` holds it. */
  value: unknown = undefined;
  timestamp = 0;
  /** The serialized value, when it could not be kept as is. */
  bytes: Buffer | null = null;

  constructor(
    readonly key: unknown,
    keyBytes: Buffer | null,
  ) {
    this.keyBytes = keyBytes;
  }
}

/**
 * The data of an in-memory window store kept as objects: window start → (key id → slot), like
 * Kafka's in-memory window store (a map of window starts to maps of keys), but with deserialized
 * keys and values where that changes nothing a caller can see:
 * - keys the key serde round-trips exactly (see {@link keepsAsIs}: strings, safe integers, ...) are
 *   their own map key; any other key is found by its serialized bytes (decoded again on each read);
 * - values likewise are kept as they are (a `ValueAndTimestamp` as its two parts, handed back as a
 *   fresh object), anything else as serialized bytes, deserialized on each read as before.
 * Bytes are made only where order needs them: key-range reads sort by serialized key (Kafka's
 * order), computed once per (key, window) and cached. Retention: stream time is the largest window
 * start put or restored; windows older than `streamTime - retention + 1` are neither written nor
 * read, and are dropped as soon as stream time passes them. Duplicates are not supported (stores
 * that retain them stay byte stores).
 * @example
 * const m = new ObjectWindowMap('counts', 70_000, 60_000, Serdes.string(), Serdes.long());
 * m.opened(); m.put('a', 1, 0); m.fetch('a', 0); // 1
 */
export class ObjectWindowMap<K, V> {
  /** The changelog topic, passed to serdes (set by the typed layer at init). */
  topic: string | undefined;
  private isOpen = false;
  private readonly windows = new Map<number, Map<unknown, Slot>>();
  /** The window starts of `windows`, ascending. */
  private readonly starts: number[] = [];
  private streamTime = Number.NEGATIVE_INFINITY;
  private readonly keyAsIs: KeepsAsIs | null;
  /** Ids of keys known only by bytes must never equal an as-is key: strings take a bigint form then. */
  private readonly rawIdsAsBigInt: boolean;
  private readonly valueAsIs: KeepsAsIs | null;
  private readonly valueMode: ValueMode;
  // What the last id lookup learned about a key, for the slot it may create (no pair allocated per call).
  private foundKey: unknown = UNDECODED;
  private foundBytes: Buffer | null = null;
  /** The last key that passed the as-is test: an aggregation reads, then writes, the same key. */
  private lastAsIsKey: unknown = UNDECODED;

  constructor(
    readonly name: string,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    this.keyAsIs = keepsAsIs(keySerde as Serde<unknown>);
    this.rawIdsAsBigInt = this.keyAsIs !== null && this.keyAsIs('');
    const plain = keepsAsIs(valueSerde as Serde<unknown>);
    const timestamped = plain === null ? timestampedKeepsAsIs(valueSerde as Serde<unknown>) : null;
    this.valueAsIs = plain ?? timestamped;
    this.valueMode = plain !== null ? ValueMode.AsIs : timestamped !== null ? ValueMode.Timestamped : ValueMode.Bytes;
  }

  opened(): void {
    this.isOpen = true;
  }
  /** Closed: the data is gone (an in-memory store is rebuilt from its changelog). */
  closed(): void {
    this.isOpen = false;
    this.windows.clear();
    this.starts.length = 0;
    this.streamTime = Number.NEGATIVE_INFINITY;
  }
  observedStreamTime(): number {
    this.check();
    return this.streamTime;
  }

  // -- writes ------------------------------------------------------------------------------------

  /** Sets (null: deletes) a window; true if a value (not a tombstone) was given, kept or not. */
  put(key: K, value: V | null, windowStart: number): boolean {
    this.check();
    const id = this.idOfKey(key);
    let asIs = false;
    let bytes: Buffer | null = null;
    if (value !== null) {
      const mode = this.valueMode;
      if (mode === ValueMode.Timestamped) {
        const vt = value as { value?: unknown; timestamp?: unknown };
        asIs = typeof vt === 'object' && this.valueAsIs!(vt.value) && isTimestamp(vt.timestamp);
      } else if (mode === ValueMode.AsIs) asIs = this.valueAsIs!(value);
      if (!asIs) bytes = this.valueSerde.serialize(value, this.topic);
    }
    const present = asIs || bytes !== null;
    if (!this.admit(windowStart)) return present;
    if (!present) {
      this.remove(windowStart, id);
      return false;
    }
    const slot = this.slotFor(windowStart, id);
    if (asIs) {
      slot.bytes = null;
      if (this.valueMode === ValueMode.Timestamped) {
        const vt = value as unknown as { value: unknown; timestamp: number };
        slot.value = vt.value;
        slot.timestamp = vt.timestamp;
      } else slot.value = value;
    } else {
      slot.value = undefined;
      slot.bytes = bytes;
    }
    return true;
  }

  /** Sets (null: deletes) a window given serialized key and value (restore, the bytes view). */
  putBytes(keyBytes: Buffer, value: Buffer | null, windowStart: number): void {
    this.check();
    const id = this.idOfBytes(keyBytes);
    if (!this.admit(windowStart)) return;
    if (value === null) return this.remove(windowStart, id);
    const slot = this.slotFor(windowStart, id);
    slot.value = undefined;
    slot.bytes = value;
  }

  // -- reads -------------------------------------------------------------------------------------

  fetch(key: K, windowStart: number): V | null {
    this.check();
    const slot = this.slotAt(this.idOfKey(key), windowStart);
    return slot === undefined ? null : this.valueOf(slot);
  }
  fetchBytes(keyBytes: Buffer, windowStart: number): Buffer | null {
    this.check();
    const slot = this.slotAt(this.idOfBytes(keyBytes), windowStart);
    return slot === undefined ? null : this.valueBytesOf(slot);
  }

  /** Windows of one key with start in [timeFrom, timeTo], ascending start. */
  keyFetch(key: K, timeFrom: number, timeTo: number): WindowEntry<V>[] {
    this.check();
    const out: WindowEntry<V>[] = [];
    this.visitKey(this.idOfKey(key), timeFrom, timeTo, (start, slot) => out.push({ timestamp: start, value: this.valueOf(slot) }));
    return out;
  }
  keyFetchBytes(keyBytes: Buffer, timeFrom: number, timeTo: number): WindowEntry<Buffer>[] {
    this.check();
    const out: WindowEntry<Buffer>[] = [];
    this.visitKey(this.idOfBytes(keyBytes), timeFrom, timeTo, (start, slot) => out.push({ timestamp: start, value: this.valueBytesOf(slot) }));
    return out;
  }

  /** Windows of keys in [keyFrom, keyTo] (null: open) with start in [timeFrom, timeTo], by (start, key bytes). */
  rangeFetch(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<K>, V>[] {
    this.check();
    const out: KeyValueEntry<Windowed<K>, V>[] = [];
    const from = keyFrom === null ? null : this.bytesOfKey(keyFrom);
    const to = keyTo === null ? null : this.bytesOfKey(keyTo);
    this.visitRange(from, to, timeFrom, timeTo, (start, slot) => {
      out.push({ key: { key: this.keyOf(slot), window: { start, end: start + this.windowSizeMs } }, value: this.valueOf(slot) });
    });
    return out;
  }
  rangeFetchBytes(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number): KeyValueEntry<Windowed<Buffer>, Buffer>[] {
    this.check();
    const out: KeyValueEntry<Windowed<Buffer>, Buffer>[] = [];
    this.visitRange(keyFrom, keyTo, timeFrom, timeTo, (start, slot) => {
      const key = Buffer.from(this.keyBytesOf(slot));
      out.push({ key: { key, window: { start, end: start + this.windowSizeMs } }, value: this.valueBytesOf(slot) });
    });
    return out;
  }

  // -- internals ---------------------------------------------------------------------------------

  private check(): void {
    if (!this.isOpen) throw new StoreNotOpenError(this.name);
  }

  /** Moves stream time (dropping expired windows); false if `windowStart` is too old to keep. */
  private admit(windowStart: number): boolean {
    if (windowStart > this.streamTime) {
      this.streamTime = windowStart;
      this.expire();
    }
    return windowStart >= this.streamTime - this.retentionMs + 1;
  }

  private expire(): void {
    const minLive = this.streamTime - this.retentionMs + 1;
    const starts = this.starts;
    let n = 0;
    while (n < starts.length && starts[n]! < minLive) this.windows.delete(starts[n++]!);
    if (n > 0) starts.splice(0, n);
  }

  private slotAt(id: unknown, windowStart: number): Slot | undefined {
    if (windowStart < this.streamTime - this.retentionMs + 1) return undefined;
    return this.windows.get(windowStart)?.get(id);
  }

  private slotFor(windowStart: number, id: unknown): Slot {
    let window = this.windows.get(windowStart);
    if (window === undefined) {
      this.windows.set(windowStart, (window = new Map()));
      const starts = this.starts;
      if (starts.length === 0 || windowStart > starts[starts.length - 1]!) starts.push(windowStart);
      else starts.splice(this.firstStartAtOrAfter(windowStart), 0, windowStart);
    }
    let slot = window.get(id);
    if (slot === undefined) {
      // The slot keeps its own copy of key bytes: a serde may hand back the caller's buffer.
      slot = new Slot(this.foundKey, this.foundBytes === null ? null : Buffer.from(this.foundBytes));
      window.set(id, slot);
    }
    return slot;
  }

  private remove(windowStart: number, id: unknown): void {
    const window = this.windows.get(windowStart);
    if (window === undefined || !window.delete(id) || window.size > 0) return;
    this.windows.delete(windowStart);
    this.starts.splice(this.firstStartAtOrAfter(windowStart), 1);
  }

  /** Index of the first window start >= `time` (binary search). */
  private firstStartAtOrAfter(time: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private visitKey(id: unknown, timeFrom: number, timeTo: number, visit: (start: number, slot: Slot) => void): void {
    const starts = this.starts;
    for (let i = this.firstStartAtOrAfter(Math.max(timeFrom, this.streamTime - this.retentionMs + 1)); i < starts.length; i++) {
      const start = starts[i]!;
      if (start > timeTo) break;
      const slot = this.windows.get(start)!.get(id);
      if (slot !== undefined) visit(start, slot);
    }
  }

  private visitRange(from: Buffer | null, to: Buffer | null, timeFrom: number, timeTo: number, visit: (start: number, slot: Slot) => void): void {
    if (from !== null && to !== null && Buffer.compare(from, to) > 0) return;
    const starts = this.starts;
    const picked: Slot[] = [];
    for (let i = this.firstStartAtOrAfter(Math.max(timeFrom, this.streamTime - this.retentionMs + 1)); i < starts.length; i++) {
      const start = starts[i]!;
      if (start > timeTo) break;
      picked.length = 0;
      for (const slot of this.windows.get(start)!.values()) {
        const bytes = this.keyBytesOf(slot);
        if ((from === null || Buffer.compare(bytes, from) >= 0) && (to === null || Buffer.compare(bytes, to) <= 0)) picked.push(slot);
      }
      // Kafka's order within one window start: serialized key bytes.
      if (picked.length > 1) picked.sort((a, b) => Buffer.compare(a.keyBytes!, b.keyBytes!));
      for (const slot of picked) visit(start, slot);
    }
  }

  /** The map key of a typed key: the key itself when the serde round-trips it, else from its bytes. */
  private idOfKey(key: K): unknown {
    if (Object.is(key, this.lastAsIsKey) || (this.keyAsIs !== null && this.keyAsIs(key))) {
      this.lastAsIsKey = key;
      this.foundKey = key;
      this.foundBytes = null;
      return key;
    }
    return this.idOfBytes(this.bytesOfKey(key));
  }

  /**
   * The map key of serialized key bytes: the decoded key if it is kept as is and encodes back to the
   * same bytes (so a key put typed and the same key restored from bytes meet), else the bytes' own id.
   */
  private idOfBytes(bytes: Buffer): unknown {
    this.foundBytes = bytes;
    if (this.keyAsIs !== null) {
      let decoded: unknown;
      try {
        decoded = this.keySerde.deserialize(bytes, this.topic);
      } catch {
        decoded = undefined;
      }
      if (decoded !== null && decoded !== undefined && this.keyAsIs(decoded) && this.keySerde.serialize(decoded as K, this.topic)?.equals(bytes) === true) {
        this.foundKey = decoded;
        return decoded;
      }
    }
    this.foundKey = UNDECODED;
    return this.rawIdsAsBigInt ? BigInt(`0x1${bytes.toString('hex')}`) : bytes.toString('latin1');
  }

  private bytesOfKey(key: K): Buffer {
    const bytes = key === null || key === undefined ? null : this.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TypeError(`store "${this.name}": null keys are not allowed`);
    return bytes;
  }

  private keyBytesOf(slot: Slot): Buffer {
    if (slot.keyBytes === null) slot.keyBytes = this.bytesOfKey(slot.key as K);
    return slot.keyBytes;
  }

  private keyOf(slot: Slot): K {
    // A key known by bytes is decoded from a copy each time, as a byte store hands out fresh keys.
    return (slot.key !== UNDECODED ? slot.key : this.keySerde.deserialize(Buffer.from(slot.keyBytes!), this.topic)) as K;
  }

  private valueOf(slot: Slot): V {
    if (slot.bytes !== null) return this.valueSerde.deserialize(slot.bytes, this.topic) as V;
    if (this.valueMode === ValueMode.Timestamped) return { value: slot.value, timestamp: slot.timestamp } as V;
    return slot.value as V;
  }

  private valueBytesOf(slot: Slot): Buffer {
    return slot.bytes ?? this.valueSerde.serialize(this.valueOf(slot), this.topic)!;
  }
}
