/** Longest string {@link asciiBytes} encodes; past it the native encoder is as fast. */
const MAX_CHARS = 64;

/**
 * The UTF-8 bytes of a short ASCII string, written by a JS loop; null when the string is longer
 * than 64 chars or has a char above 0x7f (the caller then uses `Buffer.from(s, 'utf8')`, whose
 * bytes these equal).
 *
 * Why: store keys are mostly short ASCII strings, and for those the native `Buffer.from` call costs
 * more than the encoding (about half the time of a key's serialization, measured on 12-char keys).
 */
export function asciiBytes(s: string): Buffer | null {
  const n = s.length;
  if (n > MAX_CHARS) return null;
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return null;
    out[i] = c;
  }
  return out;
}
