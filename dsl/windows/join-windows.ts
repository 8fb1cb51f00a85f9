import { checkNonNegativeMs } from './window-args.js';

/**
 * The window of a stream–stream join (Kafka Streams' `JoinWindows`): a left record at time `t`
 * joins right records with timestamps in `[t - before, t + after]` (both inclusive). Created
 * symmetric (`before == after == timeDifference`); `before(ms)` / `after(ms)` make it asymmetric.
 * Definition only: joins use it.
 *
 * @example
 * JoinWindows.ofTimeDifferenceAndGrace(5_000, 1_000).after(10_000); // [t - 5 s, t + 10 s]
 */
export class JoinWindows {
  private constructor(
    /** How far before a left record a right record may be. */
    readonly beforeMs: number,
    /** How far after a left record a right record may be. */
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  /** Symmetric join window with no grace period. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    checkNonNegativeMs('JoinWindows.ofTimeDifferenceWithNoGrace', 'time difference', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, 0);
  }

  /** Symmetric join window that accepts records up to `graceMs` late. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkNonNegativeMs('JoinWindows.ofTimeDifferenceAndGrace', 'time difference', timeDifferenceMs);
    checkNonNegativeMs('JoinWindows.ofTimeDifferenceAndGrace', 'grace', graceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Sets how far before the left record the window reaches (`-after <= before`, as Kafka). */
  before(timeDifferenceMs: number): JoinWindows {
    if (!Number.isSafeInteger(timeDifferenceMs)) throw new RangeError(`JoinWindows.before: must be whole milliseconds, got ${timeDifferenceMs}`);
    return JoinWindows.#checked(timeDifferenceMs, this.afterMs, this.graceMs);
  }

  /** Sets how far after the left record the window reaches (`-before <= after`, as Kafka). */
  after(timeDifferenceMs: number): JoinWindows {
    if (!Number.isSafeInteger(timeDifferenceMs)) throw new RangeError(`JoinWindows.after: must be whole milliseconds, got ${timeDifferenceMs}`);
    return JoinWindows.#checked(this.beforeMs, timeDifferenceMs, this.graceMs);
  }

  /** Total span: `before + after` (Kafka's `size()`). */
  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  static #checked(before: number, after: number, grace: number): JoinWindows {
    if (before + after < 0) throw new RangeError(`JoinWindows: window size (before + after) must not be negative, got before=${before} after=${after}`);
    return new JoinWindows(before, after, grace);
  }

  toString(): string {
    return `JoinWindows{beforeMs=${this.beforeMs}, afterMs=${this.afterMs}, graceMs=${this.graceMs}}`;
  }
}
