import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import type { Predicate } from '../functions.js';
import { TableForwarder } from '../internal/table-forwarder.js';
import type { DerivedTableState } from '../internal/table-state.js';

/**
 * Node name prefix of `KTable.filter` and `filterNot`.
 * @example
 * builder.newProcessorName(KTABLE_FILTER_NAME); // 'KTABLE-FILTER-0000000003'
 */
export const KTABLE_FILTER_NAME = 'KTABLE-FILTER-';

class KTableFilterProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  #context!: ProcessorContext<K, Change<V>>;
  #store: MeteredKeyValueStore<K, ValueAndTimestamp<V>> | undefined;
  #forwarder: TableForwarder<K, V> | undefined;

  constructor(
    readonly predicate: Predicate<K, V>,
    readonly negate: boolean,
    readonly storeName: string | undefined,
    readonly state: DerivedTableState,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.#context = context;
    if (this.storeName === undefined) return;
    const store = context.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<V>>>(this.storeName);
    this.#store = store;
    this.#forwarder = new TableForwarder(store, context, this.state);
  }

  #compute(key: K, value: V | null): V | null {
    return value !== null && this.predicate(key, value) !== this.negate ? value : null;
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    const sendOld = this.state.sendOldValues;
    const newValue = this.#compute(key, record.value.newValue);
    const store = this.#store;
    if (store === undefined) {
      const oldValue = sendOld ? this.#compute(key, record.value.oldValue) : null;
      // Without old values nobody can tell whether the key passed before: forward the tombstone.
      if (sendOld && oldValue === null && newValue === null) return;
      this.#context.forward(record.withValue(change(newValue, oldValue)));
      return;
    }
    const old = store.get(key)?.value ?? null;
    if (sendOld && old === null && newValue === null) return;
    store.put(key, newValue === null ? null : { value: newValue, timestamp: record.timestamp }, record.timestamp);
    this.#forwarder!.maybeForward(record.withValue(change(newValue, sendOld ? old : null)));
  }
}

/**
 * Supplier of Kafka's `KTableFilter`: an update whose new value the predicate rejects becomes a
 * tombstone (`newValue = null`), so a row that stops matching is deleted downstream. When old
 * values are sent, an update that matches neither before nor after is not forwarded at all.
 * @example
 * topology.addProcessor('KTABLE-FILTER-0000000003', ktableFilterProcessor((k, v) => v > 0, false, undefined, state), parent);
 */
export function ktableFilterProcessor<K, V>(
  predicate: Predicate<K, V>,
  negate: boolean,
  storeName: string | undefined,
  state: DerivedTableState,
): () => Processor<K, Change<V>, K, Change<V>> {
  return () => new KTableFilterProcessor(predicate, negate, storeName, state);
}
