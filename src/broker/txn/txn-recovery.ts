/**
 * What the transaction coordinator does when a broker opens, in this order:
 * 1. replay `__transaction_state` (creating it if needed): the producer-id counter, the latest metadata
 *    of every transactional id (later records win), and the aborted-transaction index — an aborted
 *    transaction whose records no partition holds any more (topic deleted, records deleted by retention)
 *    gets a tombstone instead, so `__transaction_state` does not grow for ever. An entry whose ABORT
 *    marker is not at its offset any more is dropped too, and the record rewritten without it: a power
 *    cut can keep this record yet lose the partition's tail, whose offsets then go to new records that
 *    the stale entry would hide from read_committed;
 * 2. rebuild idempotent producer state from the tail of every user partition (batch headers), and make
 *    sure no producer id seen there or in the metadata is handed out again, nor an epoch seen there;
 * 3. end the transactions a crash (or a close) left open: PrepareCommit is finished (the commit was
 *    decided), Ongoing and PrepareAbort are aborted — markers written, producers fenced. A PrepareCommit
 *    whose commit token was never sealed (`log/journaled-sync.ts`) never happened: a power cut kept its
 *    bytes but maybe not the commit's records, and it was never acknowledged — it is aborted, and every
 *    log is fsynced before the journal's next generation starts (past it, the record would count);
 * 4. start the commit journal's next generation.
 */
import { decodeMarkerKey } from '../log/control-records.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import {
  decodeTxnLogRecord,
  encodeAbortedRecord,
  encodeAbortedTombstone,
  TXN_TOPIC,
  TXN_TOPIC_CONFIG,
  TXN_TOPIC_PARTITIONS,
  type AbortedEntry,
} from './txn-log-codec.js';

/** Runs the open-time recovery of one TransactionCoordinator (see the steps above). */
export class TxnRecovery {
  constructor(private readonly txn: TransactionCoordinator) {}

  run(): void {
    const core = this.txn.core;
    // Step 1
    core.ensureInternalTopic(TXN_TOPIC, TXN_TOPIC_PARTITIONS, { ...TXN_TOPIC_CONFIG });
    const aborted = new Map<string, { id: string; n: number; entries: AbortedEntry[] }>();
    let nextPid = 0;
    for (let p = 0; p < core.partitionCount(TXN_TOPIC); p++) {
      const log = core.getLog(TXN_TOPIC, p);
      let position = log.logStartOffset;
      while (position < log.logEndOffset) {
        const batches = log.read(position);
        if (batches.length === 0) break;
        for (const batch of batches) {
          for (const r of batch.records) {
            if (r.offset < position || batch.isControl) continue;
            const rec = decodeTxnLogRecord(r.key, r.value);
            if (rec.kind === 'pid') nextPid = Math.max(nextPid, rec.next);
            else if (rec.kind === 'txn') {
              if (rec.meta === null) this.txn.txns.delete(rec.transactionalId);
              else this.txn.txns.set(rec.transactionalId, rec.meta);
            } else if (rec.kind === 'aborted') {
              const key = JSON.stringify([rec.transactionalId, rec.txnNumber]);
              if (rec.entries === null) aborted.delete(key);
              else aborted.set(key, { id: rec.transactionalId, n: rec.txnNumber, entries: rec.entries });
            }
          }
          position = batch.lastOffset + 1;
        }
      }
    }
    for (const { id, n, entries } of aborted.values()) {
      const live = entries.filter((e) => {
        // A deleted topic's entries would misjudge a new topic of the same name; below the log start, nothing is left to hide.
        if (!core.hasTopic(e.topic) || e.partition >= core.partitionCount(e.topic)) return false;
        const log = core.getLog(e.topic, e.partition);
        return e.markerOffset < log.logEndOffset && e.markerOffset >= log.logStartOffset && isAbortMarker(log, e);
      });
      for (const e of live) this.txn.index.addAborted(core.getLog(e.topic, e.partition), e);
      if (live.length === 0) this.txn.persist(encodeAbortedTombstone(id, n));
      else if (live.length < entries.length) this.txn.persist(encodeAbortedRecord(id, n, live));
    }

    // Step 2
    for (const topic of core.topicNames(false)) {
      for (let p = 0; p < core.partitionCount(topic); p++) {
        nextPid = Math.max(nextPid, this.txn.producers.rebuild(topic, p, core.getLog(topic, p)) + 1);
      }
    }
    for (const [id, meta] of this.txn.txns) {
      nextPid = Math.max(nextPid, meta.producerId + 1);
      // A power cut can keep records written with an epoch whose `__transaction_state` record it lost:
      // never hand that epoch out again (its sequence numbers are taken).
      const seen = this.txn.producers.maxEpoch(meta.producerId);
      if (seen > meta.producerEpoch) {
        meta.producerEpoch = seen;
        this.txn.persistMeta(id, meta);
      }
    }
    this.txn.nextProducerId = nextPid;
    this.txn.producers.firstIdOfThisRun = nextPid;

    // Step 3
    const tokens = core.commitTokens;
    const ended: string[] = [];
    let voided = 0;
    for (const [id, meta] of this.txn.txns) {
      const token = meta.commitToken;
      delete meta.commitToken; // it belongs to that one record
      if (meta.state !== 'Ongoing' && meta.state !== 'PrepareAbort' && meta.state !== 'PrepareCommit') continue;
      if (meta.state === 'PrepareCommit' && token !== undefined && tokens !== undefined && !tokens.sealed(token)) {
        meta.state = 'Ongoing';
        voided++;
      }
      ended.push(`"${id}" (${meta.state === 'PrepareCommit' ? 'committed' : 'aborted'})`);
      if (meta.state === 'PrepareCommit') this.txn.completeCommit(id, meta);
      else this.txn.abort(id, meta, true);
    }
    if (ended.length > 0) core.warn(`transaction coordinator: ended ${ended.length} transaction(s) left open: ${ended.join(', ')}`);
    if (voided > 0) core.warn(`transaction coordinator: ${voided} PrepareCommit record(s) were never made durable (no seal in the commit journal); aborted`);
    tokens?.finishRecovery(voided > 0); // Step 4
  }
}

/** True when the batch at `e.markerOffset` is still the ABORT marker of `e.producerId`. */
function isAbortMarker(log: PartitionLog, e: AbortedEntry): boolean {
  const [batch] = log.read(e.markerOffset, { maxRecords: 1 });
  return (
    batch !== undefined &&
    batch.baseOffset === e.markerOffset &&
    batch.isControl &&
    batch.producerId === e.producerId &&
    decodeMarkerKey(batch.records[0]?.key ?? null) === 'ABORT'
  );
}
