/**
 * Ending a transaction: the COMMIT or ABORT control batch in each partition it touched (KIP-98's
 * WriteTxnMarkers, done in-process), and the coordinator's bookkeeping around it. Each function runs in
 * one synchronous step, so no append of another producer lands between the markers.
 */
import { EMPTY_HEADERS } from '../../core/record.js';
import type { BrokerCore } from '../broker-core.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import { encodeMarkerKey, encodeMarkerValue } from '../log/control-records.js';
import { encodeAbortedRecord, type AbortedEntry, type TxnMetadataRecord } from './txn-log-codec.js';
import { transition } from './txn-state.js';

/** Step 3 of a commit: COMMIT markers, the group offsets, CompleteCommit (persisted). */
export function completeCommit(txn: TransactionCoordinator, transactionalId: string, meta: TxnMetadataRecord): void {
  writeMarkers(txn.core, meta, true, txn.writtenTo);
  for (const p of meta.partitions) txn.index.end(p.topic, p.partition, meta.producerId);
  for (const o of meta.offsets) txn.offsetSink.commitTransactionalOffsets(o.groupId, o.offsets);
  meta.state = transition(transactionalId, meta.state, 'CompleteCommit');
  clearTxn(meta);
  txn.persistMeta(transactionalId, meta);
}

/**
 * PrepareAbort (persisted), ABORT markers, the aborted-index record and entries, then CompleteAbort in
 * memory: the caller persists it, after bumping the epoch when the producer must be fenced.
 */
export function completeAbort(txn: TransactionCoordinator, transactionalId: string, meta: TxnMetadataRecord): void {
  if (meta.state === 'Ongoing') {
    meta.state = transition(transactionalId, meta.state, 'PrepareAbort');
    txn.persistMeta(transactionalId, meta);
  }
  const entries = writeMarkers(txn.core, meta, false, txn.writtenTo);
  if (entries.length > 0) txn.persist(encodeAbortedRecord(transactionalId, meta.txnNumber, entries));
  for (const e of entries) txn.index.addAborted(txn.core.getLog(e.topic, e.partition), e);
  for (const p of meta.partitions) txn.index.end(p.topic, p.partition, meta.producerId);
  meta.state = transition(transactionalId, meta.state, 'CompleteAbort');
  clearTxn(meta);
}

function clearTxn(meta: TxnMetadataRecord): void {
  meta.partitions = [];
  meta.offsets = [];
  meta.startedAt = 0;
}

/**
 * Appends one control batch (isControl + isTransactional, stamped with the producer id and epoch) to
 * every partition of the transaction that still exists, and returns, per partition, the range the
 * marker closes: `[firstOffset, markerOffset)`. A partition of a deleted topic is skipped: its records
 * are gone with it.
 */
export function writeMarkers(core: BrokerCore, meta: TxnMetadataRecord, commit: boolean, writtenTo?: WeakMap<object, PartitionLog>): AbortedEntry[] {
  const now = core.clock.now();
  const key = encodeMarkerKey(commit);
  const value = encodeMarkerValue();
  const out: AbortedEntry[] = [];
  const seen = new Set<string>();
  for (const p of meta.partitions) {
    const id = `${p.topic}\u0000${p.partition}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!core.hasTopic(p.topic) || p.partition >= core.partitionCount(p.topic)) continue;
    const log = core.getLog(p.topic, p.partition);
    // The topic was deleted and created again since the transaction wrote to it: nothing of it is left there.
    const original = writtenTo?.get(p);
    if (original !== undefined && original !== log) continue;
    const { baseOffset } = log.append({
      records: [{ timestamp: now, key, value, headers: EMPTY_HEADERS }],
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      baseSequence: -1,
      isTransactional: true,
      isControl: true,
    });
    out.push({
      topic: p.topic,
      partition: p.partition,
      producerId: meta.producerId,
      // A recorded first offset past the log end (the data append never happened) closes nothing.
      firstOffset: Math.min(p.firstOffset, baseOffset),
      markerOffset: baseOffset,
    });
  }
  return out;
}
