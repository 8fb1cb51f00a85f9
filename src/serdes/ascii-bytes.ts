/** Longest string {@link shortAsciiBytes} encodes; past it the native encoder is as fast. */
const MAX_CHARS = 64;

/**
 * The UTF-8 bytes of a short ASCII string written by a JS loop into a buffer with `room` bytes to
 * spare after them (for a suffix the caller writes); null when the string is longer than 64 chars
 * or has a char above 0x7f (the caller then encodes natively — the bytes are the same).
 *
 * Why: keys are mostly short ASCII strings, and for those the native call of `Buffer.from` /
 * `buf.write` costs more than the encoding itself (the windowed count serializes a key on every
 * store access and every output record).
 * @example
 * shortAsciiBytes('user-1', 8); // 14 bytes: 'user-1' and 8 bytes to fill
 */
export function shortAsciiBytes(s: string, room: number): Buffer | null {
  const n = s.length;
  if (n > MAX_CHARS) return null;
  const out = Buffer.allocUnsafe(n + room);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return null;
    out[i] = c;
  }
  return out;
}
