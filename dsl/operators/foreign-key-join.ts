import { ValueAndTimestampSerde } from '../../src/processor/value-and-timestamp.js';
import type { StreamPartitioner } from '../../src/processor/node-options.js';
import type { Serde } from '../../src/serdes/serde.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import type { ValueJoiner } from '../functions.js';
import { CombinedKeySchema } from '../internal/fk-combined-key.js';
import { foreignTableJoinProcessor } from '../internal/fk-foreign-table-processor.js';
import { InternalTopicSinkGraphNode } from '../internal/fk-graph-nodes.js';
import { responseResolverProcessor } from '../internal/fk-response-resolver-processor.js';
import type { ForeignKeyExtractor } from '../functions.js';
import { subscriptionSendProcessor } from '../internal/fk-subscription-send-processor.js';
import { subscriptionJoinProcessor, subscriptionReceiveProcessor } from '../internal/fk-subscription-processors.js';
import { fkJoinSerde } from '../internal/fk-join-serde.js';
import { SubscriptionResponseWrapperSerde, SubscriptionWrapperSerde, type SubscriptionResponseWrapper } from '../internal/fk-wrappers.js';
import { ProcessorGraphNode, SourceGraphNode, StateStoreGraphNode } from '../internal/graph-nodes.js';
import { joinableTableStore } from '../internal/joinable-table.js';
import { noteGeneratedStore, tableSourceNode } from '../internal/table-builders.js';
import type { KTableParts } from '../internal/table-factory.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { TableJoined } from '../table-joined.js';

/** Name prefixes of a foreign-key join's nodes, store and topics, as Kafka's `KTableImpl`. @example builder.newProcessorName(FK_JOIN_OUTPUT_NAME); // 'KTABLE-FK-JOIN-OUTPUT-0000000018' */
export const FK_JOIN_OUTPUT_NAME = 'KTABLE-FK-JOIN-OUTPUT-';
/** @see FK_JOIN_OUTPUT_NAME @example builder.newProcessorName(FK_SUBSCRIPTION_REGISTRATION_NAME); */
export const FK_SUBSCRIPTION_REGISTRATION_NAME = 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-';
/** @see FK_JOIN_OUTPUT_NAME @example builder.newProcessorName(FK_SUBSCRIPTION_RESPONSE_NAME); */
export const FK_SUBSCRIPTION_RESPONSE_NAME = 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-';
/** @see FK_JOIN_OUTPUT_NAME @example builder.newProcessorName(FK_SUBSCRIPTION_PROCESSOR_NAME); */
export const FK_SUBSCRIPTION_PROCESSOR_NAME = 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-';
/** @see FK_JOIN_OUTPUT_NAME @example builder.newProcessorName(FK_RESPONSE_RESOLVER_NAME); */
export const FK_RESPONSE_RESOLVER_NAME = 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-';
/** @see FK_JOIN_OUTPUT_NAME @example builder.newProcessorName(FK_SUBSCRIPTION_STORE_NAME); // 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010' */
export const FK_SUBSCRIPTION_STORE_NAME = 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-';
const SINK_NAME = 'KTABLE-SINK-';
const SOURCE_NAME = 'KTABLE-SOURCE-';
const TOPIC_SUFFIX = '-topic';

/**
 * The parts of the table `KTable.join/leftJoin(other, foreignKeyExtractor, joiner, tableJoined?,
 * materialized?)` makes, laid out as Kafka's `KTableImpl.doJoinOnForeignKey` (same names, same
 * counter order, `<name>-…` when named):
 *
 * 1. left sub-topology: `…-SUBSCRIPTION-REGISTRATION-` sends each left update (with its old value) as
 *    subscriptions keyed by foreign key to the internal topic `…-SUBSCRIPTION-REGISTRATION-<n>-topic`;
 * 2. right sub-topology (co-partitioned with the right table, whatever the left has): the receive
 *    processor keeps them in `KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-<n>` (keyed foreign key + left
 *    key, prefix-scannable), the join-foreign processor answers each from the right table's store,
 *    and the foreign-join-subscription processor answers every subscriber of an updated right row;
 *    answers go keyed by left key to `…-SUBSCRIPTION-RESPONSE-<n>-topic`, to the left row's partition;
 * 3. left sub-topology again: the resolver drops stale answers (hash of the left value) and joins,
 *    and `KTABLE-FK-JOIN-OUTPUT-<n>` is the result table (a `KTableSource`, materialized when
 *    `materialized` names a store or a downstream needs it).
 * @example
 * const parts = foreignKeyJoinParts(orders, customers, (o) => o.customerId, (o, c) => ({ o, c }), undefined, undefined, false);
 */
