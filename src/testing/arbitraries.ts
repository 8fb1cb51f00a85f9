import type * as FastCheck from 'fast-check';

/**
 * The fast-check module (`import fc from 'fast-check'`): the caller's own copy, so arbitraries mix.
 * @example
 * import fc from 'fast-check'; keyedRecords(fc, { keys: fc.string(), values: fc.nat() });
 */
export type FastCheckModule = Pick<typeof FastCheck, 'array' | 'integer' | 'record'>;

/**
 * A record for a property test: key, value and event timestamp (epoch ms).
 * @example
 * const r: TimedRecord<string, number> = { key: 'a', value: 1, timestamp: 10 };
 */
export interface TimedRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
}

/**
 * Shape of the records {@link keyedRecords} draws.
 * @example
 * keyedRecords(fc, { keys: fc.constantFrom('a', 'b'), values: fc.nat(), maxDisorderMs: 100, maxLength: 200 });
 */
export interface KeyedRecordsOptions<K, V> {
  /** Keys to draw from (e.g. `fc.constantFrom('a', 'b', 'c')` to force collisions). */
  readonly keys: FastCheck.Arbitrary<K>;
  readonly values: FastCheck.Arbitrary<V>;
  /** How far a record's timestamp may lie behind the largest earlier one; 0 = in order. Default 0. */
  readonly maxDisorderMs?: number;
  /** Largest step of the underlying in-order clock between two records. Default 1000. */
  readonly maxGapMs?: number;
  /** Timestamp of the underlying clock before the first record. Default 0. */
  readonly startMs?: number;
  readonly minLength?: number;
  /** Default 50. */
  readonly maxLength?: number;
}

/**
 * Lists of keyed, timestamped records with BOUNDED DISORDER: an in-order clock advances by 0..maxGapMs
 * per record and each record's timestamp is that clock minus 0..maxDisorderMs (never below 0). So
 * every record is at most `maxDisorderMs` behind the largest timestamp before it — the shape of real
 * streams, and what windows' grace periods are sized for.
 *
 * Takes the caller's fast-check module as first argument: tributary does not ship its own copy, so
 * the result combines with the caller's other arbitraries and runners.
 *
 * @example
 * import fc from 'fast-check';
 * fc.assert(fc.property(keyedRecords(fc, { keys: fc.constantFrom('a', 'b'), values: fc.integer(), maxDisorderMs: 50 }), (records) => {
 *   expect(maxLatenessMs(records)).toBeLessThanOrEqual(50);
 * }));
 */
export function keyedRecords<K, V>(fc: FastCheckModule, options: KeyedRecordsOptions<K, V>): FastCheck.Arbitrary<TimedRecord<K, V>[]> {
  const maxDisorder = options.maxDisorderMs ?? 0;
  const maxGap = options.maxGapMs ?? 1000;
  const start = options.startMs ?? 0;
  if (!(maxDisorder >= 0) || !(maxGap >= 0) || !(start >= 0)) throw new RangeError('keyedRecords: times must be >= 0');
  const step = fc.record({
    key: options.keys,
    value: options.values,
    gap: fc.integer({ min: 0, max: maxGap }),
    lag: fc.integer({ min: 0, max: maxDisorder }),
  });
  return fc
    .array(step, { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 50 })
    .map((steps) => {
      let clock = start;
      return steps.map((s) => {
        clock += s.gap;
        return { key: s.key, value: s.value, timestamp: Math.max(0, clock - s.lag) };
      });
    });
}

/**
 * The largest amount by which a record's timestamp lies behind the largest timestamp before it
 * (0 for an in-order list) — handy to assert on, or to size a grace period in a model.
 * @example
 * maxLatenessMs([{ key: 'a', value: 1, timestamp: 10 }, { key: 'a', value: 2, timestamp: 4 }]); // 6
 */
export function maxLatenessMs(records: readonly { readonly timestamp: number }[]): number {
  let max = -Infinity;
  let lateness = 0;
  for (const r of records) {
    if (r.timestamp < max) lateness = Math.max(lateness, max - r.timestamp);
    max = Math.max(max, r.timestamp);
  }
  return lateness;
}
