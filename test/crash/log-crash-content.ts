/**
 * Deterministic content of the log crash test: what record `offset` holds and how many records the
 * batch starting at an offset has, both derived from (seed, offset) alone so that the child that writes
 * and the harness that checks agree without talking.
 */
import type { LogRecordInput } from '../../src/broker/log/partition-log.js';

/** Log options shared by child and harness: tiny segments, so kills land on rolls too. */
export const CRASH_LOG_OPTIONS = { segmentBytes: 16 * 1024, indexIntervalBytes: 256 } as const;

/** 32-bit mix of two integers (murmur3 finaliser); stable across processes. */
export function mix(seed: number, n: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The record at `offset`: varied sizes (0 to ~3 KiB), some null keys and values, some headers. */
export function recordFor(seed: number, offset: number): LogRecordInput {
  const h = mix(seed, offset);
  let value: Buffer | null = null;
  if (h % 13 !== 0) {
    const len = h % 50 === 0 ? 1000 + (h % 2000) : h % 300;
    value = Buffer.from(`<${seed}:${offset}>`.repeat(Math.ceil(len / 8) + 1)).subarray(0, len);
  }
  return {
    timestamp: 1_600_000_000_000 + offset * 10 - (h % 25),
    key: offset % 7 === 0 ? null : Buffer.from(`key-${offset}`),
    value,
    headers: offset % 5 === 0 ? { o: Buffer.from(String(offset)), s: Buffer.from(String(seed)) } : {},
  };
}

/** Number of records of the batch that starts at `baseOffset`: mostly 1–20, sometimes 200. */
export function batchSizeAt(seed: number, baseOffset: number): number {
  const h = mix(seed ^ 0x5bd1e995, baseOffset);
  return h % 29 === 0 ? 200 : 1 + (h % 20);
}

/** Null when `actual` is exactly record `offset`, else what differs. */
export function mismatch(seed: number, offset: number, actual: LogRecordInput): string | null {
  const want = recordFor(seed, offset);
  const same = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
  if (actual.timestamp !== want.timestamp) return `timestamp ${actual.timestamp} != ${want.timestamp}`;
  if (!same(actual.key, want.key)) return 'key differs';
  if (!same(actual.value, want.value)) return `value differs (${actual.value?.length ?? 'null'} vs ${want.value?.length ?? 'null'} bytes)`;
  const ak = Object.keys(actual.headers);
  const wk = Object.keys(want.headers);
  if (ak.length !== wk.length || wk.some((k) => !same(actual.headers[k] ?? null, want.headers[k]!))) return 'headers differ';
  return null;
}
