/**
 * Byte-range scans over composite store keys `<key><fixed-size suffix>` for a key range.
 *
 * Why not simply scan [keyFrom+lowSuffix, keyTo+highSuffix]: composite keys of *different* record
 * keys interleave (`a`+suffix vs `a\x00`), so a record key that is a proper prefix of `keyTo` can sort
 * after `keyTo+0xff…`. The scan therefore covers [keyFrom, keyTo+0xff…] (keyFrom bare is below every
 * composite of a key >= keyFrom) and adds one exact scan per proper prefix of keyTo that is >= keyFrom.
 */
export interface RangeScanPlan {
  /** Byte bounds of each sub-scan (null = unbounded). */
  readonly scans: { lo: Buffer | null; hi: Buffer | null; exactKey: Buffer | null }[];
}

export function planKeyRangeScan(keyFrom: Buffer | null, keyTo: Buffer | null, suffixSize: number): RangeScanPlan {
  if (keyTo === null) return { scans: [{ lo: keyFrom, hi: null, exactKey: null }] };
  const hi = Buffer.concat([keyTo, Buffer.alloc(suffixSize, 0xff)]);
  const scans: RangeScanPlan['scans'] = [{ lo: keyFrom, hi, exactKey: null }];
  for (let n = 0; n < keyTo.length; n++) {
    const prefix = keyTo.subarray(0, n);
    if (keyFrom !== null && Buffer.compare(prefix, keyFrom) < 0) continue;
    scans.push({ lo: prefix, hi: Buffer.concat([prefix, Buffer.alloc(suffixSize, 0xff)]), exactKey: prefix });
  }
  return { scans };
}

/** True if `key` is within [from, to] (null = unbounded). */
export function keyInRange(key: Buffer, from: Buffer | null, to: Buffer | null): boolean {
  return (from === null || Buffer.compare(key, from) >= 0) && (to === null || Buffer.compare(key, to) <= 0);
}

/** True if `key` is a proper prefix of `of` (the main scan leaves those to their exact scans). */
export function isProperPrefix(key: Buffer, of: Buffer | null): boolean {
  return of !== null && key.length < of.length && of.compare(key, 0, key.length, 0, key.length) === 0;
}
