import { Serdes } from '../src/serdes/serdes.js';
import type { Serde } from '../src/serdes/serde.js';
import type { Aggregator, Initializer, Reducer } from './functions.js';
import type { Grouped } from './grouped.js';
import { ProcessorGraphNode, StateStoreGraphNode, type GraphNode } from './internal/graph-nodes.js';
import type { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import { ChangeSerde } from './internal/change-serde.js';
import { noteGeneratedStore } from './internal/table-builders.js';
import { newKTable } from './internal/table-factory.js';
import { TableRepartitionGraphNode } from './internal/table-graph-nodes.js';
import { AggregateTableState } from './internal/table-state.js';
import { missingSerde, timestampedStoreBuilder } from './internal/timestamped-store.js';
import type { KTable } from './ktable.js';
import { Materialized } from './materialized.js';
import { Named } from './named.js';
import { KTABLE_AGGREGATE_NAME, KTABLE_REDUCE_NAME, ktableAggregateProcessor, type TableAggregation } from './operators/ktable-aggregate.js';
import { REPARTITION_TOPIC_SUFFIX, SOURCE_NAME } from './operators/repartition.js';
import { SINK_NAME } from './operators/to.js';

/**
 * A re-grouped table (Kafka Streams' `KGroupedTable`), from `KTable.groupBy`: aggregate it with an
 * *adder* (a row's value joins its group) and a *subtractor* (a row's old value leaves its group).
 * An update of a row that moves it from group A to group B subtracts it from A, then adds it to B;
 * one that keeps its group is subtracted and added in one step. Results go on with timestamp = the
 * max of the contributing records' timestamps. An aggregate that reaches its initial value (a
 * count of 0) stays in the table, as in Kafka.
 * @example
 * users.groupBy((_id, u) => KeyValue.pair(u.region, u), Grouped.with(Serdes.string(), userSerde))
 *   .count(Materialized.as('users-per-region'));
 */
export class KGroupedTable<K, V> {
  /** @internal Made by `KTable.groupBy`. */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    /** @internal The select node. */ readonly node: GraphNode,
    /** @internal */ readonly grouped: Grouped<K, V> | undefined,
  ) {}

  /** Rows per group (a `KTABLE-AGGREGATE-` node; the count of an emptied group is 0). */
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    const aggregation: TableAggregation<K, V, number> = { add: (_k, _v, n) => (n ?? 0) + 1, remove: (_k, _v, n) => n - 1 };
    return this.#aggregate(KTABLE_AGGREGATE_NAME, aggregation, Serdes.long(), named, materialized);
  }

  /** Aggregates with `initializer`, `adder(key, value, agg)` and `subtractor(key, oldValue, agg)`. */
  aggregate<A>(
    initializer: Initializer<A>,
    adder: Aggregator<K, V, A>,
    subtractor: Aggregator<K, V, A>,
    named?: Named | Materialized<K, A>,
    materialized?: Materialized<K, A>,
  ): KTable<K, A> {
    const aggregation: TableAggregation<K, V, A> = {
      add: (k, v, agg) => adder(k, v, agg ?? initializer()),
      remove: (k, v, agg) => subtractor(k, v, agg),
    };
    return this.#aggregate(KTABLE_AGGREGATE_NAME, aggregation, undefined, named, materialized);
  }

  /** Combines values with `adder(agg, value)` and `subtractor(agg, oldValue)`; a group's first value is its aggregate. */
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const aggregation: TableAggregation<K, V, V> = {
      add: (_k, v, agg) => (agg === null ? v : adder(agg, v)),
      remove: (_k, v, agg) => subtractor(agg, v),
    };
    return this.#aggregate(KTABLE_REDUCE_NAME, aggregation, this.grouped?.valueSerde, named, materialized);
  }

  #aggregate<A>(
    prefix: string,
    aggregation: TableAggregation<K, V, A>,
    valueSerde: Serde<A> | undefined,
    namedOrMaterialized: Named | Materialized<K, A> | undefined,
    materializedArg: Materialized<K, A> | undefined,
  ): KTable<K, A> {
    const materialized = namedOrMaterialized instanceof Materialized ? namedOrMaterialized : materializedArg;
    const named = namedOrMaterialized instanceof Named ? namedOrMaterialized : undefined;
    const b = this.builder;
    // Kafka's order: store name, sink, source, then the aggregate processor.
    const storeName = materialized?.storeName ?? b.newStoreName(prefix);
    const generatedSink = b.newProcessorName(SINK_NAME);
    const generatedSource = b.newProcessorName(SOURCE_NAME);
    const name = b.nameOf(named, prefix);
    const sinkName = named === undefined ? generatedSink : `${named.name}-sink`;
    const sourceName = named === undefined ? generatedSource : `${named.name}-source`;
    const topic = (this.grouped?.name ?? storeName) + REPARTITION_TOPIC_SUFFIX;
    if (this.grouped?.name === undefined && materialized?.storeName === undefined) b.addImplicitInternalName('repartition topic', topic);

    const keySerde = this.grouped?.keySerde;
    const changeSerde = new ChangeSerde(this.grouped?.valueSerde ?? missingSerde<V>(topic, 'value')) as Serde<unknown>;
    const repartition = b.addNode(
      new TableRepartitionGraphNode(this.node, sinkName, sourceName, topic,
        { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: changeSerde },
        { keySerde: keySerde as Serde<unknown> | undefined, valueSerde: changeSerde }, {}),
    );
    const store = timestampedStoreBuilder(materialized, storeName, keySerde, valueSerde);
    if (materialized?.storeName === undefined) noteGeneratedStore(b, storeName, store.loggingEnabled);
    b.addNode(new StateStoreGraphNode(store));
    const state = new AggregateTableState();
    const node = b.addNode(new ProcessorGraphNode(name, [repartition], ktableAggregateProcessor(storeName, aggregation, state) as never, [storeName]));
    return newKTable<K, A>({
      builder: b, node, keySerde: materialized?.keySerde ?? keySerde, valueSerde: materialized?.valueSerde ?? valueSerde,
      state, queryableStoreName: materialized?.storeName,
    });
  }
}
