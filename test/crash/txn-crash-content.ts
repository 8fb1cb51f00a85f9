/**
 * Deterministic content of the transaction crash harness: transaction number n always holds the same
 * records, in the same partitions, and is always committed or always aborted.
 */
export const TXN_CRASH_TOPIC = 'txn-crash';
export const TXN_CRASH_PARTITIONS = 3;
/** Small segments so that crashes also land on segment rolls. */
export const TXN_CRASH_SEGMENT_BYTES = 16 * 1024;
export const TXN_CRASH_ID = 'crash-txn';

function mix(seed: number, n: number, salt: number): number {
  let h = (Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(seed + salt, 0x85ebca6b)) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** One record of a transaction: where it goes and its value `n:i:count:filler`. */
export interface TxnCrashRecord {
  partition: number;
  value: string;
}

/** The records of transaction n (1..30 of them, spread over the partitions), in send order. */
export function recordsOf(seed: number, n: number): TxnCrashRecord[] {
  const count = 1 + (mix(seed, n, 1) % 30);
  return Array.from({ length: count }, (_, i) => ({
    partition: mix(seed, n * 64 + i, 2) % TXN_CRASH_PARTITIONS,
    value: `${n}:${i}:${count}:`.padEnd(16 + (mix(seed, n * 64 + i, 3) % 200), 'x'),
  }));
}

/** How many sends transaction n is split into (1..3), so a crash can fall between two of them. */
export function sendsOf(seed: number, n: number): number {
  return 1 + (mix(seed, n, 4) % 3);
}

/** One transaction in five is aborted by its producer: none of its records may ever be read. */
export function isAborted(seed: number, n: number): boolean {
  return mix(seed, n, 5) % 5 === 0;
}
