/**
 * Record formats of the transaction coordinator: the internal `__transaction_state` topic, and the
 * COMMIT / ABORT control records written into data partitions.
 *
 * `__transaction_state` (JSON, private to the embedded broker; `v` leaves room for new kinds):
 * - key `{"v":1,"k":"pid"}`, value `{"v":1,"next":N}`: producer ids below N have been handed out;
 * - key `{"v":1,"k":"txn","id":transactionalId}`, value: the id's metadata ({@link TxnMetadataRecord});
 * - key `{"v":1,"k":"aborted","id":transactionalId,"n":txnNumber}`, value: the partitions an aborted
 *   transaction touched, with its first offset and marker offset in each — the aborted-transaction
 *   index is rebuilt from these. One key per aborted transaction, so compaction keeps every one until
 *   the broker writes its tombstone (null value): at open, once its records are gone from every partition.
 *
 * Control records use Kafka's layout so that they read the same over the wire protocol:
 * key = int16 version (0) + int16 type (0 = ABORT, 1 = COMMIT); value = int16 version (0) + int32 coordinator epoch.
 */
import type { CommitToken } from '../log/journaled-sync.js';
import { isTxnState, type TxnState } from './txn-state.js';

export const TXN_TOPIC = '__transaction_state';
export const TXN_TOPIC_PARTITIONS = 1;
export const TXN_TOPIC_CONFIG: Readonly<Record<string, string>> = Object.freeze({ 'cleanup.policy': 'compact' });

/** A partition a transaction wrote to, and the offset of its first record there. */
export interface TxnPartition {
  topic: string;
  partition: number;
  firstOffset: number;
}

/** Offsets a transaction commits for a consumer group if (and only if) it commits. */
export interface TxnOffsets {
  groupId: string;
  offsets: { topic: string; partition: number; offset: number }[];
}

/** The persisted metadata of one transactional id. */
export interface TxnMetadataRecord {
  producerId: number;
  producerEpoch: number;
  state: TxnState;
  timeoutMs: number;
  /** Clock time the current transaction began (first partition or offsets added); 0 when none is open. */
  startedAt: number;
  /** Number of the current (or last) transaction of this id; keys its aborted-index record. */
  txnNumber: number;
  partitions: TxnPartition[];
  offsets: TxnOffsets[];
  /**
   * On a PrepareCommit written with one journal sync: the commit token that sync seals. Recovery counts
   * the PrepareCommit only if the token was sealed (`log/journaled-sync.ts`). Absent otherwise.
   */
  commitToken?: CommitToken;
}

/** One partition of an aborted transaction: records of `producerId` in [firstOffset, markerOffset) are aborted. */
export interface AbortedEntry {
  topic: string;
  partition: number;
  producerId: number;
  firstOffset: number;
  markerOffset: number;
}

/** A decoded `__transaction_state` record; `unknown` for kinds or versions this code does not know (skipped). */
export type TxnLogRecord =
  | { kind: 'pid'; next: number }
  | { kind: 'txn'; transactionalId: string; meta: TxnMetadataRecord | null }
  | { kind: 'aborted'; transactionalId: string; txnNumber: number; entries: AbortedEntry[] | null }
  | { kind: 'unknown' };

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o), 'utf8');

export function encodePidRecord(next: number): { key: Buffer; value: Buffer } {
  return { key: json({ v: 1, k: 'pid' }), value: json({ v: 1, next }) };
}

export function encodeTxnRecord(transactionalId: string, meta: TxnMetadataRecord): { key: Buffer; value: Buffer } {
  return { key: json({ v: 1, k: 'txn', id: transactionalId }), value: json({ v: 1, ...meta }) };
}

export function encodeAbortedRecord(transactionalId: string, txnNumber: number, entries: AbortedEntry[]): { key: Buffer; value: Buffer } {
  return { key: json({ v: 1, k: 'aborted', id: transactionalId, n: txnNumber }), value: json({ v: 1, entries }) };
}

/** The tombstone of an aborted-index record whose records no partition holds any more. */
export function encodeAbortedTombstone(transactionalId: string, txnNumber: number): { key: Buffer; value: null } {
  return { key: json({ v: 1, k: 'aborted', id: transactionalId, n: txnNumber }), value: null };
}

export function decodeTxnLogRecord(key: Buffer | null, value: Buffer | null): TxnLogRecord {
  const k = parse(key);
  if (k === null || k.v !== 1) return { kind: 'unknown' };
  const v = parse(value);
  if (k.k === 'pid') return v !== null && Number.isSafeInteger(v.next) ? { kind: 'pid', next: v.next as number } : { kind: 'unknown' };
  if (typeof k.id !== 'string') return { kind: 'unknown' };
  if (k.k === 'txn') {
    if (v === null) return { kind: 'txn', transactionalId: k.id, meta: null };
    if (!Number.isSafeInteger(v.producerId) || !Number.isSafeInteger(v.producerEpoch) || !isTxnState(v.state)) return { kind: 'unknown' };
    const meta: TxnMetadataRecord = {
      producerId: v.producerId as number,
      producerEpoch: v.producerEpoch as number,
      state: v.state,
      timeoutMs: Number(v.timeoutMs),
      startedAt: Number(v.startedAt),
      txnNumber: Number(v.txnNumber),
      partitions: Array.isArray(v.partitions) ? (v.partitions as TxnPartition[]) : [],
      offsets: Array.isArray(v.offsets) ? (v.offsets as TxnOffsets[]) : [],
    };
    const token = v.commitToken as Partial<CommitToken> | null | undefined;
    if (typeof token === 'object' && token !== null && Number.isSafeInteger(token.generation) && Number.isSafeInteger(token.id)) {
      meta.commitToken = { generation: token.generation!, id: token.id! };
    }
    return { kind: 'txn', transactionalId: k.id, meta };
  }
  if (k.k === 'aborted' && Number.isSafeInteger(k.n)) {
    if (v === null) return { kind: 'aborted', transactionalId: k.id, txnNumber: k.n as number, entries: null };
    if (Array.isArray(v.entries)) return { kind: 'aborted', transactionalId: k.id, txnNumber: k.n as number, entries: v.entries as AbortedEntry[] };
  }
  return { kind: 'unknown' };
}

function parse(buf: Buffer | null): Record<string, unknown> | null {
  if (buf === null) return null;
  try {
    const j: unknown = JSON.parse(buf.toString('utf8'));
    return typeof j === 'object' && j !== null ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
