import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { CombinedKeySchema } from './fk-combined-key.js';
import type { SubscriptionResponseWrapper, SubscriptionWrapper } from './fk-wrappers.js';

/**
 * A subscription as the right side passes it on: the foreign key (null for a left-join row that
 * refers to nothing) and the left key.
 * @example
 * const key: CombinedKey<string, string> = { foreignKey: 'customer-7', primaryKey: 'order-1' };
 */
export interface CombinedKey<KO, K> {
  readonly foreignKey: KO | null;
  readonly primaryKey: K;
}

type StoredSubscription<K> = ValueAndTimestamp<SubscriptionWrapper<K>>;

class SubscriptionReceiveProcessor<KO, K> implements Processor<KO | null, SubscriptionWrapper<K>, CombinedKey<KO, K>, Change<StoredSubscription<K>>> {
  #context!: ProcessorContext<CombinedKey<KO, K>, Change<StoredSubscription<K>>>;
  #store!: KeyValueStore<Buffer, StoredSubscription<K>>;

  constructor(
    readonly storeName: string,
    readonly schema: CombinedKeySchema<KO, K>,
  ) {}

  init(context: ProcessorContext<CombinedKey<KO, K>, Change<StoredSubscription<K>>>): void {
    this.#context = context;
    this.#store = context.getStateStore(this.storeName);
  }

  process(record: Record<KO | null, SubscriptionWrapper<K>>): void {
    const foreignKey = record.key ?? null;
    const subscription = record.value;
    // Only a left-join row with a null foreign key travels without one: it needs its null answer.
    if (subscription === null || (foreignKey === null && subscription.instruction !== 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE')) {
      this.#context.recordDropped?.();
      return;
    }
    const newValue: StoredSubscription<K> = { value: subscription, timestamp: record.timestamp };
    let oldValue: StoredSubscription<K> | null = null;
    if (foreignKey !== null) {
      const key = this.schema.toBytes(foreignKey, subscription.primaryKey);
      oldValue = this.#store.get(key);
      if (subscription.instruction === 'DELETE_KEY_AND_PROPAGATE' || subscription.instruction === 'DELETE_KEY_NO_PROPAGATE') this.#store.delete(key);
      else this.#store.put(key, newValue);
    }
    this.#context.forward(record.withKey({ foreignKey, primaryKey: subscription.primaryKey }).withValue(change(newValue, oldValue)));
  }
}

/**
 * Supplier of Kafka's `SubscriptionReceiveProcessorSupplier`: keeps the subscription store (keyed
 * by {@link CombinedKeySchema} so a right update can find its subscribers by prefix) — a delete
 * instruction removes the subscription, any other stores it — and passes the subscription on keyed
 * by (foreign key, left key). A subscription without a foreign key is dropped (and counted) unless
 * it asks for a null answer.
 * @example
 * topology.addProcessor('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011', subscriptionReceiveProcessor(store, schema), 'KTABLE-SOURCE-0000000009');
 */
export function subscriptionReceiveProcessor<KO, K>(
  storeName: string,
  schema: CombinedKeySchema<KO, K>,
): () => Processor<KO | null, SubscriptionWrapper<K>, CombinedKey<KO, K>, Change<StoredSubscription<K>>> {
  return () => new SubscriptionReceiveProcessor(storeName, schema);
}

class SubscriptionJoinProcessor<KO, K, VO> implements Processor<CombinedKey<KO, K>, Change<StoredSubscription<K>>, K, SubscriptionResponseWrapper<VO>> {
  #context!: ProcessorContext<K, SubscriptionResponseWrapper<VO>>;
  #foreign!: KeyValueStore<KO, ValueAndTimestamp<VO>>;

  constructor(readonly foreignStoreName: string) {}

  init(context: ProcessorContext<K, SubscriptionResponseWrapper<VO>>): void {
    this.#context = context;
    this.#foreign = context.getStateStore(this.foreignStoreName);
  }

  process(record: Record<CombinedKey<KO, K>, Change<StoredSubscription<K>>>): void {
    const stored = record.value.newValue;
    if (stored === null) return;
    const { foreignKey, primaryKey } = record.key;
    const subscription = stored.value;
    const foreign = foreignKey === null ? null : this.#foreign.get(foreignKey);
    const timestamp = foreign === null ? stored.timestamp : Math.max(stored.timestamp, foreign.timestamp);
    const answer = (foreignValue: VO | null) =>
      this.#context.forward(
        record.withKey(primaryKey).withValue({ hash: subscription.hash, foreignValue, primaryPartition: subscription.primaryPartition }).withTimestamp(timestamp),
      );
    switch (subscription.instruction) {
      case 'DELETE_KEY_AND_PROPAGATE':
        answer(null);
        break;
      case 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE':
        answer(foreign?.value ?? null);
        break;
      case 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE':
        if (foreign !== null) answer(foreign.value);
        break;
      case 'DELETE_KEY_NO_PROPAGATE':
        break;
    }
  }
}

/**
 * Supplier of Kafka's `SubscriptionJoinProcessorSupplier`: answers a subscription from the right
 * table's store, as its instruction says (see `SubscriptionInstruction`), keyed by the left key and
 * stamped with the max of the subscription's and the right row's timestamps.
 * @example
 * topology.addProcessor('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012', subscriptionJoinProcessor('customers-STATE-STORE-0000000003'), 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011');
 */
export function subscriptionJoinProcessor<KO, K, VO>(
  foreignStoreName: string,
): () => Processor<CombinedKey<KO, K>, Change<StoredSubscription<K>>, K, SubscriptionResponseWrapper<VO>> {
  return () => new SubscriptionJoinProcessor<KO, K, VO>(foreignStoreName);
}
