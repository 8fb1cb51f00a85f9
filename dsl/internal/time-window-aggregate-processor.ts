import type { Change } from '../../src/core/change.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { WindowStore } from '../../state/window-store.js';
import type { EmitStrategy } from '../emit-strategy.js';
import type { TimeWindows } from '../windows/time-windows.js';
import { FinalEmitTracker } from './final-emit-tracker.js';
import { WindowedForwarder } from './windowed-forwarder.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';

/**
 * What a windowed aggregate processor needs.
 * @example
 * const spec: WindowAggregateSpec<string, string, number> = { storeName: 'counts', initializer: () => 0, aggregator: (k, v, a) => a + 1, emitStrategy: EmitStrategy.onWindowUpdate() };
 */
export interface WindowAggregateSpec<K, V, VA> {
  readonly storeName: string;
  readonly initializer: () => VA;
  readonly aggregator: (key: K, value: V, aggregate: VA) => VA;
  readonly emitStrategy: EmitStrategy;
  /** Forward old values in the `Change` (a downstream needs them). */
  readonly sendOldValues?: boolean;
  /** Advance stream time by idle wall-clock time after this long without input. */
  readonly closeOnIdleMs?: number | undefined;
}

class TimeWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  #context!: ProcessorContext<Windowed<K>, Change<VA>>;
  #store!: WindowStore<K, ValueAndTimestamp<VA>>;
  readonly #tracker: FinalEmitTracker;
  #forwarder!: WindowedForwarder<K, VA>;

  constructor(readonly windows: TimeWindows, readonly spec: WindowAggregateSpec<K, V, VA>) {
    this.#tracker = new FinalEmitTracker(spec.emitStrategy, spec.closeOnIdleMs);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.#context = context;
    this.#store = context.getStateStore<WindowStore<K, ValueAndTimestamp<VA>>>(this.spec.storeName);
    this.#forwarder = new WindowedForwarder<K, VA>(this.#store, context, () => this.spec.sendOldValues === true, 'window', !this.#tracker.onWindowClose);
    this.#tracker.init(context as ProcessorContext<unknown, unknown>, () => {
      const closeTime = this.#tracker.observedStreamTime - this.windows.graceMs;
      if (this.#tracker.shouldEmitFinal(closeTime, false)) this.#emitFinal(closeTime, undefined);
    });
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const timestamp = record.timestamp;
    const closeTime = this.#tracker.observe(timestamp) - this.windows.graceMs;
    const { sizeMs, advanceMs } = this.windows;
    const spec = this.spec;
    // With a cache below, the cache forwards at flush: build no record per update here.
    const forward = !this.#tracker.onWindowClose && !this.#forwarder.cached;
    // TimeWindows.windowsFor(timestamp), walked without building its array (one record, size/advance windows).
    for (let start = Math.floor(Math.max(0, timestamp - sizeMs + advanceMs) / advanceMs) * advanceMs; start <= timestamp; start += advanceMs) {
      const end = start + sizeMs;
      if (end <= closeTime) {
        this.#context.recordDropped?.();
        continue;
      }
      const old = this.#store.fetch(key, start);
      const oldAgg = old === null ? spec.initializer() : old.value;
      const newTimestamp = old === null || timestamp > old.timestamp ? timestamp : old.timestamp;
      const newAgg = spec.aggregator(key, record.value, oldAgg);
      this.#store.put(key, { value: newAgg, timestamp: newTimestamp }, start);
      if (forward) {
        const change = { newValue: newAgg, oldValue: spec.sendOldValues === true ? oldAgg : null };
        this.#context.forward(new Record<Windowed<K>, Change<VA>>({ key, window: { start, end } }, change, newTimestamp, record.headers));
      }
    }
    if (this.#tracker.shouldEmitFinal(closeTime)) this.#emitFinal(closeTime, record);
  }

  /** Emits windows with start in (lastClose - size, close - size]: they closed since the last emit. */
  #emitFinal(closeTime: number, record: Record<K, V> | undefined): void {
    const size = this.windows.sizeMs;
    const upper = closeTime - size;
    if (upper < 0) return;
    const last = this.#tracker.lastEmitCloseTime;
    const lower = last === -1 ? 0 : Math.max(0, last - size) + 1;
    if (last !== -1 && !this.#newWindowsBetween(lower, upper)) return;
    for (const { key, value } of this.#store.fetchAll(lower, upper)) {
      const out = { newValue: value.value, oldValue: null };
      this.#context.forward(new Record<Windowed<K>, Change<VA>>(key, out, value.timestamp, record?.headers));
    }
    this.#tracker.lastEmitCloseTime = closeTime;
  }

  #newWindowsBetween(lower: number, upper: number): boolean {
    const a = this.windows.windowsFor(upper).map((w) => w.start);
    const b = this.windows.windowsFor(lower - 1).map((w) => w.start);
    return a.length !== b.length || a.some((s, i) => s !== b[i]);
  }
}

/**
 * Supplier of the processor behind time-windowed (tumbling/hopping) `count`/`reduce`/`aggregate`:
 * Kafka's `KStreamWindowAggregate`. Per record: drop a null key; advance observed stream time;
 * for each window containing the record, skip it if `end <= streamTime - grace` (counted as
 * dropped), else fold the record into the window's aggregate and forward
 * `Change(new, old?)` keyed `Windowed<K>` with the window's max record timestamp. With
 * `onWindowClose`, forward nothing on update and instead emit closed windows from the store.
 * @example
 * topology.addProcessor('agg', timeWindowAggregateProcessor(TimeWindows.ofSizeWithNoGrace(10), spec), 'source');
 */
export function timeWindowAggregateProcessor<K, V, VA>(
  windows: TimeWindows,
  spec: WindowAggregateSpec<K, V, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => new TimeWindowAggregateProcessor(windows, spec);
}
