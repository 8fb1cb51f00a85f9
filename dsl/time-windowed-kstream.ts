import type { Windowed } from '../src/core/windowed.js';
import { Serdes } from '../src/serdes/serdes.js';
import type { Serde } from '../src/serdes/serde.js';
import { EmitStrategy } from './emit-strategy.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import { slidingWindowAggregateProcessor } from './internal/sliding-window-aggregate-processor.js';
import type { TableState } from './internal/table-state.js';
import { timeWindowAggregateProcessor, type WindowAggregateSpec } from './internal/time-window-aggregate-processor.js';
import { splitNamedMaterialized, windowedAggregate } from './internal/windowed-aggregate-builder.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';

const AGGREGATE_NAME = 'KSTREAM-AGGREGATE-';
const REDUCE_NAME = 'KSTREAM-REDUCE-';

/**
 * A grouped stream windowed by `TimeWindows` (tumbling/hopping) or `SlidingWindows` (Kafka's
 * `TimeWindowedKStream`), from `KGroupedStream.windowedBy`. `count`, `reduce` and `aggregate` fold
 * each key's records per window into a `KTable<Windowed<K>, V>` backed by a window store (retention
 * `Materialized.withRetention`, default size + grace — sliding: 2 × difference + grace — and never
 * less; with `onWindowClose` the default adds Kafka's segment slack, see `onCloseRetentionMs`). Records with a null key are dropped and counted; so are records too late for a window
 * (`streamTime >= end + grace`), once per window. Results carry the window's max record timestamp.
 * @example
 * builder.stream('views', Consumed.with(Serdes.string(), Serdes.string()))
 *   .groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
 *   .count(Materialized.as('views-per-minute'))
 *   .toStream()
 *   .to('view-counts', Produced.with(Serdes.windowed(Serdes.string(), 60_000), Serdes.long()));
 */
export class TimeWindowedKStream<K, V> {
  /** @internal Made by `KGroupedStream.windowedBy`. */
  constructor(
    /** @internal */ readonly grouped: KGroupedStream<K, V>,
    /** @internal */ readonly windows: TimeWindows | SlidingWindows,
    /** @internal */ readonly strategy: EmitStrategy = EmitStrategy.onWindowUpdate(),
    /** @internal */ readonly closeOnIdleMs: number | undefined = undefined,
  ) {}

  /** Sets when results are forwarded: on every update (default) or once per window when it closes. */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new TypeError('emitStrategy: expected EmitStrategy.onWindowUpdate() or onWindowClose()');
    return new TimeWindowedKStream(this.grouped, this.windows, strategy, this.closeOnIdleMs);
  }

  /**
   * Opt-in (tributary extension): when the task's input is idle for `idleMs` of wall-clock time,
   * stream time advances by the idle wall-clock time, so `onWindowClose` (and a downstream
   * `suppress(untilWindowCloses)`) emit final results without new input. Off by default, as in Kafka.
   */
  closeOnIdle(idleMs: number): TimeWindowedKStream<K, V> {
    if (!Number.isSafeInteger(idleMs) || idleMs <= 0) throw new RangeError(`closeOnIdle: idle time must be whole milliseconds > 0, got ${idleMs}`);
    return new TimeWindowedKStream(this.grouped, this.windows, this.strategy, idleMs);
  }

  /** Records per key and window (values are longs). */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.#aggregate<number>(AGGREGATE_NAME, () => 0, (_k, _v, n) => n + 1, Serdes.long(), named, materialized);
  }

  /** Combines each window's values with `reducer(aggregate, value)`; the first value starts it. */
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const init = () => null as unknown as V;
    return this.#aggregate<V>(REDUCE_NAME, init, (_k, v, agg) => (agg === null || agg === undefined ? v : reducer(agg, v)), this.grouped.valueSerde, named, materialized);
  }

  /** Folds each window's values with `aggregator(key, value, aggregate)`, starting from `initializer()`. */
  aggregate<A>(initializer: Initializer<A>, aggregator: Aggregator<K, V, A>, named?: Named | Materialized<K, A>, materialized?: Materialized<K, A>): KTable<Windowed<K>, A> {
    return this.#aggregate<A>(AGGREGATE_NAME, initializer, aggregator, undefined, named, materialized);
  }

  #aggregate<A>(prefix: string, initializer: () => A, aggregator: (k: K, v: V, a: A) => A, valueSerde: Serde<A> | undefined,
    a: Named | Materialized<K, A> | undefined, b: Materialized<K, A> | undefined): KTable<Windowed<K>, A> {
    const { named, materialized } = splitNamedMaterialized(a, b);
    const w = this.windows;
    const sliding = w instanceof SlidingWindows;
    const size = sliding ? w.timeDifferenceMs : w.sizeMs;
    const retention = sliding ? 2 * size + w.graceMs : size + w.graceMs;
    const spec = (storeName: string, state: TableState): WindowAggregateSpec<K, V, A> => ({
      storeName, initializer, aggregator, emitStrategy: this.strategy, closeOnIdleMs: this.closeOnIdleMs,
      get sendOldValues() {
        return state.sendOldValues;
      },
    });
    return windowedAggregate<K, V, A>(this.grouped, {
      prefix, named, materialized, valueSerde, store: 'window', windowSizeMs: size,
      defaultRetentionMs: retention, minRetentionMs: retention, graceForSuppress: w.graceMs, closeOnIdleMs: this.closeOnIdleMs,
      emitOnClose: this.strategy.type === 'ON_WINDOW_CLOSE', resultKeySerde: (inner) => Serdes.windowed(inner, size),
    }, (storeName, state) => (sliding ? slidingWindowAggregateProcessor(w, spec(storeName, state)) : timeWindowAggregateProcessor(w, spec(storeName, state))));
  }
}
