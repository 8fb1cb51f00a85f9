/**
 * Writing transaction markers: the COMMIT or ABORT control batch that ends a transaction in each
 * partition it touched (KIP-98's WriteTxnMarkers, done in-process).
 */
import { EMPTY_HEADERS } from '../../core/record.js';
import type { BrokerCore } from '../broker-core.js';
import { encodeMarkerKey, encodeMarkerValue, type AbortedEntry, type TxnMetadataRecord } from './txn-log-codec.js';

/**
 * Appends one control batch (isControl + isTransactional, stamped with the producer id and epoch) to
 * every partition of the transaction that still exists, and returns, per partition, the range the
 * marker closes: `[firstOffset, markerOffset)`. A partition of a deleted topic is skipped: its records
 * are gone with it.
 */
export function writeMarkers(core: BrokerCore, meta: TxnMetadataRecord, commit: boolean): AbortedEntry[] {
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
