import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import type { ValueMapper } from '../functions.js';
import { TableForwarder } from '../internal/table-forwarder.js';
import type { DerivedTableState } from '../internal/table-state.js';

/**
 * Node name prefix of `KTable.mapValues`.
 * @example
 * builder.newProcessorName(KTABLE_MAPVALUES_NAME); // 'KTABLE-MAPVALUES-0000000003'
 */
export const KTABLE_MAPVALUES_NAME = 'KTABLE-MAPVALUES-';

class KTableMapValuesProcessor<K, V, V2> implements Processor<K, Change<V>, K, Change<V2>> {
  #context!: ProcessorContext<K, Change<V2>>;
  #store: MeteredKeyValueStore<K, ValueAndTimestamp<V2>> | undefined;
  #forwarder: TableForwarder<K, V2> | undefined;

  constructor(
    readonly mapper: ValueMapper<V, V2, K>,
    readonly storeName: string | undefined,
    readonly state: DerivedTableState,
  ) {}

  init(context: ProcessorContext<K, Change<V2>>): void {
    this.#context = context;
    if (this.storeName === undefined) return;
    const store = context.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<V2>>>(this.storeName);
    this.#store = store;
    this.#forwarder = new TableForwarder(store, context, this.state);
  }

  #compute(key: K, value: V | null): V2 | null {
    return value === null ? null : this.mapper(value, key);
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    const sendOld = this.state.sendOldValues;
    const newValue = this.#compute(key, record.value.newValue);
    const store = this.#store;
    if (store === undefined) {
      this.#context.forward(record.withValue(change(newValue, sendOld ? this.#compute(key, record.value.oldValue) : null)));
      return;
    }
    const old = store.get(key)?.value ?? null;
    store.put(key, newValue === null ? null : { value: newValue, timestamp: record.timestamp }, record.timestamp);
    this.#forwarder!.maybeForward(record.withValue(change(newValue, sendOld ? old : null)));
  }
}

/**
 * Supplier of Kafka's `KTableMapValues`: maps new (and, when sent, old) values; a tombstone stays a
 * tombstone without calling the mapper. `mapper(value, readOnlyKey)`.
 * @example
 * topology.addProcessor('KTABLE-MAPVALUES-0000000003', ktableMapValuesProcessor((v: number) => v * 2, undefined, state), parent);
 */
export function ktableMapValuesProcessor<K, V, V2>(
  mapper: ValueMapper<V, V2, K>,
  storeName: string | undefined,
  state: DerivedTableState,
): () => Processor<K, Change<V>, K, Change<V2>> {
  return () => new KTableMapValuesProcessor(mapper, storeName, state);
}
