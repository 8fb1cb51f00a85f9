import type { Serde } from '../src/serdes/serde.js';
import type { Aggregator, Initializer } from './functions.js';
import { ProcessorGraphNode, StateStoreGraphNode, type GraphNode } from './internal/graph-nodes.js';
import type { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import { passThroughProcessor } from './internal/pass-through.js';
import { noteGeneratedStore } from './internal/table-builders.js';
import { newKTable } from './internal/table-factory.js';
import { AggregateTableState } from './internal/table-state.js';
import { timestampedStoreBuilder } from './internal/timestamped-store.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import { Materialized } from './materialized.js';
import { Named } from './named.js';
import { streamAggregateProcessor } from './operators/stream-aggregate.js';

/** Node name prefix of a co-aggregation's per-stream aggregators. @example builder.newProcessorName(COGROUP_AGGREGATE_NAME); */
export const COGROUP_AGGREGATE_NAME = 'COGROUPKSTREAM-AGGREGATE-';
/** Node name prefix of the node merging a co-aggregation's results. @example builder.newProcessorName(COGROUP_MERGE_NAME); */
export const COGROUP_MERGE_NAME = 'COGROUPKSTREAM-MERGE-';

interface CogroupEntry<K, A> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: Aggregator<K, unknown, A>;
}

/**
 * Several grouped streams folded into one aggregate per key (Kafka Streams' `CogroupedKStream`),
 * from `KGroupedStream.cogroup(aggregator)`: each stream has its own aggregator, all share one
 * store, and every update goes on in one `KTable`. Immutable: `cogroup` returns a new object.
 * @example
 * const totals = clicks.groupByKey().cogroup<number>((_k, _c, agg) => agg + 1)
 *   .cogroup(purchases.groupByKey(), (_k, p, agg) => agg + p.amount)
 *   .aggregate(() => 0, Materialized.as('activity'));
 */
export class CogroupedKStream<K, A> {
  /** @internal Made by `KGroupedStream.cogroup`. */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    private readonly entries: readonly CogroupEntry<K, A>[] = [],
  ) {}

  /** Adds another grouped stream (same key type) with its own aggregator. Adding one twice is an error. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, A>): CogroupedKStream<K, A> {
    if (grouped.stream.builder !== this.builder) throw new TypeError('cogroup: every grouped stream must come from the same StreamsBuilder');
    if (this.entries.some((e) => e.grouped === grouped)) throw new TypeError('cogroup: this grouped stream is already part of the co-aggregation');
    const entry = { grouped: grouped as KGroupedStream<K, unknown>, aggregator: aggregator as Aggregator<K, unknown, A> };
    return new CogroupedKStream<K, A>(this.builder, [...this.entries, entry]);
  }

  /**
   * The co-aggregation: each key starts from `initializer()`; a record of stream i is folded in
   * with aggregator i. Nodes: `COGROUPKSTREAM-AGGREGATE-` per stream, then `COGROUPKSTREAM-MERGE-`.
   */
  aggregate(initializer: Initializer<A>, named?: Named | Materialized<K, A>, materializedArg?: Materialized<K, A>): KTable<K, A> {
    const materialized = named instanceof Materialized ? named : materializedArg;
    const name = named instanceof Named ? named : undefined;
    const b = this.builder;
    const storeName = materialized?.storeName ?? b.newStoreName(COGROUP_AGGREGATE_NAME);
    const keySerde = materialized?.keySerde ?? this.entries[0]!.grouped.keySerde;
    const store = timestampedStoreBuilder(materialized, storeName, keySerde, undefined as Serde<A> | undefined);
    if (materialized?.storeName === undefined) noteGeneratedStore(b, storeName, store.loggingEnabled);
    b.addNode(new StateStoreGraphNode(store));
    const state = new AggregateTableState();
    const parents: GraphNode[] = [];
    this.entries.forEach((entry, i) => {
      // Two unnamed groupings that both need a repartition must not share a topic name.
      const base = i === 0 || entry.grouped.grouped?.name !== undefined ? storeName : `${storeName}-${i}`;
      const source = entry.grouped.repartitionedFor(base, materialized?.storeName !== undefined);
      const generated = b.newProcessorName(COGROUP_AGGREGATE_NAME);
      const aggName = name === undefined ? generated : `${name.name}-cogroup-agg-${i}`;
      const step = (k: K, v: unknown, agg: A | null) => entry.aggregator(k, v, agg ?? initializer());
      parents.push(b.addNode(new ProcessorGraphNode(aggName, [source.node], streamAggregateProcessor(storeName, step, state) as never, [storeName])));
    });
    const generatedMerge = b.newProcessorName(COGROUP_MERGE_NAME);
    const mergeName = name === undefined ? generatedMerge : `${name.name}-cogroup-merge`;
    const node = b.addNode(new ProcessorGraphNode(mergeName, parents, passThroughProcessor() as never));
    return newKTable<K, A>({
      builder: b, node, keySerde, valueSerde: materialized?.valueSerde, state, queryableStoreName: materialized?.storeName,
    });
  }
}
