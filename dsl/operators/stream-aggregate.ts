import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { TableForwarder } from '../internal/table-forwarder.js';
import type { TableState } from '../internal/table-state.js';

/**
 * Node name prefixes of `KGroupedStream.aggregate` / `count` and `reduce`.
 * @example
 * builder.newProcessorName(AGGREGATE_NAME); // 'KSTREAM-AGGREGATE-0000000003'
 */
export const AGGREGATE_NAME = 'KSTREAM-AGGREGATE-';
/** @see AGGREGATE_NAME @example builder.newProcessorName(REDUCE_NAME); // 'KSTREAM-REDUCE-0000000003' */
export const REDUCE_NAME = 'KSTREAM-REDUCE-';

/**
 * One aggregation step: the new aggregate from the key, the value and the old aggregate (null for
 * a new key).
 * @example
 * const count: AggregationStep<string, unknown, number> = (_k, _v, agg) => (agg ?? 0) + 1;
 */
export type AggregationStep<K, V, A> = (key: K, value: V, aggregate: A | null) => A;

class StreamAggregateProcessor<K, V, A> implements Processor<K, V, K, Change<A>> {
  #context!: ProcessorContext<K, Change<A>>;
  #store!: MeteredKeyValueStore<K, ValueAndTimestamp<A>>;
  #forwarder!: TableForwarder<K, A>;

  constructor(
    readonly storeName: string,
    readonly step: AggregationStep<K, V, A>,
    readonly state: TableState,
  ) {}

  init(context: ProcessorContext<K, Change<A>>): void {
    this.#context = context;
    this.#store = context.getStateStore(this.storeName);
    this.#forwarder = new TableForwarder(this.#store, context, this.state);
  }

  process(record: Record<K, V>): void {
    const { key, value } = record;
    if (key === null || key === undefined || value === null || value === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const old = this.#store.get(key);
    const oldAgg = old?.value ?? null;
    const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp);
    const agg = this.step(key, value, oldAgg);
    this.#store.put(key, agg === null || agg === undefined ? null : { value: agg, timestamp }, timestamp);
    const forwarded = change(agg ?? null, this.state.sendOldValues ? oldAgg : null);
    this.#forwarder.maybeForward(record.withValue(forwarded).withTimestamp(timestamp));
  }
}

/**
 * Supplier of Kafka's `KStreamAggregate` / `KStreamReduce`: folds each record into its key's
 * aggregate in the store `storeName` and forwards the result as a `Change`. Records with a null key
 * or value are dropped and counted (`dropped-records`). The result's timestamp is the max of the
 * timestamps of the records folded into it (Kafka's rule for aggregations).
 * @example
 * topology.addProcessor('KSTREAM-AGGREGATE-0000000003', streamAggregateProcessor('counts', (_k, _v, n) => (n ?? 0) + 1, state), src);
 */
export function streamAggregateProcessor<K, V, A>(
  storeName: string,
  step: AggregationStep<K, V, A>,
  state: TableState,
): () => Processor<K, V, K, Change<A>> {
  return () => new StreamAggregateProcessor(storeName, step, state);
}
