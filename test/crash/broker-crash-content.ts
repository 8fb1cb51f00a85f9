/** Deterministic content of the broker crash harness: record number n always has the same key and value. */
export const CRASH_TOPIC = 'crash';
export const CRASH_PARTITIONS = 3;
/** Small segments so that crashes also land on segment rolls. */
export const CRASH_SEGMENT_BYTES = 16 * 1024;

export function keyFor(n: number): string {
  return `k${n % 17}`;
}

/** `n:` then a seeded filler whose length varies with n, so torn writes cut records of many sizes. */
export function valueFor(seed: number, n: number): string {
  const len = 10 + ((n * 7919 + seed) % 240);
  return `${n}:`.padEnd(len, String.fromCharCode(97 + ((n + seed) % 26)));
}

/** How many records the send starting at record number n carries (1..40). */
export function sendSizeAt(seed: number, n: number): number {
  return 1 + ((n * 31 + seed * 17) % 40);
}
