import type { Windowed } from '../src/core/windowed.js';
import { Serdes } from '../src/serdes/serdes.js';
import type { Serde } from '../src/serdes/serde.js';
import { EmitStrategy } from './emit-strategy.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import { sessionWindowAggregateProcessor } from './internal/session-window-aggregate-processor.js';
import type { TableState } from './internal/table-state.js';
import { splitNamedMaterialized, windowedAggregate } from './internal/windowed-aggregate-builder.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import type { Named } from './named.js';
import type { SessionWindows } from './windows/session-windows.js';

/**
 * Merges the aggregates of two sessions of one key when a record bridges them.
 * @example
 * const merger: Merger<string, number> = (_key, a, b) => a + b;
 */
export type Merger<K, A> = (key: K, aggOne: A, aggTwo: A) => A;

/**
 * A grouped stream windowed by `SessionWindows` (Kafka's `SessionWindowedKStream`). `count`,
 * `reduce` and `aggregate` keep one aggregate per key and session in a session store; when a record
 * bridges sessions they merge (tombstones are forwarded for the merged-away sessions). Updates carry
 * the session end as timestamp. Records with a null key, or whose session would end before
 * `streamTime - grace - gap`, are dropped and counted.
 * @example
 * builder.stream('clicks').groupByKey()
 *   .windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 30_000))
 *   .count()
 *   .toStream()
 *   .to('sessions', Produced.with(Serdes.sessionWindowed(Serdes.string()), Serdes.long()));
 */
export class SessionWindowedKStream<K, V> {
  /** @internal Made by `KGroupedStream.windowedBy`. */
  constructor(
    /** @internal */ readonly grouped: KGroupedStream<K, V>,
    /** @internal */ readonly windows: SessionWindows,
    /** @internal */ readonly strategy: EmitStrategy = EmitStrategy.onWindowUpdate(),
    /** @internal */ readonly closeOnIdleMs: number | undefined = undefined,
  ) {}

  /** Sets when results are forwarded: on every update (default) or once per session when it closes. */
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    if (!(strategy instanceof EmitStrategy)) throw new TypeError('emitStrategy: expected EmitStrategy.onWindowUpdate() or onWindowClose()');
    return new SessionWindowedKStream(this.grouped, this.windows, strategy, this.closeOnIdleMs);
  }

  /** Opt-in idle close (see `TimeWindowedKStream.closeOnIdle`). */
  closeOnIdle(idleMs: number): SessionWindowedKStream<K, V> {
    if (!Number.isSafeInteger(idleMs) || idleMs <= 0) throw new RangeError(`closeOnIdle: idle time must be whole milliseconds > 0, got ${idleMs}`);
    return new SessionWindowedKStream(this.grouped, this.windows, this.strategy, idleMs);
  }

  /** Records per key and session (longs). */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.#aggregate<number>('KSTREAM-AGGREGATE-', () => 0, (_k, _v, n) => n + 1, (_k, a, b) => a + b, Serdes.long(), named, materialized);
  }

  /** Combines each session's values with `reducer(aggregate, value)`; merged sessions are reduced too. */
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const step = (agg: V | null, v: V): V => (agg === null || agg === undefined ? v : reducer(agg, v));
    return this.#aggregate<V>('KSTREAM-REDUCE-', () => null as unknown as V, (_k, v, agg) => step(agg, v), (_k, a, b) => step(a, b), this.grouped.valueSerde, named, materialized);
  }

  /** Folds each session's values with `aggregator`, starting from `initializer()`; `merger` joins sessions. */
  aggregate<A>(initializer: Initializer<A>, aggregator: Aggregator<K, V, A>, merger: Merger<K, A>,
    named?: Named | Materialized<K, A>, materialized?: Materialized<K, A>): KTable<Windowed<K>, A> {
    if (typeof merger !== 'function') throw new TypeError('SessionWindowedKStream.aggregate: a merger (key, aggOne, aggTwo) => agg is required');
    return this.#aggregate<A>('KSTREAM-AGGREGATE-', initializer, aggregator, merger, undefined, named, materialized);
  }

  #aggregate<A>(prefix: string, initializer: () => A, aggregator: (k: K, v: V, a: A) => A, merger: Merger<K, A>, valueSerde: Serde<A> | undefined,
    a: Named | Materialized<K, A> | undefined, b: Materialized<K, A> | undefined): KTable<Windowed<K>, A> {
    const { named, materialized } = splitNamedMaterialized(a, b);
    const w = this.windows;
    const retention = w.inactivityGapMs + w.graceMs;
    return windowedAggregate<K, V, A>(this.grouped, {
      prefix, named, materialized, valueSerde, store: 'session', windowSizeMs: 0,
      defaultRetentionMs: retention, minRetentionMs: retention, graceForSuppress: w.graceMs + w.inactivityGapMs, closeOnIdleMs: this.closeOnIdleMs,
      emitOnClose: this.strategy.type === 'ON_WINDOW_CLOSE', resultKeySerde: (inner) => Serdes.sessionWindowed(inner),
    }, (storeName: string, state: TableState) => sessionWindowAggregateProcessor(w, {
      storeName, initializer, aggregator, merger, emitStrategy: this.strategy, closeOnIdleMs: this.closeOnIdleMs,
      get sendOldValues() {
        return state.sendOldValues;
      },
    }));
  }
}
