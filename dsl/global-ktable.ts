import type { Serde } from '../src/serdes/serde.js';
import type { InternalStreamsBuilder } from './internal/internal-streams-builder.js';

/**
 * A table replicated in full on every application instance (Kafka Streams' `GlobalKTable`), made by
 * `StreamsBuilder.globalTable(topic)`. Every instance reads *all* partitions of the topic into its
 * own copy of the table's store, so a stream can join it on any key it derives from a record —
 * without co-partitioning and without a repartition (`KStream.join(globalTable, keySelector, joiner)`).
 *
 * Semantics, as in Kafka:
 * - each record of the topic is an upsert of its key's row; a null value (tombstone) deletes the
 *   row; a record with a null key is dropped;
 * - the store is always materialized and not changelogged — the topic is its changelog — and it is
 *   read to the topic's end offsets before the application processes anything, then kept up to date
 *   in the background; table updates never trigger join output;
 * - the store is read-only to processors; it is queryable by name (interactive queries, the test
 *   driver's `getKeyValueStore`), `queryableStoreName` when `Materialized.as(name)` named it.
 *
 * @example
 * const products = builder.globalTable('products', Consumed.with(Serdes.string(), Serdes.json<Product>()), Materialized.as('products'));
 * orders.join(products, (_orderId, order) => order.productId, (order, product) => ({ ...order, price: product.price }))
 *   .to('priced-orders');
 */
export class GlobalKTable<K, V> {
  /** @internal Global tables are made by `StreamsBuilder.globalTable`, not constructed. */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    /** @internal The name of the (always materialized) store. */
    readonly storeName: string,
    /** The name of the store to query this table by, when `Materialized.as(name)` named it. */
    readonly queryableStoreName: string | undefined,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
  ) {}
}
