import { checkNonNegativeMs, checkPositiveMs } from './window-args.js';

/**
 * Session windows (Kafka Streams' `SessionWindows`): per key, records closer than the inactivity
 * gap belong to one session `[first, last]` (both inclusive). A record within `gap` of two
 * sessions merges them: the old sessions are removed (tombstones are forwarded for them) and one
 * merged session is written.
 *
 * A record is dropped when the session it would form ends before `streamTime - grace - gap`.
 *
 * @example
 * builder.stream('clicks').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 30_000)).count();
 */
export class SessionWindows {
  private constructor(
    /** Largest gap between two records of one session. */
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  /** Sessions with this inactivity gap and no grace period. */
  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    checkPositiveMs('SessionWindows.ofInactivityGapWithNoGrace', 'inactivity gap', inactivityGapMs);
    return new SessionWindows(inactivityGapMs, 0);
  }

  /** Sessions with this inactivity gap that accept records up to `graceMs` late. */
  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkPositiveMs('SessionWindows.ofInactivityGapAndGrace', 'inactivity gap', inactivityGapMs);
    checkNonNegativeMs('SessionWindows.ofInactivityGapAndGrace', 'grace', graceMs);
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  /** The inactivity gap (Kafka's `inactivityGap()`). */
  inactivityGap(): number {
    return this.inactivityGapMs;
  }

  /** Grace period (Kafka's `gracePeriodMs()`). */
  gracePeriodMs(): number {
    return this.graceMs;
  }

  toString(): string {
    return `SessionWindows{inactivityGapMs=${this.inactivityGapMs}, graceMs=${this.graceMs}}`;
  }
}
