import type { Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import { Serdes } from '../../src/serdes/serdes.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { CombinedKeySchema } from './fk-combined-key.js';
import type { SubscriptionResponseWrapper, SubscriptionWrapper } from './fk-wrappers.js';

const BYTES = Serdes.bytes();

class ForeignTableJoinProcessor<KO, K, VO> implements Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  #context!: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
  #subscriptions!: KeyValueStore<Buffer, ValueAndTimestamp<SubscriptionWrapper<K>>>;

  constructor(
    readonly storeName: string,
    readonly schema: CombinedKeySchema<KO, K>,
  ) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.#context = context;
    this.#subscriptions = context.getStateStore(this.storeName);
  }

  process(record: Record<KO, Change<VO>>): void {
    if (record.key === null || record.key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const foreignValue = record.value.newValue;
    for (const { value: stored } of this.#subscriptions.prefixScan(this.schema.prefixBytes(record.key), BYTES)) {
      const subscription = stored.value;
      this.#context.forward(record.withKey(subscription.primaryKey).withValue({ hash: subscription.hash, foreignValue, primaryPartition: subscription.primaryPartition }));
    }
  }
}

/**
 * Supplier of Kafka's `ForeignTableJoinProcessorSupplier`: on each update of the right table, one
 * answer per left row currently subscribed to that key (a prefix scan of the subscription store),
 * carrying the new right value (null for a deletion) and the hash the subscription was sent with,
 * stamped with the right update's timestamp.
 * @example
 * topology.addProcessor('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013', foreignTableJoinProcessor(store, schema), 'KTABLE-SOURCE-0000000005');
 */
export function foreignTableJoinProcessor<KO, K, VO>(
  storeName: string,
  schema: CombinedKeySchema<KO, K>,
): () => Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
  return () => new ForeignTableJoinProcessor<KO, K, VO>(storeName, schema);
}
