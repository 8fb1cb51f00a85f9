/**
 * How each transaction in a stretch of log ended, as the log cleaner learns it while it scans batches
 * in offset order: a transactional data batch waits for the next COMMIT or ABORT marker of its producer
 * id (KIP-98: a producer has at most one transaction open per partition, and the marker closes it).
 * Batches whose marker lies past the scanned stretch are undecided: the cleaner keeps them untouched.
 */
import { decodeMarkerKey } from './control-records.js';
import type { LogRecord } from './partition-log.js';

/** The records of one waiting data batch that the cleaner's offset map needs. */
interface Waiting {
  baseOffset: number;
  /** latin1 strings, as the offset map keys them: a Buffer would pin the whole chunk it was read from. */
  keys: (string | null)[];
  offsets: number[];
}

/**
 * @example
 * const outcomes = new TransactionOutcomes((key, offset) => latest.set(key, Math.max(latest.get(key) ?? -1, offset)));
 * for (const b of batches) outcomes.visit(b.producerId, b.baseOffset, b.isTransactional, b.isControl, b.records);
 * outcomes.committed(batch.baseOffset); // true, false (aborted) or undefined (undecided)
 */
export class TransactionOutcomes {
  private readonly open = new Map<number, Waiting[]>();
  private readonly decided = new Map<number, boolean>();

  /** `onCommitted` gets every keyed record of a committed transaction (key as latin1) when its marker is seen. */
  constructor(private readonly onCommitted: (key: string, offset: number) => void) {}

  /** Notes one batch; only transactional ones matter. */
  visit(producerId: number, baseOffset: number, isTransactional: boolean, isControl: boolean, records: readonly LogRecord[]): void {
    if (!isTransactional) return;
    if (!isControl) {
      let waiting = this.open.get(producerId);
      if (waiting === undefined) this.open.set(producerId, (waiting = []));
      waiting.push({ baseOffset, keys: records.map((r) => r.key?.toString('latin1') ?? null), offsets: records.map((r) => r.offset) });
      return;
    }
    const marker = decodeMarkerKey(records[0]?.key ?? null);
    if (marker === null) return;
    const commit = marker === 'COMMIT';
    for (const w of this.open.get(producerId) ?? []) {
      this.decided.set(w.baseOffset, commit);
      if (!commit) continue;
      for (let i = 0; i < w.keys.length; i++) if (w.keys[i] !== null) this.onCommitted(w.keys[i]!, w.offsets[i]!);
    }
    this.open.delete(producerId);
  }

  /** For a transactional data batch: true when its transaction committed, false when it aborted, undefined when not known yet. */
  committed(baseOffset: number): boolean | undefined {
    return this.decided.get(baseOffset);
  }
}
