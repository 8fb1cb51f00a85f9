import { Serdes } from '../src/serdes/serdes.js';
import type { Serde } from '../src/serdes/serde.js';
import { CogroupedKStream } from './cogrouped-kstream.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { Grouped } from './grouped.js';
import { ProcessorGraphNode, StateStoreGraphNode } from './internal/graph-nodes.js';
import { noteGeneratedStore } from './internal/table-builders.js';
import { newKTable } from './internal/table-factory.js';
import { AggregateTableState } from './internal/table-state.js';
import { timestampedStoreBuilder } from './internal/timestamped-store.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import { Materialized } from './materialized.js';
import { Named } from './named.js';
import { AGGREGATE_NAME, REDUCE_NAME, streamAggregateProcessor, type AggregationStep } from './operators/stream-aggregate.js';
import type { SessionWindowedKStream } from './session-windowed-kstream.js';
import type { TimeWindowedKStream } from './time-windowed-kstream.js';
import { windowedBy } from './windowed-by.js';
import type { SessionWindows } from './windows/session-windows.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';

/**
 * A grouped stream (Kafka Streams' `KGroupedStream`), from `KStream.groupByKey` / `groupBy`: fold
 * each key's records into a `KTable` with `count`, `reduce` or `aggregate`, or window first with
 * `windowedBy`. Records with a null key or a null value are dropped (and counted in the task's
 * `dropped-records`). If a key-changing operation came before the grouping, the first aggregation
 * routes the stream through `<applicationId>-<name>-repartition` (`name`: the `Grouped` name, else
 * the store name). Results carry the max timestamp of the records folded into them.
 * @example
 * builder.stream('words', Consumed.with(Serdes.string(), Serdes.string()))
 *   .groupBy((_k, word) => word, Grouped.with(Serdes.string(), Serdes.string()))
 *   .count(Materialized.as('word-counts'));
 */
export class KGroupedStream<K, V> {
  /** @internal Made by `KStream.groupByKey` / `groupBy`. */
  constructor(
    /** @internal The stream being grouped (repartitioned lazily, by the aggregation). */ readonly stream: KStream<K, V>,
    /** @internal */ readonly grouped: Grouped<K, V> | undefined,
  ) {}

  /** @internal Key serde of the grouping (Grouped's, else the stream's). */
  get keySerde(): Serde<K> | undefined {
    return this.grouped?.keySerde ?? this.stream.keySerde;
  }

  /** @internal Value serde of the grouping (Grouped's, else the stream's). */
  get valueSerde(): Serde<V> | undefined {
    return this.grouped?.valueSerde ?? this.stream.valueSerde;
  }

  /** Records per key (a `KSTREAM-AGGREGATE-` node over a store of longs). */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    return this.#aggregate<number>(AGGREGATE_NAME, (_k, _v, n) => (n ?? 0) + 1, Serdes.long(), named, materialized);
  }

  /** Combines each key's values with `reducer(aggregate, value)`; a key's first value is its aggregate. */
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#aggregate<V>(REDUCE_NAME, (_k, v, agg) => (agg === null ? v : reducer(agg, v)), this.valueSerde, named, materialized);
  }

  /** Folds each key's values with `aggregator(key, value, aggregate)`, starting from `initializer()`. */
  aggregate<A>(
    initializer: Initializer<A>,
    aggregator: Aggregator<K, V, A>,
    named?: Named | Materialized<K, A>,
    materialized?: Materialized<K, A>,
  ): KTable<K, A> {
    return this.#aggregate<A>(AGGREGATE_NAME, (k, v, agg) => aggregator(k, v, agg ?? initializer()), undefined, named, materialized);
  }

  /**
   * Starts a co-aggregation: several grouped streams folded into one aggregate per key, each with
   * its own aggregator (`CogroupedKStream.cogroup(...).aggregate(initializer)`).
   */
  cogroup<A>(aggregator: Aggregator<K, V, A>): CogroupedKStream<K, A> {
    return new CogroupedKStream<K, A>(this.stream.builder).cogroup(this, aggregator);
  }

  /**
   * Windows the grouped stream for windowed aggregations: `TimeWindows` / `SlidingWindows` give a
   * `TimeWindowedKStream`, `SessionWindows` a `SessionWindowedKStream` (see `dsl/windowed-by.ts`).
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windowedBy(this, windows);
  }

  /**
   * @internal The stream to aggregate: repartitioned through `<Grouped name, else storeName>-repartition`
   * if a key-changing operation came before. Used by the aggregations here and by windowed ones.
   */
  repartitionedFor(storeName: string, storeNamedByUser: boolean): KStream<K, V> {
    const name = this.grouped?.name ?? storeName;
    return this.stream.repartitionIfRequired(name, {
      keySerde: this.grouped?.keySerde,
      valueSerde: this.grouped?.valueSerde,
      userNamed: this.grouped?.name !== undefined || storeNamedByUser,
    });
  }

  #aggregate<A>(
    prefix: string,
    step: AggregationStep<K, V, A>,
    valueSerde: Serde<A> | undefined,
    namedOrMaterialized: Named | Materialized<K, A> | undefined,
    materializedArg: Materialized<K, A> | undefined,
  ): KTable<K, A> {
    const materialized = namedOrMaterialized instanceof Materialized ? namedOrMaterialized : materializedArg;
    const named = namedOrMaterialized instanceof Named ? namedOrMaterialized : undefined;
    if (namedOrMaterialized !== undefined && materialized === undefined && named === undefined) {
      throw new TypeError('expected a Named or a Materialized');
    }
    const b = this.stream.builder;
    // Kafka's order: the store name, the processor name, then the repartition (if required).
    const storeName = materialized?.storeName ?? b.newStoreName(prefix);
    const name = b.nameOf(named, prefix);
    const source = this.repartitionedFor(storeName, materialized?.storeName !== undefined);
    const store = timestampedStoreBuilder(materialized, storeName, this.keySerde, valueSerde);
    if (materialized?.storeName === undefined) noteGeneratedStore(b, storeName, store.loggingEnabled);
    b.addNode(new StateStoreGraphNode(store));
    const state = new AggregateTableState();
    const node = b.addNode(new ProcessorGraphNode(name, [source.node], streamAggregateProcessor(storeName, step, state) as never, [storeName]));
    return newKTable<K, A>({
      builder: b, node, keySerde: materialized?.keySerde ?? this.keySerde, valueSerde: materialized?.valueSerde ?? valueSerde,
      state, queryableStoreName: materialized?.storeName,
    });
  }
}
