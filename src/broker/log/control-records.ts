/**
 * Transaction markers as they sit in a partition log: the one record of a control batch (KIP-98). The
 * transaction coordinator writes them; the log cleaner reads them to learn how a transaction ended.
 */

/** Kafka's control record key: version 0, type 0 (ABORT) or 1 (COMMIT). */
export function encodeMarkerKey(commit: boolean): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(commit ? 1 : 0, 2);
  return b;
}

/** Kafka's control record value for a transaction marker: version 0 and the coordinator epoch (always 0 here). */
export function encodeMarkerValue(): Buffer {
  return Buffer.alloc(6);
}

/** 'COMMIT' / 'ABORT' for a control record key, or null for another kind of control record. */
export function decodeMarkerKey(key: Buffer | null): 'COMMIT' | 'ABORT' | null {
  if (key === null || key.length < 4) return null;
  const type = key.readInt16BE(2);
  return type === 1 ? 'COMMIT' : type === 0 ? 'ABORT' : null;
}
