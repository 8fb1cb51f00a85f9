import type { StoreMetrics } from '../store-metrics.js';

/** Timing every call would cost more than a cached read; one in 32 is timed. */
export const SAMPLE_EVERY = 32;

export type { StoreMetrics };

/** Mutable metrics with latency sampling. */
export class StoreMetricsRecorder implements StoreMetrics {
  puts = 0;
  gets = 0;
  deletes = 0;
  ranges = 0;
  flushes = 0;
  restored = 0;
  private calls = 0;
  private sampled = 0;
  private sampledMs = 0;

  get meanLatencyUs(): number {
    return this.sampled === 0 ? 0 : (this.sampledMs / this.sampled) * 1000;
  }

  /** Runs `fn`, timing it if this call is a sample. */
  time<T>(fn: () => T): T {
    if ((++this.calls & (SAMPLE_EVERY - 1)) !== 0) return fn();
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.sampledMs += performance.now() - t0;
      this.sampled++;
    }
  }

  /**
   * The closure-free form for hot paths: returns a start time when this call is a sample (else -1);
   * pass it to {@link end}.
   */
  start(): number {
    return (++this.calls & (SAMPLE_EVERY - 1)) !== 0 ? -1 : performance.now();
  }

  end(t0: number): void {
    if (t0 < 0) return;
    this.sampledMs += performance.now() - t0;
    this.sampled++;
  }

  snapshot(): StoreMetrics {
    const { puts, gets, deletes, ranges, flushes, restored, meanLatencyUs } = this;
    return { puts, gets, deletes, ranges, flushes, restored, meanLatencyUs };
  }
}
