import type { Window } from '../../src/core/windowed.js';
import { checkNonNegativeMs, checkPositiveMs } from './window-args.js';

/**
 * Fixed-size windows aligned to the epoch (Kafka Streams' `TimeWindows`): tumbling when
 * `advance == size` (the default), hopping when `advanceBy(ms)` is smaller. A window is
 * `[start, start + size)`, starts are multiples of the advance, so a record belongs to
 * `size / advance` windows (fewer near time 0: no window starts before 0).
 *
 * A window accepts records until stream time reaches `end + grace`; a record that arrives when
 * `streamTime >= end + grace` is dropped for that window (and counted as dropped).
 *
 * @example
 * TimeWindows.ofSizeWithNoGrace(60_000);                       // tumbling minutes
 * TimeWindows.ofSizeAndGrace(300_000, 10_000).advanceBy(60_000); // 5-minute windows every minute
 */
export class TimeWindows {
  private constructor(
    /** Window length in ms. */
    readonly sizeMs: number,
    /** Distance between window starts in ms (== size for tumbling windows). */
    readonly advanceMs: number,
    /** How long after its end a window still accepts out-of-order records. */
    readonly graceMs: number,
  ) {}

  /** Tumbling windows of `sizeMs` with no grace period. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    checkPositiveMs('TimeWindows.ofSizeWithNoGrace', 'size', sizeMs);
    return new TimeWindows(sizeMs, sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept records up to `graceMs` after their end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkPositiveMs('TimeWindows.ofSizeAndGrace', 'size', sizeMs);
    checkNonNegativeMs('TimeWindows.ofSizeAndGrace', 'grace', graceMs);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkPositiveMs('TimeWindows.advanceBy', 'advance', advanceMs);
    if (advanceMs > this.sizeMs) {
      throw new RangeError(`TimeWindows.advanceBy: advance must be <= the window size ${this.sizeMs} ms, got ${advanceMs}`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** Window size (Kafka's `size()`). */
  size(): number {
    return this.sizeMs;
  }

  /** Grace period (Kafka's `gracePeriodMs()`). */
  gracePeriodMs(): number {
    return this.graceMs;
  }

  /**
   * Every window `[start, start + size)` that contains `timestampMs`, by ascending start; starts are
   * multiples of the advance and never negative.
   */
  windowsFor(timestampMs: number): Window[] {
    let start = Math.floor(Math.max(0, timestampMs - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    const out: Window[] = [];
    while (start <= timestampMs) {
      out.push({ start, end: start + this.sizeMs });
      start += this.advanceMs;
    }
    return out;
  }

  toString(): string {
    return `TimeWindows{sizeMs=${this.sizeMs}, advanceMs=${this.advanceMs}, graceMs=${this.graceMs}}`;
  }
}
