import type { Serde } from '../../src/serdes/serde.js';
import type { Consumed } from '../consumed.js';
import type { Materialized } from '../materialized.js';
import { ktableSourceProcessor, KTABLE_SOURCE_NAME } from '../operators/ktable-source.js';
import { SOURCE_NAME } from '../operators/repartition.js';
import { SourceGraphNode, type GraphNode } from './graph-nodes.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import type { KTableParts } from './table-factory.js';
import { TableProcessorGraphNode } from './table-graph-nodes.js';
import { SourceTableState } from './table-state.js';
import { timestampedStoreBuilder } from './timestamped-store.js';

/**
 * Records a generated store name (and its changelog) for `ensureExplicitInternalNaming`.
 * @example
 * noteGeneratedStore(internal, 'KSTREAM-AGGREGATE-STATE-STORE-0000000002', true);
 */
export function noteGeneratedStore(builder: InternalStreamsBuilder, storeName: string, logged: boolean): void {
  builder.addImplicitInternalName('state store', storeName);
  if (logged) builder.addImplicitInternalName('changelog topic', `${storeName}-changelog`);
}

/**
 * The KTableSource processor node (with its store when materialized) after `parent`; shared by
 * `builder.table` and `KStream.toTable`. Materialized when `materialized` names a store, or later
 * when a downstream forces it; the store name is `materialized`'s or `generatedStoreName`.
 * @example
 * const parts = tableSourceNode(internal, name, sourceNode, storeName, materialized, keySerde, valueSerde);
 */
export function tableSourceNode<K, V>(
  builder: InternalStreamsBuilder,
  name: string,
  parent: GraphNode,
  generatedStoreName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KTableParts<K, V> {
  const queryable = materialized?.storeName;
  const storeName = queryable ?? generatedStoreName;
  const store = () => timestampedStoreBuilder(materialized, storeName, keySerde, valueSerde);
  const state = new SourceTableState(queryable !== undefined, () => noteGeneratedStore(builder, storeName, store().loggingEnabled));
  const node = builder.addNode(
    new TableProcessorGraphNode(name, [parent], ktableSourceProcessor(storeName, state) as never, () => (state.materialized ? store() : undefined)),
  );
  const ks = materialized?.keySerde ?? keySerde;
  const vs = materialized?.valueSerde ?? valueSerde;
  return { builder, node, keySerde: ks, valueSerde: vs, state, queryableStoreName: queryable };
}

/**
 * `builder.table(topic, consumed, materialized)` as Kafka builds it: a store name (generated
 * `<topic>-STATE-STORE-<n>` unless `materialized` names one), a `KSTREAM-SOURCE-` node, then a
 * `KTABLE-SOURCE-` node (`<name>-table-source` when `consumed` is named).
 * @example
 * const parts = sourceTable(internal, 'users', Consumed.with(Serdes.string(), Serdes.json()), undefined);
 */
export function sourceTable<K, V>(
  builder: InternalStreamsBuilder,
  topic: string,
  consumed: Consumed<K, V> | undefined,
  materialized: Materialized<K, V> | undefined,
): KTableParts<K, V> {
  const generatedStoreName = materialized?.storeName ?? builder.newStoreName(`${topic}-`);
  const sourceName = builder.nameOf(consumed?.name, SOURCE_NAME);
  const generatedTableName = builder.newProcessorName(KTABLE_SOURCE_NAME);
  const tableName = consumed?.name === undefined ? generatedTableName : `${consumed.name}-table-source`;
  const keySerde = consumed?.keySerde;
  const valueSerde = consumed?.valueSerde;
  const source = builder.addNode(
    new SourceGraphNode(sourceName, [topic], {
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      timestampExtractor: consumed?.timestampExtractor,
    }),
  );
  return tableSourceNode(builder, tableName, source, generatedStoreName, materialized, keySerde, valueSerde);
}