export function foreignKeyJoinParts<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  extractor: ForeignKeyExtractor<K, V, KO>,
  joiner: ValueJoiner<V, VO, VR, K> | ValueJoiner<V, VO | null, VR, K>,
  tableJoined: TableJoined<K, KO> | undefined,
  materialized: Materialized<K, VR> | undefined,
  leftJoin: boolean,
): KTableParts<K, VR> {
  if (right.builder !== left.builder) throw new TypeError('join: both tables must come from the same StreamsBuilder');
  if (typeof extractor !== 'function') throw new TypeError('join: foreignKeyExtractor must be a function');
  if (typeof joiner !== 'function') throw new TypeError('join: joiner must be a function');
  const b = left.builder;
  right.state.enableSendingOldValues(true);
  left.state.enableSendingOldValues(true);
  const base = tableJoined?.name;
  const nameOf = (suffix: string, prefix: string) => b.nameOf(base === undefined ? undefined : `${base}${suffix}`, prefix);
  const rightStore = joinableTableStore(right as KTable<unknown, unknown>);
  const leftStore = joinableTableStore(left as KTable<unknown, unknown>);

  const registrationTopic = nameOf('-subscription-registration', FK_SUBSCRIPTION_REGISTRATION_NAME) + TOPIC_SUFFIX;
  const sendName = nameOf('-subscription-registration-processor', FK_SUBSCRIPTION_REGISTRATION_NAME);
  const registrationSinkName = nameOf('-subscription-registration-sink', SINK_NAME);
  const registrationSourceName = nameOf('-subscription-registration-source', SOURCE_NAME);
  const storeName = nameOf('-subscription-store', FK_SUBSCRIPTION_STORE_NAME);
  const receiveName = nameOf('-subscription-receive', FK_SUBSCRIPTION_PROCESSOR_NAME);
  const joinForeignName = nameOf('-subscription-join-foreign', FK_SUBSCRIPTION_PROCESSOR_NAME);
  const foreignJoinName = nameOf('-foreign-join-subscription', FK_SUBSCRIPTION_PROCESSOR_NAME);
  const responseTopic = nameOf('-subscription-response', FK_SUBSCRIPTION_RESPONSE_NAME) + TOPIC_SUFFIX;
  const responseSinkName = nameOf('-subscription-response-sink', SINK_NAME);
  const responseSourceName = nameOf('-subscription-response-source', SOURCE_NAME);
  const resolverName = nameOf('-subscription-response-resolver', FK_RESPONSE_RESOLVER_NAME);
  const resultName = nameOf('-result', FK_JOIN_OUTPUT_NAME);
  const resultStoreName = materialized?.storeName ?? b.newStoreName(FK_JOIN_OUTPUT_NAME);

  const primaryKeySerde = fkJoinSerde(left.keySerde, resultName, 'left table key');
  const leftValueSerde = fkJoinSerde(left.valueSerde, resultName, 'left table value');
  const foreignKeySerde = fkJoinSerde(right.keySerde, resultName, 'right table key');
  const foreignValueSerde = fkJoinSerde(right.valueSerde, resultName, 'right table value');
  const subscriptionSerde = new SubscriptionWrapperSerde(primaryKeySerde);
  const responseSerde = new SubscriptionResponseWrapperSerde(foreignValueSerde);
  const schema = new CombinedKeySchema(foreignKeySerde, primaryKeySerde, registrationTopic);
  const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.bytes(), new ValueAndTimestampSerde(subscriptionSerde));
  if (base === undefined) {
    b.addImplicitInternalName('repartition topic', registrationTopic);
    b.addImplicitInternalName('repartition topic', responseTopic);
    noteGeneratedStore(b, storeName, store.loggingEnabled);
  }
  const asAny = <T>(x: T) => x as never;

  // Step 1: subscriptions out of the left table.
  const send = b.addNode(
    new ProcessorGraphNode(sendName, [left.node], asAny(subscriptionSendProcessor({ extractor, foreignKeySerde, valueSerde: leftValueSerde, topic: registrationTopic, leftJoin }))),
  );
  const otherPartitioner = tableJoined?.otherPartitioner;
  const subscriptionOptions = { keySerde: asAny(foreignKeySerde), valueSerde: asAny(subscriptionSerde) };
  b.addNode(
    new InternalTopicSinkGraphNode(registrationSinkName, [send], registrationTopic, {
      ...subscriptionOptions,
      partitioner: otherPartitioner === undefined ? undefined : asAny((t: string, k: KO, _v: unknown, n: number) => otherPartitioner(t, k, null, n)),
    }),
  );

  // Step 2: the right side keeps the subscriptions and answers them, and answers again on right updates.
  const registrationSource = b.addNode(new SourceGraphNode(registrationSourceName, [registrationTopic], subscriptionOptions));
  b.addNode(new StateStoreGraphNode(store));
  const receive = b.addNode(new ProcessorGraphNode(receiveName, [registrationSource], asAny(subscriptionReceiveProcessor(storeName, schema)), [storeName]));
  const joinForeign = b.addNode(new ProcessorGraphNode(joinForeignName, [receive], asAny(subscriptionJoinProcessor(rightStore)), [rightStore]));
  const foreignJoin = b.addNode(new ProcessorGraphNode(foreignJoinName, [right.node], asAny(foreignTableJoinProcessor(storeName, schema)), [storeName]));
  const partitioner = tableJoined?.partitioner;
  const toLeftRow: StreamPartitioner<K, SubscriptionResponseWrapper<VO>> =
    partitioner === undefined
      ? (_t, _k, answer, n) => (answer.primaryPartition >= 0 && answer.primaryPartition < n ? answer.primaryPartition : undefined)
      : (t, k, _answer, n) => partitioner(t, k, null, n);
  const responseOptions = { keySerde: asAny(primaryKeySerde), valueSerde: asAny(responseSerde) };
  b.addNode(new InternalTopicSinkGraphNode(responseSinkName, [joinForeign, foreignJoin], responseTopic, { ...responseOptions, partitioner: asAny(toLeftRow) }));

  // Step 3: the left side resolves the answers into the result table.
  const responseSource = b.addNode(new SourceGraphNode(responseSourceName, [responseTopic], responseOptions));
  const user = joiner as (value: V, foreignValue: VO | null, key: K) => VR;
  const resolver = b.addNode(
    new ProcessorGraphNode(
      resolverName,
      [responseSource],
      asAny(responseResolverProcessor({ leftStoreName: leftStore, valueSerde: leftValueSerde, topic: registrationTopic, joiner: user, leftJoin })),
      [leftStore],
    ),
  );
  return tableSourceNode<K, VR>(b, resultName, resolver, resultStoreName, materialized, left.keySerde, materialized?.valueSerde);
}
