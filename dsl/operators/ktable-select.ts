import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { KeyValueMapper } from '../functions.js';
import type { KeyValue } from '../key-value.js';

/**
 * Node name prefix of `KTable.groupBy`'s selector (Kafka's `KTableRepartitionMap`).
 * @example
 * builder.newProcessorName(KTABLE_SELECT_NAME); // 'KTABLE-SELECT-0000000003'
 */
export const KTABLE_SELECT_NAME = 'KTABLE-SELECT-';

const usable = <K, V>(pair: KeyValue<K, V> | null): pair is KeyValue<K, V> =>
  pair !== null && pair.key !== null && pair.key !== undefined && pair.value !== null && pair.value !== undefined;

function sameKey(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}

class KTableSelectProcessor<K, V, K2, V2> implements Processor<K, Change<V>, K2, Change<V2>> {
  #context!: ProcessorContext<K2, Change<V2>>;

  constructor(readonly selector: KeyValueMapper<K, V, KeyValue<K2, V2>>) {}

  init(context: ProcessorContext<K2, Change<V2>>): void {
    this.#context = context;
  }

  process(record: Record<K, Change<V>>): void {
    const { newValue, oldValue } = record.value;
    const newPair = newValue === null ? null : this.selector(record.key, newValue);
    const oldPair = oldValue === null ? null : this.selector(record.key, oldValue);
    const okNew = usable(newPair);
    const okOld = usable(oldPair);
    if ((newValue !== null && !okNew) || (oldValue !== null && !okOld)) this.#context.recordDropped?.();
    if (okOld && okNew && sameKey(oldPair.key, newPair.key)) {
      this.#context.forward(record.withKey(newPair.key).withValue(change(newPair.value, oldPair.value)));
      return;
    }
    // The retraction goes first, so the old group is updated before the new one (as in Kafka).
    if (okOld) this.#context.forward(record.withKey(oldPair.key).withValue(change<V2>(null, oldPair.value)));
    if (okNew) this.#context.forward(record.withKey(newPair.key).withValue(change<V2>(newPair.value, null)));
  }
}

/**
 * Supplier of the processor behind `KTable.groupBy`: maps each update's new and old rows to their
 * groups. A row that stays in its group goes on as one `Change(new, old)`; a row that moves goes on
 * as a retraction `Change(null, old)` to the old group, then `Change(new, null)` to the new one.
 * Pairs with a null key or value are dropped (and counted).
 * @example
 * topology.addProcessor('KTABLE-SELECT-0000000003', ktableSelectProcessor((k, user) => KeyValue.pair(user.region, user)), parent);
 */
export function ktableSelectProcessor<K, V, K2, V2>(
  selector: KeyValueMapper<K, V, KeyValue<K2, V2>>,
): () => Processor<K, Change<V>, K2, Change<V2>> {
  return () => new KTableSelectProcessor(selector);
}
