/**
 * Store-key layouts, as in Kafka's key schemas (so changelog bytes match Kafka's):
 * - window: `<key><window start int64 BE><seq int32 BE>` (WindowKeySchema; seq tells duplicates apart);
 * - session: `<key><end int64 BE><start int64 BE>` (SessionKeySchema; = `Serdes.sessionWindowed` bytes).
 * Times are written as signed 64-bit integers.
 */
import { readInt64BE as readInt64, writeInt64BE as writeInt64 } from '../../src/serdes/int64-bytes.js';

/** Times as signed 64-bit big-endian integers, without a BigInt per key (these run on every read and write). */
export { readInt64, writeInt64 };

export const WindowKeySchema = {
  SUFFIX: 12,
  toStoreKey(key: Buffer, windowStart: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 12);
    key.copy(out, 0);
    writeInt64(out, windowStart, key.length);
    out.writeInt32BE(seq | 0, key.length + 8);
    return out;
  },
  keyOf: (storeKey: Buffer): Buffer => storeKey.subarray(0, storeKey.length - 12),
  startOf: (storeKey: Buffer): number => readInt64(storeKey, storeKey.length - 12),
  /** Lowest store key of `key` at `time` (seq bytes 00000000; the highest is ffffffff) — a scan bound. */
  lower: (key: Buffer, time: number): Buffer => WindowKeySchema.toStoreKey(key, time, 0),
  upper: (key: Buffer, time: number): Buffer => WindowKeySchema.toStoreKey(key, time, -1),
} as const;

export const SessionKeySchema = {
  SUFFIX: 16,
  toStoreKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    writeInt64(out, end, key.length);
    writeInt64(out, start, key.length + 8);
    return out;
  },
  keyOf: (storeKey: Buffer): Buffer => storeKey.subarray(0, storeKey.length - 16),
  endOf: (storeKey: Buffer): number => readInt64(storeKey, storeKey.length - 16),
  startOf: (storeKey: Buffer): number => readInt64(storeKey, storeKey.length - 8),
} as const;

/** True if `a` and `b` hold the same bytes (key equality after a scan that may interleave longer keys). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/**
 * An order-preserving, prefix-free encoding of record keys for the *inner* window and session
 * stores: every 0x00 byte becomes 0x00 0xFF and the key ends with 0x00 0x00 (the tuple encoding of
 * ordered key-value stores). Why: with Kafka's raw `<key><suffix>` layout, keys that extend another
 * key (`u5`, `u50`, `u500`…) interleave with its entries, so a one-key fetch scans them all; with
 * this encoding all entries of a key are contiguous, and key ranges map to one byte range. The
 * changelog keeps Kafka's layout: the stores translate on the way in (restore, `putStoreKey`).
 */
export const OrderedKey = {
  encode(key: Buffer): Buffer {
    let zeros = 0;
    for (let i = 0; i < key.length; i++) if (key[i] === 0) zeros++;
    const out = Buffer.allocUnsafe(key.length + zeros + 2);
    let j = 0;
    for (let i = 0; i < key.length; i++) {
      out[j++] = key[i]!;
      if (key[i] === 0) out[j++] = 0xff;
    }
    out[j++] = 0;
    out[j] = 0;
    return out;
  },
  /** Decodes `enc[0, end)` (which ends with the 0x00 0x00 terminator). */
  decode(enc: Buffer, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - 2);
    let j = 0;
    for (let i = 0; i < end - 2; i++) {
      out[j++] = enc[i]!;
      if (enc[i] === 0) i++; // skip the 0xFF escape
    }
    return out.subarray(0, j);
  },
} as const;

/** Length of `key[0, end)` under {@link OrderedKey}: every 0x00 doubled, plus the 2-byte terminator. */
function orderedLength(key: Buffer, end: number): number {
  let n = end + 2;
  for (let i = 0; i < end; i++) if (key[i] === 0) n++;
  return n;
}

/** Writes `key[0, end)` under {@link OrderedKey} into `out` at 0; returns where the terminator ends. */
function orderedInto(key: Buffer, end: number, out: Buffer): number {
  let j = 0;
  for (let i = 0; i < end; i++) {
    const b = key[i]!;
    out[j++] = b;
    if (b === 0) out[j++] = 0xff;
  }
  out[j++] = 0;
  out[j++] = 0;
  return j;
}

/**
 * Inner window-store keys: `<ordered key><window start int64 BE><seq int32 BE>`. Made with one
 * allocation each (they are built on every window read and write).
 */
export const InnerWindowKey = {
  SUFFIX: 12,
  of(key: Buffer, start: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(orderedLength(key, key.length) + 12);
    const j = orderedInto(key, key.length, out);
    writeInt64(out, start, j);
    out.writeInt32BE(seq | 0, j + 8);
    return out;
  },
  /** From the changelog's `<key><start><seq>`: the 12-byte suffix has the same layout, so it is copied as is. */
  fromChangelog(k: Buffer): Buffer {
    const keyLength = k.length - 12;
    const out = Buffer.allocUnsafe(orderedLength(k, keyLength) + 12);
    const j = orderedInto(k, keyLength, out);
    k.copy(out, j, keyLength);
    return out;
  },
  keyOf: (ik: Buffer): Buffer => OrderedKey.decode(ik, ik.length - 12),
  startOf: (ik: Buffer): number => readInt64(ik, ik.length - 12),
  seqOf: (ik: Buffer): number => ik.readUInt32BE(ik.length - 4),
  /** Byte bounds of every entry of keys in [from, to] (null = unbounded). */
  lowerOfKey: (from: Buffer | null): Buffer | null => (from === null ? null : OrderedKey.encode(from)),
  upperOfKey: (to: Buffer | null): Buffer | null => (to === null ? null : Buffer.concat([OrderedKey.encode(to), Buffer.alloc(12, 0xff)])),
} as const;

/** Inner session-store keys: `<ordered key><end int64 BE><start int64 BE>`. */
export const InnerSessionKey = {
  SUFFIX: 16,
  of(key: Buffer, start: number, end: number): Buffer {
    const enc = OrderedKey.encode(key);
    const out = Buffer.allocUnsafe(enc.length + 16);
    enc.copy(out, 0);
    writeInt64(out, end, enc.length);
    writeInt64(out, start, enc.length + 8);
    return out;
  },
  fromChangelog(k: Buffer): Buffer {
    return InnerSessionKey.of(SessionKeySchema.keyOf(k), SessionKeySchema.startOf(k), SessionKeySchema.endOf(k));
  },
  keyOf: (ik: Buffer): Buffer => OrderedKey.decode(ik, ik.length - 16),
  endOf: (ik: Buffer): number => readInt64(ik, ik.length - 16),
  startOf: (ik: Buffer): number => readInt64(ik, ik.length - 8),
  lowerOfKey: (from: Buffer | null): Buffer | null => (from === null ? null : OrderedKey.encode(from)),
  upperOfKey: (to: Buffer | null): Buffer | null => (to === null ? null : Buffer.concat([OrderedKey.encode(to), Buffer.alloc(16, 0xff)])),
} as const;
