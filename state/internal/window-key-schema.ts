/**
 * Store-key layouts, as in Kafka's key schemas (so changelog bytes match Kafka's):
 * - window: `<key><window start int64 BE><seq int32 BE>` (WindowKeySchema; seq tells duplicates apart);
 * - session: `<key><end int64 BE><start int64 BE>` (SessionKeySchema; = `Serdes.sessionWindowed` bytes).
 * Times are written as signed 64-bit integers.
 */
export const WindowKeySchema = {
  SUFFIX: 12,
  toStoreKey(key: Buffer, windowStart: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 12);
    key.copy(out, 0);
    out.writeBigInt64BE(BigInt(windowStart), key.length);
    out.writeInt32BE(seq | 0, key.length + 8);
    return out;
  },
  keyOf: (storeKey: Buffer): Buffer => storeKey.subarray(0, storeKey.length - 12),
  startOf: (storeKey: Buffer): number => Number(storeKey.readBigInt64BE(storeKey.length - 12)),
  /** Lowest store key of `key` at `time` (seq bytes 00000000; the highest is ffffffff) — a scan bound. */
  lower: (key: Buffer, time: number): Buffer => WindowKeySchema.toStoreKey(key, time, 0),
  upper: (key: Buffer, time: number): Buffer => WindowKeySchema.toStoreKey(key, time, -1),
} as const;

export const SessionKeySchema = {
  SUFFIX: 16,
  toStoreKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    out.writeBigInt64BE(BigInt(end), key.length);
    out.writeBigInt64BE(BigInt(start), key.length + 8);
    return out;
  },
  keyOf: (storeKey: Buffer): Buffer => storeKey.subarray(0, storeKey.length - 16),
  endOf: (storeKey: Buffer): number => Number(storeKey.readBigInt64BE(storeKey.length - 16)),
  startOf: (storeKey: Buffer): number => Number(storeKey.readBigInt64BE(storeKey.length - 8)),
} as const;

/** True if `a` and `b` hold the same bytes (key equality after a scan that may interleave longer keys). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}
