import { checkNonNegativeMs, checkPositiveMs } from './window-args.js';

/**
 * Sliding windows (Kafka Streams' `SlidingWindows`): windows of a fixed time difference that are
 * created by the records themselves. Both bounds are inclusive: a window `[start, start + diff]`
 * holds every record whose timestamps differ by at most `diff`. Each record makes (at most) its
 * *left* window `[t - diff, t]` and its *right* window `[t + 1, t + 1 + diff]` (only if a later
 * record falls in it), so only windows with distinct contents exist. Records before time `diff`
 * share the window `[0, diff]`.
 *
 * A record is dropped when even its right window is closed: `t + diff < streamTime - grace`; each
 * window accepts updates while `end >= streamTime - grace`.
 *
 * @example
 * builder.stream('clicks').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, 1_000)).count();
 */
export class SlidingWindows {
  private constructor(
    /** Largest difference between two records' timestamps in one window (inclusive). */
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  /** Sliding windows with no grace period. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    checkPositiveMs('SlidingWindows.ofTimeDifferenceWithNoGrace', 'time difference', timeDifferenceMs);
    return new SlidingWindows(timeDifferenceMs, 0);
  }

  /** Sliding windows that accept records up to `graceMs` after a window's end. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkPositiveMs('SlidingWindows.ofTimeDifferenceAndGrace', 'time difference', timeDifferenceMs);
    checkNonNegativeMs('SlidingWindows.ofTimeDifferenceAndGrace', 'grace', graceMs);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** Grace period (Kafka's `gracePeriodMs()`). */
  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `SlidingWindows{timeDifferenceMs=${this.timeDifferenceMs}, graceMs=${this.graceMs}}`;
  }
}
