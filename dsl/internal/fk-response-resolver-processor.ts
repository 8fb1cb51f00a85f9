import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { valueHash } from './fk-value-hash.js';
import type { SubscriptionResponseWrapper } from './fk-wrappers.js';

/**
 * What the resolver needs: the left table's store, the left value serde and topic name for the
 * hash, the joiner, and whether this is a left join.
 * @example
 * const spec: ResponseResolverSpec<string, Order, Customer, Enriched> = { leftStoreName, valueSerde, topic, joiner, leftJoin: false };
 */
export interface ResponseResolverSpec<K, V, VO, VR> {
  readonly leftStoreName: string;
  readonly valueSerde: Serde<V>;
  readonly topic: string;
  readonly joiner: (value: V, foreignValue: VO | null, key: K) => VR;
  readonly leftJoin: boolean;
}

function sameHash(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

class ResponseResolverProcessor<K, V, VO, VR> implements Processor<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  #context!: ProcessorContext<K, VR | null>;
  #left!: KeyValueStore<K, ValueAndTimestamp<V>>;

  constructor(readonly spec: ResponseResolverSpec<K, V, VO, VR>) {}

  init(context: ProcessorContext<K, VR | null>): void {
    this.#context = context;
    this.#left = context.getStateStore(this.spec.leftStoreName);
  }

  process(record: Record<K, SubscriptionResponseWrapper<VO>>): void {
    const response = record.value;
    if (response === null || record.key === null || record.key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const current = this.#left.get(record.key);
    const currentHash = current === null ? null : valueHash(this.spec.valueSerde, current.value, this.spec.topic);
    if (!sameHash(response.hash, currentHash)) {
      // The row changed after this subscription was sent; the answer to its newer value is coming.
      this.#context.recordDropped?.();
      return;
    }
    const result =
      current === null || (response.foreignValue === null && !this.spec.leftJoin)
        ? null
        : this.spec.joiner(current.value, response.foreignValue, record.key);
    this.#context.forward(record.withValue(result));
  }
}

/**
 * Supplier of Kafka's `ResponseJoinProcessorSupplier` (the `…-RESPONSE-RESOLVER-PROCESSOR`): joins
 * an answer from the right side with the left row's current value — unless the row changed since
 * the subscription was sent (its hash differs), in which case the stale answer is dropped and
 * counted. No right value gives a tombstone (inner join) or `joiner(left, null)` (left join); a
 * deleted left row gives a tombstone.
 * @example
 * topology.addProcessor('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017', responseResolverProcessor(spec), 'KTABLE-SOURCE-0000000016');
 */
export function responseResolverProcessor<K, V, VO, VR>(spec: ResponseResolverSpec<K, V, VO, VR>): () => Processor<K, SubscriptionResponseWrapper<VO>, K, VR | null> {
  return () => new ResponseResolverProcessor(spec);
}
