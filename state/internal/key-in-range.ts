/**
 * True if `key` is within [from, to] in byte order (null = unbounded) — how cached window and
 * session entries are matched against a key-range query.
 */
export function keyInRange(key: Buffer, from: Buffer | null, to: Buffer | null): boolean {
  return (from === null || Buffer.compare(key, from) >= 0) && (to === null || Buffer.compare(key, to) <= 0);
}
