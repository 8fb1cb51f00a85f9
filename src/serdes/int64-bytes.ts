/**
 * Signed 64-bit big-endian integers (Kafka's `long` layout) read and written as numbers through two
 * 32-bit halves. Why: `writeBigInt64BE(BigInt(n))` / `Number(readBigInt64BE())` allocate a BigInt per
 * call, and these run several times per windowed update (window keys, timestamps, counts).
 */
const TWO_32 = 0x1_0000_0000;

/**
 * Writes a safe integer as a signed 64-bit big-endian integer at `offset` (the same bytes as
 * `writeBigInt64BE(BigInt(value))`). Anything that is not a safe integer takes BigInt's path, which
 * rejects non-integers with a RangeError/TypeError.
 * @example
 * const b = Buffer.allocUnsafe(8); writeInt64BE(b, -1, 0); // ff ff ff ff ff ff ff ff
 */
export function writeInt64BE(out: Buffer, value: number, offset: number): void {
  if (!Number.isSafeInteger(value)) {
    out.writeBigInt64BE(BigInt(value), offset);
    return;
  }
  const hi = Math.floor(value / TWO_32);
  out.writeInt32BE(hi, offset);
  out.writeUInt32BE(value - hi * TWO_32, offset + 4);
}

/**
 * Reads a signed 64-bit big-endian integer as a number: exact inside the safe-integer range,
 * rounded beyond it (as `Number(readBigInt64BE())` is).
 * @example
 * readInt64BE(Buffer.from('00000000000000ff', 'hex'), 0); // 255
 */
export function readInt64BE(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/**
 * True if the 8 bytes at `offset` hold a safe integer (|n| <= 2^53 - 1), decided from the high half
 * without a BigInt.
 * @example
 * int64IsSafe(Buffer.from('0020000000000000', 'hex'), 0); // false: 2^53
 */
export function int64IsSafe(buf: Buffer, offset: number): boolean {
  const hi = buf.readInt32BE(offset);
  // 2^53 - 1 = hi 0x1fffff, lo 0xffffffff; -(2^53 - 1) = hi -0x200000, lo 1.
  if (hi > 0x1fffff || hi < -0x200000) return false;
  return hi !== -0x200000 || buf.readUInt32BE(offset + 4) !== 0;
}
