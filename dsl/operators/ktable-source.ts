import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { TableForwarder } from '../internal/table-forwarder.js';
import type { SourceTableState } from '../internal/table-state.js';

/**
 * Node name prefix of the processor that turns a topic into a table (`builder.table`).
 * @example
 * builder.newProcessorName(KTABLE_SOURCE_NAME); // 'KTABLE-SOURCE-0000000002'
 */
export const KTABLE_SOURCE_NAME = 'KTABLE-SOURCE-';

/**
 * Node name prefix of `KStream.toTable`.
 * @example
 * builder.newProcessorName(TO_KTABLE_NAME); // 'KSTREAM-TOTABLE-0000000001'
 */
export const TO_KTABLE_NAME = 'KSTREAM-TOTABLE-';

class KTableSourceProcessor<K, V> implements Processor<K, V | null, K, Change<V>> {
  #context!: ProcessorContext<K, Change<V>>;
  #store: MeteredKeyValueStore<K, ValueAndTimestamp<V>> | undefined;
  #forwarder: TableForwarder<K, V> | undefined;

  constructor(
    readonly storeName: string,
    readonly state: SourceTableState,
  ) {}

  init(context: ProcessorContext<K, Change<V>>): void {
    this.#context = context;
    if (!this.state.materialized) return;
    const store = context.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<V>>>(this.storeName);
    this.#store = store;
    this.#forwarder = new TableForwarder(store, context, this.state);
  }

  process(record: Record<K, V | null>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const value = record.value ?? null;
    const store = this.#store;
    if (store === undefined) {
      this.#context.forward(record.withValue(change(value, null)));
      return;
    }
    const old = store.get(key);
    store.put(key, value === null ? null : { value, timestamp: record.timestamp }, record.timestamp);
    this.#forwarder!.maybeForward(record.withValue(change(value, this.state.sendOldValues ? (old?.value ?? null) : null)));
  }
}

/**
 * Supplier of Kafka's `KTableSource`: each record is an upsert (a null value deletes the key) and
 * goes on as a `Change`. Materialized (the store `storeName` exists) when named, or when a
 * downstream forced it to send old values; records with a null key are dropped and counted.
 * @example
 * topology.addProcessor('KTABLE-SOURCE-0000000002', ktableSourceProcessor('store', state), 'KSTREAM-SOURCE-0000000001');
 */
export function ktableSourceProcessor<K, V>(storeName: string, state: SourceTableState): () => Processor<K, V | null, K, Change<V>> {
  return () => new KTableSourceProcessor<K, V>(storeName, state);
}
