/**
 * Per-partition transaction bookkeeping that readers need: the open transactions (which bound the last
 * stable offset) and the aborted ones (which `read_committed` consumers skip).
 *
 * - Last stable offset (LSO) = the first offset of the earliest still-open transaction in the partition,
 *   else the log end. `read_committed` consumers read only below it.
 * - Aborted index: `(producerId, firstOffset, markerOffset)` per aborted transaction, sorted by first
 *   offset; a transactional batch of `producerId` in `[firstOffset, markerOffset)` is aborted.
 */
import type { PartitionLog } from '../log/partition-log.js';
import type { AbortedEntry } from './txn-log-codec.js';

/** One aborted transaction in one partition (topic and partition implied by where it is stored). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  markerOffset: number;
}

interface PartitionTxns {
  /** The log these entries describe: a topic deleted and created again has a new log, and starts clean. */
  log: PartitionLog;
  /** producerId → first offset of its open transaction here. */
  open: Map<number, number>;
  aborted: AbortedTxn[];
}

const NO_ABORTED: readonly AbortedTxn[] = Object.freeze([]);

/** Open and aborted transactions of every partition. */
export class TxnIndex {
  private readonly parts = new Map<string, PartitionTxns>();

  /** A transaction of `producerId` wrote its first record in the partition at `firstOffset`. */
  begin(log: PartitionLog, topic: string, partition: number, producerId: number, firstOffset: number): void {
    const p = this.part(log, topic, partition);
    if (!p.open.has(producerId)) p.open.set(producerId, firstOffset);
  }

  /** The producer's transaction in the partition ended (its marker was written). */
  end(topic: string, partition: number, producerId: number): void {
    this.parts.get(key(topic, partition))?.open.delete(producerId);
  }

  /** Records an aborted transaction (at abort, or when replaying `__transaction_state`). */
  addAborted(log: PartitionLog, e: AbortedEntry): void {
    const list = this.part(log, e.topic, e.partition).aborted;
    const entry: AbortedTxn = { producerId: e.producerId, firstOffset: e.firstOffset, markerOffset: e.markerOffset };
    // Kept sorted by first offset; aborts almost always arrive in order, so this is an append.
    let i = list.length;
    while (i > 0 && list[i - 1]!.firstOffset > entry.firstOffset) i--;
    list.splice(i, 0, entry);
  }

  /** The partition's last stable offset. */
  lastStableOffset(log: PartitionLog, topic: string, partition: number): number {
    const p = this.parts.get(key(topic, partition));
    const logEndOffset = log.logEndOffset;
    if (p === undefined || p.open.size === 0 || p.log !== log) return logEndOffset;
    let lso = logEndOffset;
    for (const first of p.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** The partition's aborted transactions, sorted by first offset. */
  aborted(log: PartitionLog, topic: string, partition: number): readonly AbortedTxn[] {
    const p = this.parts.get(key(topic, partition));
    return p === undefined || p.log !== log ? NO_ABORTED : p.aborted;
  }

  private part(log: PartitionLog, topic: string, partition: number): PartitionTxns {
    const k = key(topic, partition);
    let p = this.parts.get(k);
    if (p === undefined || p.log !== log) this.parts.set(k, (p = { log, open: new Map(), aborted: [] }));
    return p;
  }
}

/**
 * True when the transactional batch of `producerId` starting at `baseOffset` belongs to an aborted
 * transaction in `aborted` (sorted by first offset).
 */
export function isAbortedBatch(aborted: readonly AbortedTxn[], producerId: number, baseOffset: number): boolean {
  for (let i = 0; i < aborted.length; i++) {
    const a = aborted[i]!;
    if (a.firstOffset > baseOffset) return false;
    if (a.producerId === producerId && baseOffset < a.markerOffset) return true;
  }
  return false;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
