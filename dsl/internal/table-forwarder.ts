import { change, type Change } from '../../src/core/change.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import type { TableState } from './table-state.js';

const IGNORE = (): void => {};

/**
 * Forwards the updates of a materialized table (Kafka's `TimestampedTupleForwarder`). With a cache
 * in the store's stack the cache forwards: each key once per flush (commit, or per record under
 * the test driver), with the value below the cache as the old value. Without one, the processor
 * forwards every update itself, through {@link maybeForward}.
 * @example
 * this.forwarder = new TableForwarder(store, ctx, state);
 * store.put(key, { value, timestamp }, timestamp);
 * this.forwarder.maybeForward(new Record(key, change(value, old), timestamp));
 */
export class TableForwarder<K, V> {
  readonly #cached: boolean;
  readonly #context: ProcessorContext<K, Change<V>>;

  constructor(store: MeteredKeyValueStore<K, ValueAndTimestamp<V>>, context: ProcessorContext<K, Change<V>>, state: TableState) {
    this.#context = context;
    this.#cached = store.setFlushListener((key, newValue, oldValue, timestamp) => {
      const old = state.sendOldValues ? (oldValue?.value ?? null) : null;
      context.forward(new Record(key, change(newValue?.value ?? null, old), newValue?.timestamp ?? timestamp));
    });
    if (!this.#cached) store.setFlushListener(IGNORE);
  }

  /** Forwards `record` unless the store's cache will forward the update when it is flushed. */
  maybeForward(record: Record<K, Change<V>>): void {
    if (!this.#cached) this.#context.forward(record);
  }
}
