import { checkNonNegativeMs } from './windows/window-args.js';

function checkCount(where: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${where}: must be a whole number >= 0, got ${n}`);
  return n;
}

/**
 * How big a suppression buffer may grow and what happens when it is full (Kafka's `BufferConfig`).
 * `unbounded()` never fills. `maxRecords(n)` / `maxBytes(n)` bound it; when full it emits the
 * oldest entries early (`emitEarlyWhenFull()`, the default) or fails the task
 * (`shutDownWhenFull()`). `untilWindowCloses` needs a buffer that never emits early.
 * @example
 * BufferConfig.maxRecords(1000).emitEarlyWhenFull();
 */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: 'EMIT' | 'SHUT_DOWN',
  ) {}

  /** A buffer with no bound (it can grow until memory runs out). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 'SHUT_DOWN');
  }
  /** At most `n` records. */
  static maxRecords(n: number): BufferConfig {
    checkCount('BufferConfig.maxRecords', n);
    return new BufferConfig(n, Number.POSITIVE_INFINITY, 'EMIT');
  }
  /** At most `n` bytes (serialized keys, values and metadata). */
  static maxBytes(n: number): BufferConfig {
    checkCount('BufferConfig.maxBytes', n);
    return new BufferConfig(Number.POSITIVE_INFINITY, n, 'EMIT');
  }
  withMaxRecords(n: number): BufferConfig {
    checkCount('BufferConfig.withMaxRecords', n);
    return new BufferConfig(n, this.maxBytes, this.whenFull);
  }
  withMaxBytes(n: number): BufferConfig {
    checkCount('BufferConfig.withMaxBytes', n);
    return new BufferConfig(this.maxRecords, n, this.whenFull);
  }
  /** When full, emit the oldest records early. */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT');
  }
  /** When full, fail the task (a `StreamsProcessingError`). */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN');
  }
}

/**
 * What `KTable.suppress` holds back (Kafka's `Suppressed`).
 *
 * - `untilWindowCloses(BufferConfig.unbounded() | ….shutDownWhenFull())`: for windowed tables; one
 *   final result per window once stream time reaches `window end + grace`. Tombstones are dropped.
 * - `untilTimeLimit(ms, buffer)`: per key, the latest update is forwarded once stream time is `ms`
 *   past the first buffered update of that key (the timer does not restart on later updates).
 *
 * The buffer is a store with a changelog (`<appId>-<name>-store-changelog` when named, else
 * `<appId>-KTABLE-SUPPRESS-STATE-STORE-<n>-changelog`), so it survives restarts.
 * @example
 * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream();
 * table.suppress(Suppressed.untilTimeLimit(60_000, BufferConfig.maxRecords(1000)).withName('rate-limit'));
 */
export class Suppressed {
  private constructor(
    readonly kind: 'UNTIL_WINDOW_CLOSES' | 'UNTIL_TIME_LIMIT',
    readonly timeLimitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | undefined,
  ) {}

  /** One final result per window, after it closes (the buffer must not emit early). */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    if (bufferConfig.whenFull === 'EMIT') {
      throw new TypeError('Suppressed.untilWindowCloses: the buffer must be unbounded() or shutDownWhenFull(); emitting early would break "final results"');
    }
    return new Suppressed('UNTIL_WINDOW_CLOSES', 0, bufferConfig, undefined);
  }

  /** The latest update per key, `timeLimitMs` of stream time after the key was first buffered. */
  static untilTimeLimit(timeLimitMs: number, bufferConfig: BufferConfig): Suppressed {
    checkNonNegativeMs('Suppressed.untilTimeLimit', 'time limit', timeLimitMs);
    return new Suppressed('UNTIL_TIME_LIMIT', timeLimitMs, bufferConfig, undefined);
  }

  /** Names the processor (`name`) and its buffer store (`name-store`). */
  withName(name: string): Suppressed {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('Suppressed.withName: name must be a non-empty string');
    return new Suppressed(this.kind, this.timeLimitMs, this.bufferConfig, name);
  }
}
