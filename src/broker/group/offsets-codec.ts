/**
 * The record format of the internal `__consumer_offsets` topic.
 *
 * key   `{"v":1,"g":groupId,"t":topic,"p":partition}` — one key per group/topic/partition, so log
 *       compaction keeps only the latest commit of each;
 * value `{"v":1,"o":offset,"m":metadata,"ts":commitTimestamp}`, or null: a tombstone (the group was
 *       deleted, or its offset for that partition dropped).
 * JSON rather than Kafka's binary schema: this topic is private to the embedded broker and never served
 * over the wire; `v` leaves room for other record kinds (a reader skips versions it does not know).
 */
export const OFFSETS_TOPIC = '__consumer_offsets';
/** One partition: a single-node broker gains nothing from spreading groups (Kafka uses 50 for its cluster). */
export const OFFSETS_TOPIC_PARTITIONS = 1;
export const OFFSETS_TOPIC_CONFIG: Readonly<Record<string, string>> = Object.freeze({ 'cleanup.policy': 'compact' });

export interface OffsetKey {
  groupId: string;
  topic: string;
  partition: number;
}

export interface OffsetValue {
  offset: number;
  metadata: string;
  commitTimestamp: number;
}

export function encodeOffsetKey(k: OffsetKey): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, g: k.groupId, t: k.topic, p: k.partition }), 'utf8');
}

export function encodeOffsetValue(v: OffsetValue): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, o: v.offset, m: v.metadata, ts: v.commitTimestamp }), 'utf8');
}

/** The key, or null for a record this version does not understand (skipped on replay). */
export function decodeOffsetKey(buf: Buffer | null): OffsetKey | null {
  if (buf === null) return null;
  const j = parse(buf);
  if (j === null || j.v !== 1 || typeof j.g !== 'string' || typeof j.t !== 'string' || !Number.isInteger(j.p)) return null;
  return { groupId: j.g, topic: j.t, partition: j.p as number };
}

/** The committed offset, or null for a tombstone (or an unreadable value, treated the same). */
export function decodeOffsetValue(buf: Buffer | null): OffsetValue | null {
  if (buf === null) return null;
  const j = parse(buf);
  if (j === null || j.v !== 1 || !Number.isInteger(j.o)) return null;
  return {
    offset: j.o as number,
    metadata: typeof j.m === 'string' ? j.m : '',
    commitTimestamp: typeof j.ts === 'number' ? j.ts : 0,
  };
}

function parse(buf: Buffer): Record<string, unknown> | null {
  try {
    const j: unknown = JSON.parse(buf.toString('utf8'));
    return typeof j === 'object' && j !== null ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
