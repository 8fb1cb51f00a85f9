import type { Change } from '../../src/core/change.js';
import type { Window, Windowed } from '../../src/core/windowed.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { WindowStore } from '../../state/window-store.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import { FinalEmitTracker } from './final-emit-tracker.js';
import { WindowedForwarder } from './windowed-forwarder.js';
import type { WindowAggregateSpec } from './time-window-aggregate-processor.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';

type Agg<VA> = ValueAndTimestamp<VA>;

class SlidingWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  #context!: ProcessorContext<Windowed<K>, Change<VA>>;
  #store!: WindowStore<K, Agg<VA>>;
  readonly #tracker: FinalEmitTracker;
  #forwarder!: WindowedForwarder<K, VA>;
  readonly #diff: number;

  constructor(readonly windows: SlidingWindows, readonly spec: WindowAggregateSpec<K, V, VA>) {
    this.#tracker = new FinalEmitTracker(spec.emitStrategy, spec.closeOnIdleMs);
    this.#diff = windows.timeDifferenceMs;
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.#context = context;
    this.#store = context.getStateStore<WindowStore<K, Agg<VA>>>(this.spec.storeName);
    this.#forwarder = new WindowedForwarder<K, VA>(this.#store, context, () => this.spec.sendOldValues === true, 'window', !this.#tracker.onWindowClose);
    this.#tracker.init(context as ProcessorContext<unknown, unknown>, () => {
      const closeTime = this.#tracker.observedStreamTime - this.windows.graceMs;
      if (this.#tracker.shouldEmitFinal(closeTime, false)) this.#emitFinal(closeTime, undefined);
    });
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const t = record.timestamp;
    const closeTime = this.#tracker.observe(t) - this.windows.graceMs;
    if (t + this.#diff < closeTime) {
      this.#context.recordDropped?.();
      return;
    }
    if (t < this.#diff) {
      this.#processEarly(record, closeTime);
      return; // as Kafka: early records do not trigger the final-result check
    }
    this.#processReverse(record, closeTime);
    if (this.#tracker.shouldEmitFinal(closeTime)) this.#emitFinal(closeTime, record);
  }

  /** Kafka's `processReverse`: walks the key's windows from the newest start down. */
  #processReverse(record: Record<K, V>, closeTime: number): void {
    const t = record.timestamp;
    const starts = new Set<number>();
    let leftAgg: Agg<VA> | null = null;
    let rightAgg: Agg<VA> | null = null;
    let leftCreated = false;
    let rightCreated = false;
    let previous: number | null = null;
    const found = this.#store.backwardFetch(record.key, Math.max(0, t - 2 * this.#diff), t + 1);
    for (const { timestamp: start, value } of found) {
      starts.add(start);
      const end = start + this.#diff;
      if (start === t + 1) {
        rightCreated = true;
      } else if (end > t) {
        if (rightAgg === null) rightAgg = value;
        this.#update({ start, end }, value, record, closeTime);
      } else if (end === t) {
        leftCreated = true;
        this.#update({ start, end }, value, record, closeTime);
        if (value.timestamp < t) previous = value.timestamp;
        else return; // a record at t already exists: every window is in place
      } else {
        leftAgg = value;
        previous = value.timestamp;
        break;
      }
    }
    this.#createWindows(record, closeTime, starts, rightAgg, leftAgg, leftCreated, rightCreated, previous);
  }

  /** Records before `diff` share the window [0, diff]; their right windows are made as usual. */
  #processEarly(record: Record<K, V>, closeTime: number): void {
    const t = record.timestamp;
    let combined: { start: number; value: Agg<VA> } | null = null;
    let rightAgg: Agg<VA> | null = null;
    let rightCreated = false;
    const starts = new Set<number>();
    let previous: number | null = null;
    for (const { timestamp: start, value } of this.#store.fetch(record.key, 0, t + 1)) {
      starts.add(start);
      if (start === 0) {
        combined = { start, value };
        if (value.timestamp < t) previous = value.timestamp;
      } else if (start <= t) {
        rightAgg = value;
        this.#update({ start, end: start + this.#diff }, value, record, closeTime);
      } else {
        rightCreated = true;
      }
    }
    if (rightAgg === null && combined !== null && combined.value.timestamp > t) rightAgg = combined.value;
    if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) this.#createRight(t, rightAgg, record);
    if (previous !== null && !starts.has(previous + 1)) this.#createPreviousRight(previous + 1, record, closeTime);
    const window = { start: 0, end: this.#diff };
    this.#update(window, combined?.value ?? { value: this.spec.initializer(), timestamp: t }, record, closeTime);
  }

  #createWindows(
    record: Record<K, V>, closeTime: number, starts: Set<number>, rightAgg: Agg<VA> | null, leftAgg: Agg<VA> | null,
    leftCreated: boolean, rightCreated: boolean, previous: number | null,
  ): void {
    const t = record.timestamp;
    if (previous !== null) {
      const prevRightStart = previous + 1;
      if (!starts.has(prevRightStart) && prevRightStart + this.#diff >= t) this.#createPreviousRight(prevRightStart, record, closeTime);
    }
    if (!leftCreated) {
      const leftNotEmpty = previous !== null && t - this.#diff <= previous;
      const base = leftNotEmpty ? leftAgg!.value : this.spec.initializer();
      this.#update({ start: t - this.#diff, end: t }, { value: base, timestamp: t }, record, closeTime);
    }
    if (!rightCreated && rightAgg !== null && rightAgg.timestamp > t) this.#createRight(t, rightAgg, record);
  }

  /** The current record's right window holds exactly the later records of `rightAgg`'s window. */
  #createRight(t: number, rightAgg: Agg<VA>, record: Record<K, V>): void {
    const window = { start: t + 1, end: t + 1 + this.#diff };
    this.#store.put(record.key, rightAgg, window.start);
    this.#forward(window, rightAgg.value, null, rightAgg.timestamp, record);
  }

  #createPreviousRight(start: number, record: Record<K, V>, closeTime: number): void {
    const window = { start, end: start + this.#diff };
    this.#update(window, { value: this.spec.initializer(), timestamp: record.timestamp }, record, closeTime);
  }

  #update(window: Window, current: Agg<VA>, record: Record<K, V>, closeTime: number): void {
    if (window.end < closeTime) {
      this.#context.recordDropped?.();
      return;
    }
    const oldAgg = current.value;
    const newAgg = this.spec.aggregator(record.key, record.value, oldAgg);
    const newTimestamp = oldAgg === null || oldAgg === undefined ? record.timestamp : Math.max(record.timestamp, current.timestamp);
    this.#store.put(record.key, { value: newAgg, timestamp: newTimestamp }, window.start);
    this.#forward(window, newAgg, oldAgg, newTimestamp, record);
  }

  #forward(window: Window, newAgg: VA, oldAgg: VA | null, timestamp: number, record: Record<K, V>): void {
    if (this.#tracker.onWindowClose) return;
    const change = { newValue: newAgg, oldValue: this.spec.sendOldValues === true ? oldAgg : null };
    this.#forwarder.maybeForward(new Record<Windowed<K>, Change<VA>>({ key: record.key, window }, change, timestamp, record.headers));
  }

  /** Windows [s, s + diff] close when s + diff < closeTime: starts in [lastClose - diff, close - diff - 1]. */
  #emitFinal(closeTime: number, record: Record<K, V> | undefined): void {
    const upper = closeTime - this.#diff - 1;
    if (upper < 0) return;
    const last = this.#tracker.lastEmitCloseTime;
    const lower = last === -1 ? 0 : Math.max(0, last - this.#diff);
    for (const { key, value } of this.#store.fetchAll(lower, upper)) {
      this.#context.forward(new Record<Windowed<K>, Change<VA>>(key, { newValue: value.value, oldValue: null }, value.timestamp, record?.headers));
    }
    this.#tracker.lastEmitCloseTime = closeTime;
  }
}

/**
 * Supplier of the processor behind sliding-window aggregations (Kafka's
 * `KStreamSlidingWindowAggregate`, reverse-iteration variant): per record it updates every existing
 * window of its key that contains it, creates its left window `[t - diff, t]` and — when later
 * records exist — its right window `[t + 1, t + 1 + diff]`, and the previous record's right window
 * if missing. Results carry each window's max record timestamp; windows with `end < streamTime -
 * grace` are skipped and counted as dropped.
 * @example
 * topology.addProcessor('agg', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceWithNoGrace(10), spec), 'source');
 */
export function slidingWindowAggregateProcessor<K, V, VA>(
  windows: SlidingWindows,
  spec: WindowAggregateSpec<K, V, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => new SlidingWindowAggregateProcessor(windows, spec);
}
