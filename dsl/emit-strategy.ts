/**
 * When a windowed aggregation forwards results (Kafka Streams' `EmitStrategy`, KIP-825).
 *
 * - `onWindowUpdate()` (default): every update of a window is forwarded at once.
 * - `onWindowClose()`: nothing is forwarded on update; each window's final result is forwarded once,
 *   after stream time passes `end + grace`. As in Kafka, the check runs while processing a record and
 *   at most once per `emitIntervalMs` of wall-clock time (Kafka's internal
 *   `__emit.interval.ms.kstreams.windowed.aggregation__`, default 1000 ms); `withEmitIntervalMs(0)`
 *   checks on every record. Unlike `suppress`, no extra buffer is kept: final results are read back
 *   from the window store.
 *
 * @example
 * stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).emitStrategy(EmitStrategy.onWindowClose()).count();
 */
export class EmitStrategy {
  private constructor(
    readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE',
    /** Minimum wall-clock time between two final-result checks (onWindowClose only). */
    readonly emitIntervalMs: number,
  ) {}

  /** Forward every update (the default). */
  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE', 0);
  }

  /** Forward each window's final result once, after it closes. */
  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE', DEFAULT_EMIT_INTERVAL_MS);
  }

  /** Same strategy with another wall-clock throttle of the final-result check (>= 0). */
  withEmitIntervalMs(ms: number): EmitStrategy {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`EmitStrategy.withEmitIntervalMs: must be >= 0, got ${ms}`);
    return new EmitStrategy(this.type, ms);
  }

  toString(): string {
    return `EmitStrategy{${this.type}}`;
  }
}

/**
 * Kafka's default of `__emit.interval.ms.kstreams.windowed.aggregation__`.
 * @example
 * EmitStrategy.onWindowClose().emitIntervalMs === DEFAULT_EMIT_INTERVAL_MS; // true
 */
export const DEFAULT_EMIT_INTERVAL_MS = 1000;
