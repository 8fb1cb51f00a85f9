import type { Serde } from '../../src/serdes/serde.js';
import type { Consumed } from '../consumed.js';
import { GlobalKTable } from '../global-ktable.js';
import type { Materialized } from '../materialized.js';
import { ktableSourceProcessor, KTABLE_SOURCE_NAME } from '../operators/ktable-source.js';
import { SOURCE_NAME } from '../operators/repartition.js';
import { GlobalTableGraphNode } from './global-table-node.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import { SourceTableState } from './table-state.js';
import { timestampedStoreBuilder } from './timestamped-store.js';

/**
 * `builder.globalTable(topic, consumed, materialized)` as Kafka builds it: the store name first
 * (generated `<topic>-STATE-STORE-<n>` unless `materialized` names one), then the source
 * (`KSTREAM-SOURCE-`, or `<name>-table-source` when `consumed` is named) and the `KTABLE-SOURCE-`
 * processor (or the `consumed` name). The store keeps `ValueAndTimestamp`s like every DSL table
 * store, with logging forced off (the topic is its changelog, as Kafka forces) and caching off (a
 * cache folds updates for downstream processors, and a global store has none; reads are the same).
 * @example
 * const table = globalTable(internal, 'products', Consumed.with(Serdes.string(), Serdes.json()), undefined);
 */
export function globalTable<K, V>(
  builder: InternalStreamsBuilder,
  topic: string,
  consumed: Consumed<K, V> | undefined,
  materialized: Materialized<K, V> | undefined,
): GlobalKTable<K, V> {
  const queryable = materialized?.storeName;
  const storeName = queryable ?? builder.newStoreName(`${topic}-`);
  const generatedSource = builder.newProcessorName(SOURCE_NAME);
  const generatedProcessor = builder.newProcessorName(KTABLE_SOURCE_NAME);
  const named = consumed?.name;
  const sourceName = named === undefined ? generatedSource : `${named}-table-source`;
  const processorName = named ?? generatedProcessor;
  const keySerde = materialized?.keySerde ?? consumed?.keySerde;
  const valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
  const store = timestampedStoreBuilder(materialized, storeName, keySerde, valueSerde).withLoggingDisabled().withCachingDisabled();
  if (queryable === undefined) builder.addImplicitInternalName('state store', storeName);
  // Always materialized; old values are never needed (nothing reads the table's updates).
  const state = new SourceTableState(true, () => undefined);
  builder.addNode(
    new GlobalTableGraphNode(
      sourceName,
      processorName,
      topic,
      {
        keySerde: consumed?.keySerde as Serde<unknown> | undefined,
        valueSerde: consumed?.valueSerde as Serde<unknown> | undefined,
        timestampExtractor: consumed?.timestampExtractor,
      },
      ktableSourceProcessor(storeName, state) as never,
      store,
    ),
  );
  return new GlobalKTable<K, V>(builder, storeName, queryable, keySerde, valueSerde);
}
