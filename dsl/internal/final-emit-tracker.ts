import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { EmitStrategy } from '../emit-strategy.js';

/**
 * Bookkeeping shared by the windowed aggregate processors: the processor's observed stream time
 * (max record timestamp it saw), and for `onWindowClose` the last window close time it emitted up
 * to and Kafka's wall-clock throttle of the final-result check. With `closeOnIdleMs`, a wall-clock
 * punctuator advances stream time by the idle wall-clock time so windows close without input.
 * @example
 * const t = new FinalEmitTracker(EmitStrategy.onWindowClose(), undefined);
 * t.init(context, () => emitClosed(t.observedStreamTime - grace));
 */
export class FinalEmitTracker {
  observedStreamTime = -1;
  lastEmitCloseTime = -1;
  #nextTimeToEmit = 0;
  #context!: ProcessorContext<unknown, unknown>;
  #lastRecordWallClock = 0;
  #streamTimeAtLastRecord = -1;

  constructor(
    readonly strategy: EmitStrategy,
    readonly closeOnIdleMs: number | undefined,
  ) {}

  get onWindowClose(): boolean {
    return this.strategy.type === 'ON_WINDOW_CLOSE';
  }

  /** Schedules the idle punctuator (if configured); `onIdle()` emits what closed at the new stream time. */
  init(context: ProcessorContext<unknown, unknown>, onIdle: () => void): void {
    this.#context = context;
    this.#lastRecordWallClock = context.currentSystemTimeMs();
    const idle = this.closeOnIdleMs;
    if (idle === undefined) return;
    context.schedule(Math.max(1, Math.min(idle, 1000)), 'WALL_CLOCK_TIME', (now) => {
      const idleFor = now - this.#lastRecordWallClock;
      if (idleFor < idle || this.#streamTimeAtLastRecord < 0) return;
      const advanced = this.#streamTimeAtLastRecord + idleFor;
      if (advanced <= this.observedStreamTime) return;
      this.observedStreamTime = advanced;
      onIdle();
    });
  }

  /** Advances observed stream time with a record's timestamp; returns it. */
  observe(timestamp: number): number {
    if (timestamp > this.observedStreamTime) this.observedStreamTime = timestamp;
    // Only the idle punctuator reads it: no wall-clock read per record otherwise.
    if (this.closeOnIdleMs !== undefined) this.#lastRecordWallClock = this.#context.currentSystemTimeMs();
    this.#streamTimeAtLastRecord = this.observedStreamTime;
    return this.observedStreamTime;
  }

  /** Kafka's `shouldEmitFinal`: throttled by wall clock, and only if the close time progressed. */
  shouldEmitFinal(closeTime: number, throttled = true): boolean {
    if (!this.onWindowClose) return false;
    if (throttled) {
      const now = this.#context.currentSystemTimeMs();
      if (now < this.#nextTimeToEmit) return false;
      this.#nextTimeToEmit = now + this.strategy.emitIntervalMs;
    }
    return this.lastEmitCloseTime === -1 || this.lastEmitCloseTime < closeTime;
  }
}
