import type { ProcessorSupplier } from '../src/processor/processor.js';
import type { Serde } from '../src/serdes/serde.js';
import type { KeyValueStoreBuilder } from '../state/key-value-store-builder.js';
import type { ValueAndTimestamp } from '../src/processor/value-and-timestamp.js';
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import type { Grouped } from './grouped.js';
import { ProcessorGraphNode, type GraphNode } from './internal/graph-nodes.js';
import type { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import { noteGeneratedStore } from './internal/table-builders.js';
import { registerKTableFactory, type KTableParts } from './internal/table-factory.js';
import { TableProcessorGraphNode } from './internal/table-graph-nodes.js';
import { DerivedTableState, type TableState } from './internal/table-state.js';
import { timestampedStoreBuilder } from './internal/timestamped-store.js';
import { KGroupedTable } from './kgrouped-table.js';
import type { KeyValue } from './key-value.js';
import { KStream } from './kstream.js';
import { Materialized } from './materialized.js';
import { Named } from './named.js';
import { KTABLE_FILTER_NAME, ktableFilterProcessor } from './operators/ktable-filter.js';
import { KTABLE_MAPVALUES_NAME, ktableMapValuesProcessor } from './operators/ktable-map-values.js';
import { KTABLE_SELECT_NAME, ktableSelectProcessor } from './operators/ktable-select.js';
import { TOSTREAM_NAME, toStreamProcessor } from './operators/ktable-to-stream.js';
import { suppressTable } from './operators/suppress.js';
import { tableTableJoinParts, type TableJoinKind } from './operators/table-table-join.js';
import { foreignKeyJoinParts } from './operators/foreign-key-join.js';
import type { ForeignKeyExtractor } from './functions.js';
import { TableJoined } from './table-joined.js';
import type { Suppressed } from './suppressed.js';

/** `(named?, materialized?)` or `(materialized)`, as Kafka's overloads allow. */
function splitOptions<K, V>(a: Named | Materialized<K, V> | undefined, b: Materialized<K, V> | undefined) {
  if (a instanceof Materialized) return { named: undefined, materialized: a };
  if (a !== undefined && !(a instanceof Named)) throw new TypeError('expected a Named or a Materialized');
  return { named: a, materialized: b };
}

/**
 * A changelog stream seen as a table (Kafka Streams' `KTable`): each record is an upsert of its
 * key's row, a null value deletes the row. Made by `StreamsBuilder.table`, `KStream.toTable` and
 * aggregations. Downstream operations receive each update as a `Change` (new value, and the old one
 * when a downstream such as a `groupBy` subtractor needs it).
 *
 * A table is *materialized* (kept in a key-value store, queryable by name through
 * `TopologyTestDriver.getKeyValueStore` / interactive queries) when an operation is given
 * `Materialized.as(name)`, and otherwise only when needed.
 *
 * @example
 * const users = builder.table('users', Consumed.with(Serdes.string(), Serdes.json<User>()), Materialized.as('users'));
 * users.filter((_id, u) => u.active).toStream().to('active-users');
 */
export class KTable<K, V> {
  /** @internal */ readonly builder: InternalStreamsBuilder;
  /** @internal */ readonly node: GraphNode;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  /** @internal Whether updates carry old values (set by downstreams before build). */
  readonly state: TableState;
  /** The name of the store to query this table by, if it is materialized under a given name. */
  readonly queryableStoreName: string | undefined;

  /** @internal Tables are made by the builder and by operations, not constructed. */
  constructor(parts: KTableParts<K, V>) {
    this.builder = parts.builder;
    this.node = parts.node;
    this.keySerde = parts.keySerde;
    this.valueSerde = parts.valueSerde;
    this.state = parts.state;
    this.queryableStoreName = parts.queryableStoreName;
  }

  /**
   * The rows `predicate` accepts. An update the predicate rejects is forwarded as a tombstone, so a
   * row that stops matching is deleted downstream (and, when old values are sent, an update that
   * matched neither before nor after is not forwarded).
   */
  filter(predicate: Predicate<K, V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, named, materialized);
  }

  /** The rows `predicate` rejects; see {@link filter}. */
  filterNot(predicate: Predicate<K, V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, named, materialized);
  }

  /** Each row's value mapped (`mapper(value, readOnlyKey)`); deletions stay deletions. */
  mapValues<V2>(mapper: ValueMapper<V, V2, K>, named?: Named | Materialized<K, V2>, materialized?: Materialized<K, V2>): KTable<K, V2> {
    const options = splitOptions(named, materialized);
    const storeName = this.#storeName(options.materialized, KTABLE_MAPVALUES_NAME);
    const name = this.builder.nameOf(options.named, KTABLE_MAPVALUES_NAME);
    const state = new DerivedTableState(this.state, storeName !== undefined);
    const supplier = ktableMapValuesProcessor(mapper, storeName, state);
    return this.#derived(name, supplier, state, storeName, options.materialized, undefined);
  }

  /**
   * The table's updates as a stream: one record per update. A deletion becomes a record whose value
   * is null (typed `V`, as in Kafka, so serdes and `Produced` of the table's type fit; check for
   * null where rows can be deleted).
   */
  toStream(named?: Named): KStream<K, V> {
    const name = this.builder.nameOf(named, TOSTREAM_NAME);
    const node = this.builder.addNode(new ProcessorGraphNode(name, [this.node], toStreamProcessor<K, V>() as never));
    return new KStream<K, V>(this.builder, node, this.keySerde, this.valueSerde, false);
  }

  /**
   * Holds updates back (Kafka's `suppress`): `Suppressed.untilWindowCloses(...)` forwards one final
   * result per window of a windowed table once it closes; `untilTimeLimit(ms, buffer)` forwards each
   * key's latest update `ms` of stream time after its first buffered one. Stateful: a buffer store
   * with a changelog (see `dsl/operators/suppress.ts`).
   * @example
   * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final-counts');
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    return suppressTable(this, suppressed);
  }

  /**
   * Re-groups the rows by `selector(key, value) -> KeyValue(newKey, newValue)` for an aggregation
   * with adder and subtractor: an update of a row retracts its old value from its old group and
   * adds the new value to its new group. Always repartitions (through
   * `<applicationId>-<name>-repartition`); `grouped` gives the serdes of that topic and its name.
   */
  groupBy<K2, V2>(selector: KeyValueMapper<K, V, KeyValue<K2, V2>>, grouped?: Grouped<K2, V2>): KGroupedTable<K2, V2> {
    const name = this.builder.nameOf(grouped?.name, KTABLE_SELECT_NAME);
    const node = this.builder.addNode(new ProcessorGraphNode(name, [this.node], ktableSelectProcessor(selector) as never));
    this.state.enableSendingOldValues(true);
    return new KGroupedTable<K2, V2>(this.builder, node, grouped);
  }

  /**
   * Foreign-key inner join (Kafka's KIP-213 `KTable#join(other, foreignKeyExtractor, joiner, …)`):
   * each row of this table refers to a row of `other` by `foreignKeyExtractor(value, key)`; the
   * result, keyed by this table's key, is `joiner(value, otherRow)` for rows whose foreign key has
   * a match. No co-partitioning needed: subscriptions travel to `other`'s partitions over
   * `<app>-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-<n>-topic` and answers come back over
   * `<app>-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-<n>-topic`. A row without a match (or with a null
   * foreign key) has no result; a row that changes its foreign key gets the new result or a
   * tombstone; deleting a row emits a tombstone; an update of `other` re-emits every row pointing at
   * it (a deletion: tombstones). Answers to a row that changed again meanwhile are dropped. Both
   * tables need key and value serdes. `TableJoined` (or `Named`) names every part of the join.
   * @example
   * orders.join(customers, (o) => o.customerId, (o, c) => ({ ...o, customer: c.name }), Materialized.as('orders-with-customer'));
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: ForeignKeyExtractor<K, V, KO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    tableJoined?: TableJoined<K, KO> | Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /**
   * Inner join with another table on the key (Kafka's `KTable#join`): a table of
   * `joiner(value, otherValue)` for keys present in both. An update on either side emits the new
   * joined row stamped with the max of both rows' timestamps; deleting a row that had a partner
   * emits a tombstone. Stateful: both tables are read through their stores (materialized if
   * needed). Updates carry old values when a downstream asks (e.g. a `groupBy` aggregation).
   * @example
   * users.join(accounts, (u, a) => ({ ...u, balance: a.balance }), Materialized.as('user-balances'));
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, named?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<KO, VO, VR>(other: KTable<K, VO> | KTable<KO, VO>, a: unknown, b?: unknown, c?: unknown, d?: unknown): KTable<K, VR> {
    if (typeof b === 'function') return this.#foreignKeyJoin(other as KTable<KO, VO>, a, b, c, d, false);
    return this.#join(other as KTable<K, VO>, a, b as Named | Materialized<K, VR> | undefined, c as Materialized<K, VR> | undefined, 'inner');
  }

  /**
   * Foreign-key left join: as the foreign-key {@link join}, but every row of this table has a
   * result — `joiner(value, null)` when its foreign key is null or has no match (or its match is
   * deleted).
   * @example
   * orders.leftJoin(customers, (o) => o.customerId, (o, c) => ({ ...o, customer: c?.name ?? 'unknown' }));
   */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: ForeignKeyExtractor<K, V, KO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    tableJoined?: TableJoined<K, KO> | Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  /**
   * Left join with another table: every row of this table, joined with the other's row or `null`.
   * Updates of the other side emit only for keys this table has (a deleted other row re-joins
   * with null).
   * @example
   * orders.leftJoin(shipments, (o, s) => ({ ...o, shipped: s !== null }));
   */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, named?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<KO, VO, VR>(other: KTable<K, VO> | KTable<KO, VO>, a: unknown, b?: unknown, c?: unknown, d?: unknown): KTable<K, VR> {
    if (typeof b === 'function') return this.#foreignKeyJoin(other as KTable<KO, VO>, a, b, c, d, true);
    return this.#join(other as KTable<K, VO>, a, b as Named | Materialized<K, VR> | undefined, c as Materialized<K, VR> | undefined, 'left');
  }

  /**
   * Outer join with another table: every key of either table, the missing side as `null`; a row
   * is deleted only when both sides are.
   * @example
   * a.outerJoin(b, (x, y) => ({ x, y }));
   */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, named?: Named | Materialized<K, VR>, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.#join(other, joiner, named, materialized, 'outer');
  }

  #join<VO, VR>(other: KTable<K, VO>, joiner: unknown, named: Named | Materialized<K, VR> | undefined, materialized: Materialized<K, VR> | undefined, kind: TableJoinKind): KTable<K, VR> {
    const options = splitOptions(named, materialized);
    return new KTable<K, VR>(tableTableJoinParts(this, other, joiner as ValueJoiner<V, VO, VR, K>, options.named, options.materialized, kind));
  }

  #foreignKeyJoin<KO, VO, VR>(other: KTable<KO, VO>, extractor: unknown, joiner: unknown, c: unknown, d: unknown, leftJoin: boolean): KTable<K, VR> {
    let tableJoined: TableJoined<K, KO> | undefined;
    let materialized: Materialized<K, VR> | undefined;
    if (c instanceof TableJoined) tableJoined = c;
    else if (c instanceof Named) tableJoined = TableJoined.as(c.name);
    else if (c instanceof Materialized) materialized = c;
    else if (c !== undefined) throw new TypeError('expected a TableJoined, a Named or a Materialized');
    if (d !== undefined) {
      if (!(d instanceof Materialized)) throw new TypeError('expected a Materialized');
      materialized = d;
    }
    const parts = foreignKeyJoinParts(this, other, extractor as ForeignKeyExtractor<K, V, KO>, joiner as ValueJoiner<V, VO, VR, K>, tableJoined, materialized, leftJoin);
    return new KTable<K, VR>(parts);
  }

  #filter(predicate: Predicate<K, V>, negate: boolean, named: Named | Materialized<K, V> | undefined, materialized: Materialized<K, V> | undefined): KTable<K, V> {
    const options = splitOptions(named, materialized);
    const storeName = this.#storeName(options.materialized, KTABLE_FILTER_NAME);
    const name = this.builder.nameOf(options.named, KTABLE_FILTER_NAME);
    const state = new DerivedTableState(this.state, storeName !== undefined);
    const supplier = ktableFilterProcessor(predicate, negate, storeName, state);
    return this.#derived(name, supplier, state, storeName, options.materialized, this.valueSerde);
  }

  /** The store name for a materialized result (generated when unnamed), before the processor name, as in Kafka. */
  #storeName<V2>(materialized: Materialized<K, V2> | undefined, prefix: string): string | undefined {
    if (materialized === undefined) return undefined;
    return materialized.storeName ?? this.builder.newStoreName(prefix);
  }

  #derived<V2>(
    name: string,
    supplier: () => unknown,
    state: TableState,
    storeName: string | undefined,
    materialized: Materialized<K, V2> | undefined,
    valueSerde: Serde<V2> | undefined,
  ): KTable<K, V2> {
    const keySerde = materialized?.keySerde ?? this.keySerde;
    const vs = materialized?.valueSerde ?? valueSerde;
    let store: (() => KeyValueStoreBuilder<K, ValueAndTimestamp<V2>>) | undefined;
    if (storeName !== undefined) {
      const built = timestampedStoreBuilder(materialized, storeName, keySerde, vs);
      if (materialized?.storeName === undefined) noteGeneratedStore(this.builder, storeName, built.loggingEnabled);
      store = () => built;
    }
    const node = this.builder.addNode(
      new TableProcessorGraphNode(name, [this.node], supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, () => store?.()),
    );
    return new KTable<K, V2>({
      builder: this.builder, node, keySerde, valueSerde: vs, state,
      queryableStoreName: materialized?.storeName,
    });
  }
}

registerKTableFactory((parts) => new KTable(parts));
