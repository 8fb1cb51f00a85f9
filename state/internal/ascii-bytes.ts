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

/**
 * {@link asciiBytes} into memory owned by the caller, reused by every call: no `Buffer` allocated
 * per key. Only for a key handed to a store that copies it and keeps no reference (a record cache:
 * `CachingKeyValueStore.put`), and only until the next call.
 */
export class AsciiScratch {
  private readonly memory = Buffer.allocUnsafeSlow(MAX_CHARS);
  /** One view per length, made once. */
  private readonly views: (Buffer | undefined)[] = new Array(MAX_CHARS + 1).fill(undefined);

  /** The bytes of `s` in this scratch (valid until the next call), or null as {@link asciiBytes}. */
  encode(s: string): Buffer | null {
    const n = s.length;
    if (n > MAX_CHARS) return null;
    const m = this.memory;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return null;
      m[i] = c;
    }
    return (this.views[n] ??= m.subarray(0, n));
  }
}
