/**
 * Counters and sampled latency of one store, as its metered layer counts them (`store.metrics()`).
 * @example
 * const { puts, gets, meanLatencyUs } = store.metrics();
 */
export interface StoreMetrics {
  puts: number;
  gets: number;
  deletes: number;
  ranges: number;
  flushes: number;
  restored: number;
  /** Mean latency of sampled reads/writes, in microseconds (one call in 32 is timed). */
  readonly meanLatencyUs: number;
}
