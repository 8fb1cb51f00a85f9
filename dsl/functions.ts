/**
 * The function shapes the DSL takes, named as in Kafka Streams. All run synchronously, once per
 * record, inside the task's processing loop; a throw fails the task with a `StreamsProcessingError`.
 * @example
 * const isLarge: Predicate<string, Order> = (_key, order) => order.total > 1000;
 */
export type Predicate<K, V> = (key: K, value: V) => boolean;

/**
 * Computes a new key, or a new key-value pair (`map`), from a record's key and value.
 * @example
 * const byUser: KeyValueMapper<string, Order, string> = (_k, order) => order.userId;
 */
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;

/**
 * Computes a new value from a record's value. The read-only key is passed second (Kafka's
 * `ValueMapperWithKey` takes it first; here one signature covers both of Kafka's overloads).
 * @example
 * const total: ValueMapper<Order, number> = (order) => order.price * order.quantity;
 */
export type ValueMapper<V, R, K = unknown> = (value: V, readOnlyKey: K) => R;

/**
 * A side effect per record (`peek`, `foreach`).
 * @example
 * const log: ForeachAction<string, Order> = (key, order) => console.log(key, order.id);
 */
export type ForeachAction<K, V> = (key: K, value: V) => void;

/**
 * Makes the starting aggregate of a new key (or window).
 * @example
 * const zero: Initializer<number> = () => 0;
 */
export type Initializer<VA> = () => VA;

/**
 * Folds one value into an aggregate: `(key, value, aggregate) => newAggregate`. Also the shape of a
 * table aggregation's subtractor, which removes an old value from an aggregate.
 * @example
 * const sum: Aggregator<string, number, number> = (_k, v, agg) => agg + v;
 */
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;

/**
 * Combines two values of the same type: `(aggregate, value) => newAggregate`.
 * @example
 * const max: Reducer<number> = (agg, v) => Math.max(agg, v);
 */
export type Reducer<V> = (aggregate: V, value: V) => V;

/**
 * Combines the values of two joined records into the join result: `(leftValue, rightValue) => result`.
 * In left and outer joins the missing side is passed as `null` (so the value types include `null`
 * where a side can be missing). The read-only key is passed third (Kafka's `ValueJoinerWithKey`
 * takes it first; here one signature covers both of Kafka's overloads).
 * @example
 * const enrich: ValueJoiner<Payment, Account | null, Enriched> = (p, a) => ({ ...p, limit: a?.limit ?? 0 });
 */
export type ValueJoiner<V1, V2, R, K = unknown> = (value1: V1, value2: V2, readOnlyKey: K) => R;

/**
 * Extracts the foreign key (the right table's key) from a left row; null or undefined means the row
 * refers to nothing. Called with the value first and the key second, so both Kafka forms —
 * `Function<V, KO>` and `BiFunction<K, V, KO>` (KIP-1104) — are one function here.
 * @example
 * const byCustomer: ForeignKeyExtractor<string, Order, string> = (order) => order.customerId;
 */
export type ForeignKeyExtractor<K, V, KO> = (value: V, key: K) => KO | null | undefined;
