import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { TableForwarder } from '../internal/table-forwarder.js';
import type { TableState } from '../internal/table-state.js';

/**
 * Node name prefixes of `KGroupedTable.aggregate` / `count` and `reduce`.
 * @example
 * builder.newProcessorName(KTABLE_AGGREGATE_NAME); // 'KTABLE-AGGREGATE-0000000005'
 */
export const KTABLE_AGGREGATE_NAME = 'KTABLE-AGGREGATE-';
/** @see KTABLE_AGGREGATE_NAME @example builder.newProcessorName(KTABLE_REDUCE_NAME); */
export const KTABLE_REDUCE_NAME = 'KTABLE-REDUCE-';

/**
 * How a table aggregation adds a row's value to, and removes it from, its group's aggregate.
 * @example
 * const sum: TableAggregation<string, number, number> = { add: (k, v, a) => (a ?? 0) + v, remove: (k, v, a) => a - v };
 */
export interface TableAggregation<K, V, A> {
  /** `aggregate` is null for a new group (aggregate: initialize; reduce: the value itself). */
  add(key: K, value: V, aggregate: A | null): A;
  remove(key: K, value: V, aggregate: A): A;
}

class KTableAggregateProcessor<K, V, A> implements Processor<K, Change<V>, K, Change<A>> {
  #context!: ProcessorContext<K, Change<A>>;
  #store!: MeteredKeyValueStore<K, ValueAndTimestamp<A>>;
  #forwarder!: TableForwarder<K, A>;

  constructor(
    readonly storeName: string,
    readonly aggregation: TableAggregation<K, V, A>,
    readonly state: TableState,
  ) {}

  init(context: ProcessorContext<K, Change<A>>): void {
    this.#context = context;
    this.#store = context.getStateStore(this.storeName);
    this.#forwarder = new TableForwarder(this.#store, context, this.state);
  }

  process(record: Record<K, Change<V>>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const { newValue, oldValue } = record.value;
    const old = this.#store.get(key);
    const oldAgg = old?.value ?? null;
    // The result's timestamp is the max of the timestamps that contributed to it.
    const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    let agg: A | null = oldAgg;
    if (oldValue !== null && agg !== null) agg = this.aggregation.remove(key, oldValue, agg);
    if (newValue !== null) agg = this.aggregation.add(key, newValue, agg);
    this.#store.put(key, agg === null ? null : { value: agg, timestamp }, timestamp);
    const forwarded = change(agg, this.state.sendOldValues ? oldAgg : null);
    this.#forwarder.maybeForward(new Record(key, forwarded, timestamp, record.headers));
  }
}

/**
 * Supplier of Kafka's `KTableAggregate` / `KTableReduce`: for each update of a group, first removes
 * the old row's value (if any, and if the group has an aggregate), then adds the new one; stores the
 * result with timestamp max(record, previous result) and forwards it as a `Change`.
 * @example
 * topology.addProcessor('KTABLE-AGGREGATE-0000000005', ktableAggregateProcessor('counts', countAggregation, state), source);
 */
export function ktableAggregateProcessor<K, V, A>(
  storeName: string,
  aggregation: TableAggregation<K, V, A>,
  state: TableState,
): () => Processor<K, Change<V>, K, Change<A>> {
  return () => new KTableAggregateProcessor(storeName, aggregation, state);
}
