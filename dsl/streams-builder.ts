import type { StoreBuilder } from '../state/store-builder.js';
import type { Topology } from '../src/processor/topology.js';
import type { Serde } from '../src/serdes/serde.js';
import type { Consumed } from './consumed.js';
import type { Materialized } from './materialized.js';
import { sourceTable } from './internal/table-builders.js';
import { globalTable } from './internal/global-table-builder.js';
import type { GlobalKTable } from './global-ktable.js';
import { KTable } from './ktable.js';
import { SourceGraphNode, StateStoreGraphNode } from './internal/graph-nodes.js';
import { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import { KStream } from './kstream.js';
import { Named } from './named.js';
import { SOURCE_NAME } from './operators/repartition.js';

/**
 * Options of `StreamsBuilder.build()`.
 * @example
 * builder.build({ ensureExplicitInternalNaming: true });
 */
export interface BuildConfig {
  /**
   * Fail the build if any repartition topic, state store or changelog topic has a generated name
   * (Kafka's `ensure.explicit.internal.resource.naming`): generated names shift when the topology
   * changes, which orphans state and repartition data on upgrade.
   */
  readonly ensureExplicitInternalNaming?: boolean;
}

/**
 * The entry point of the DSL (Kafka Streams' `StreamsBuilder`): declare input streams, chain
 * operations, then `build()` the `Topology` to run with `KafkaStreams` or `TopologyTestDriver`.
 *
 * One builder has one name counter: generated node names (`KSTREAM-FILTER-0000000001`, …) follow
 * the order in which operations were declared, exactly as in Kafka, so `describe()` output matches.
 *
 * It offers streams, tables, global tables, `addStateStore` for the Processor API, and `build()`.
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream('input', Consumed.with(Serdes.string(), Serdes.string()))
 *   .filter((k, v) => v.length > 0)
 *   .to('output');
 * const topology = builder.build();
 */
export class StreamsBuilder {
  readonly #internal = new InternalStreamsBuilder();

  /** A stream of the records of `topics` (one topic or several, read by one source node). */
  stream<K, V>(topics: string | readonly string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new TypeError('stream: at least one topic is required');
    for (const t of list) Named.validate(t);
    const name = this.#internal.nameOf(consumed?.name, SOURCE_NAME);
    const node = this.#internal.addNode(
      new SourceGraphNode(name, list, {
        keySerde: consumed?.keySerde as Serde<unknown> | undefined,
        valueSerde: consumed?.valueSerde as Serde<unknown> | undefined,
        timestampExtractor: consumed?.timestampExtractor,
      }),
    );
    return new KStream<K, V>(this.#internal, node, consumed?.keySerde, consumed?.valueSerde, false);
  }

  /**
   * The topic as a table (Kafka's `builder.table`): each record an upsert of its key's row, a null
   * value deletes it, a null key is dropped. Materialized — and queryable by name — when
   * `materialized` names a store; otherwise a store is added only if a downstream needs one.
   */
  table<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    Named.validate(topic);
    return new KTable<K, V>(sourceTable(this.#internal, topic, consumed, materialized));
  }

  /**
   * The topic as a global table (Kafka's `builder.globalTable`), replicated in full on every
   * instance: all partitions are read into one store per instance, bootstrapped to the topic's end
   * before processing starts and updated in the background. Only joinable from a stream
   * (`KStream.join/leftJoin(globalTable, keySelector, joiner)`), with no repartition. The store is
   * named by `materialized` (queryable) or generated as `<topic>-STATE-STORE-<n>`; it is never
   * changelogged (the topic is its changelog). A missing topic fails `start()` with a `TopologyError`.
   * @example
   * const products = builder.globalTable('products', Consumed.with(Serdes.string(), Serdes.json<Product>()), Materialized.as('products'));
   */
  globalTable<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    Named.validate(topic);
    return globalTable(this.#internal, topic, consumed, materialized);
  }

  /** Adds a state store that `KStream.process(supplier, storeName)` can connect to. */
  addStateStore(storeBuilder: StoreBuilder): this {
    this.#internal.addNode(new StateStoreGraphNode(storeBuilder));
    return this;
  }

  /**
   * Writes the declared graph to a new `Topology`. With `ensureExplicitInternalNaming`, fails with a
   * `TopologyError` listing every repartition topic, store and changelog whose name was generated.
   */
  build(config?: BuildConfig): Topology {
    return this.#internal.build(config);
  }
}
