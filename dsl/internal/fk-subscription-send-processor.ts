import type { Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { SubscriptionInstruction, SubscriptionWrapper } from './fk-wrappers.js';
import { valueHash } from './fk-value-hash.js';
import type { ForeignKeyExtractor } from '../functions.js';

/**
 * What the send processor needs: the extractor, the foreign key serde (to compare old and new
 * foreign keys by bytes, as Kafka does), the left value serde (for the hash) and the topic name
 * handed to both serdes.
 * @example
 * const spec: SubscriptionSendSpec<string, Order, string> = { extractor, foreignKeySerde, valueSerde, topic, leftJoin: false };
 */
export interface SubscriptionSendSpec<K, V, KO> {
  readonly extractor: ForeignKeyExtractor<K, V, KO>;
  readonly foreignKeySerde: Serde<KO>;
  readonly valueSerde: Serde<V>;
  readonly topic: string;
  readonly leftJoin: boolean;
}

/** The partition of a task from its id `<subtopology>_<partition>`. */
export function taskPartition(taskId: string): number {
  const partition = Number(taskId.slice(taskId.lastIndexOf('_') + 1));
  return Number.isInteger(partition) ? partition : 0;
}

class SubscriptionSendProcessor<K, V, KO> implements Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  #context!: ProcessorContext<KO | null, SubscriptionWrapper<K>>;
  #partition = 0;

  constructor(readonly spec: SubscriptionSendSpec<K, V, KO>) {}

  init(context: ProcessorContext<KO | null, SubscriptionWrapper<K>>): void {
    this.#context = context;
    this.#partition = taskPartition(context.taskId);
  }

  process(record: Record<K, Change<V>>): void {
    if (record.key === null || record.key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const { newValue, oldValue } = record.value;
    const oldKey = oldValue === null ? null : this.#extract(record.key, oldValue);
    const newKey = newValue === null ? null : this.#extract(record.key, newValue);
    const hash = valueHash(this.spec.valueSerde, newValue, this.spec.topic);
    const send = (foreignKey: KO | null, instruction: SubscriptionInstruction) =>
      this.#context.forward(record.withKey(foreignKey).withValue({ instruction, hash, primaryKey: record.key, primaryPartition: this.#partition }));

    if (this.spec.leftJoin) {
      // An idempotent delete answers nothing; every other update gets an answer, even with a null
      // foreign key (the right side answers it with null without storing a subscription).
      if (oldValue === null && newValue === null) return;
      if (oldKey !== null && !this.#sameKey(oldKey, newKey)) send(oldKey, 'DELETE_KEY_NO_PROPAGATE');
      send(newKey, 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE');
      return;
    }
    if (newValue !== null) {
      if (newKey === null) {
        this.#context.recordDropped?.();
        if (oldKey !== null) send(oldKey, 'DELETE_KEY_AND_PROPAGATE');
      } else if (oldKey === null) {
        send(newKey, 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE');
      } else if (!this.#sameKey(oldKey, newKey)) {
        // The old subscription lives under another foreign key (maybe on another partition): delete
        // it silently; the new one answers even without a match, to delete the previous result.
        send(oldKey, 'DELETE_KEY_NO_PROPAGATE');
        send(newKey, 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE');
      } else {
        // Same foreign key: if it has no match now, it had none before either, so no tombstone is due.
        send(newKey, 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE');
      }
    } else if (oldKey !== null) {
      send(oldKey, 'DELETE_KEY_AND_PROPAGATE');
    }
  }

  #extract(key: K, value: V): KO | null {
    return this.spec.extractor(value, key) ?? null;
  }

  #sameKey(a: KO, b: KO | null): boolean {
    if (b === null) return false;
    const x = this.spec.foreignKeySerde.serialize(a, this.spec.topic);
    const y = this.spec.foreignKeySerde.serialize(b, this.spec.topic);
    return x !== null && y !== null && x.equals(y);
  }
}

/**
 * Supplier of Kafka's `SubscriptionSendProcessorSupplier`, the left side of a foreign-key join:
 * turns each left-table update (a `Change` with the old value) into subscription records keyed by
 * foreign key. Inner join: an insert subscribes and is answered only on a match; a changed foreign
 * key unsubscribes the old one silently and subscribes the new one with an answer either way (to
 * replace the old result); an update keeping its foreign key is answered only on a match; a delete
 * (or a foreign key turning null) unsubscribes with a tombstone answer; a null foreign key is
 * dropped and counted. Left join: every update is answered, a changed foreign key unsubscribes the
 * old one silently, an idempotent delete sends nothing.
 * @example
 * topology.addProcessor('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007', subscriptionSendProcessor(spec), 'KTABLE-SOURCE-0000000002');
 */
export function subscriptionSendProcessor<K, V, KO>(spec: SubscriptionSendSpec<K, V, KO>): () => Processor<K, Change<V>, KO | null, SubscriptionWrapper<K>> {
  return () => new SubscriptionSendProcessor(spec);
}
