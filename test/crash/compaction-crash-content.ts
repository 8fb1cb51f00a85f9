/**
 * Deterministic content of the compaction crash test: record `offset` of the log is a function of
 * (seed, offset) alone, so the child that writes and compacts and the harness that checks agree without
 * talking. Keys come from a small set so that compaction removes most records; some are tombstones.
 */
import type { LogRecordInput } from '../../src/broker/log/partition-log.js';
import { mix } from './log-crash-content.js';

/** Log options shared by child and harness: small segments, so a pass swaps many times. */
export const COMPACTION_LOG_OPTIONS = { segmentBytes: 24 * 1024, indexIntervalBytes: 512 } as const;
/** Distinct keys in the log. */
export const KEYS = 300;
/** Records per appended batch. */
export const BATCH = 40;

/** Key and value of record `offset` (value null = tombstone, about one record in 12). */
export function contentAt(seed: number, offset: number): { key: string; value: string | null } {
  const h = mix(seed, offset);
  return { key: `k${h % KEYS}`, value: (h >>> 8) % 12 === 0 ? null : `v${offset}-${h.toString(36)}` };
}

/** The record the log holds at `offset` (timestamps are old, so every sealed segment is cleanable). */
export function compactionRecordFor(seed: number, offset: number): LogRecordInput {
  const { key, value } = contentAt(seed, offset);
  return { timestamp: 1_000_000 + offset, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: {} };
}

/** The latest value per key among offsets [0, end): what a compacted log must still show. */
export function latestModel(seed: number, end: number): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (let o = 0; o < end; o++) {
    const { key, value } = contentAt(seed, o);
    m.set(key, value);
  }
  return m;
}
