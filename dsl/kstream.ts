import type { TopicNameExtractor } from '../src/processor/node-options.js';
import type { ProcessorSupplier } from '../src/processor/processor.js';
import type { Serde } from '../src/serdes/serde.js';
import { BranchedKStream } from './branched-kstream.js';
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper } from './functions.js';
import { ProcessorGraphNode, type GraphNode } from './internal/graph-nodes.js';
import type { InternalStreamsBuilder } from './internal/internal-streams-builder.js';
import type { KeyValue } from './key-value.js';
import { Named } from './named.js';
import { FILTER_NAME, filterProcessor } from './operators/filter.js';
import { FLATMAP_NAME, flatMapProcessor } from './operators/flat-map.js';
import { FLATMAPVALUES_NAME, flatMapValuesProcessor } from './operators/flat-map-values.js';
import { FOREACH_NAME, foreachProcessor } from './operators/foreach.js';
import { MAP_NAME, mapProcessor } from './operators/map.js';
import { MAPVALUES_NAME, mapValuesProcessor } from './operators/map-values.js';
import { mergeNode } from './operators/merge.js';
import { PEEK_NAME, peekProcessor } from './operators/peek.js';
import { processNode } from './operators/process.js';
import { REPARTITION_NAME, repartitionNode } from './operators/repartition.js';
import { KEY_SELECT_NAME, selectKeyProcessor } from './operators/select-key.js';
import { sinkNode } from './operators/to.js';
import type { Produced } from './produced.js';
import type { Repartitioned } from './repartitioned.js';
import type { Grouped } from './grouped.js';
import { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import type { Materialized } from './materialized.js';
import { tableSourceNode } from './internal/table-builders.js';
import { newKTable } from './internal/table-factory.js';
import { TO_KTABLE_NAME } from './operators/ktable-source.js';
import { streamStreamJoinNode } from './operators/stream-stream-join.js';
import { streamTableJoinNode } from './operators/stream-table-join.js';
import { streamGlobalTableJoinNode } from './operators/stream-global-table-join.js';
import { GlobalKTable } from './global-ktable.js';
import type { Joined } from './joined.js';
import type { StreamJoined } from './stream-joined.js';
import type { JoinWindows } from './windows/join-windows.js';

/**
 * An unbounded stream of key-value records (Kafka Streams' `KStream`). Every operation returns a
 * new `KStream` (or ends the branch), adds nodes to the builder's logical graph and does nothing
 * until the built `Topology` runs.
 *
 * All operations here are stateless and record-by-record. Key-changing ones (`map`, `flatMap`,
 * `selectKey`, `process`) mark the result as requiring a repartition: a later grouping or join
 * first routes it through `<applicationId>-<name>-repartition` so that equal keys meet in one task.
 *
 * @example
 * builder.stream('orders', Consumed.with(Serdes.string(), Serdes.json<Order>()))
 *   .filter((_, o) => o.total > 0)
 *   .mapValues((o) => ({ ...o, total: Math.round(o.total) }))
 *   .to('clean-orders', Produced.with(Serdes.string(), Serdes.json<Order>()));
 */
export class KStream<K, V> {
  /** @internal Streams are made by `StreamsBuilder.stream()` and by operations, not constructed. */
  constructor(
    /** @internal */ readonly builder: InternalStreamsBuilder,
    /** @internal */ readonly node: GraphNode,
    /** @internal The key serde, when known (from the source or an explicit option). */
    readonly keySerde: Serde<K> | undefined,
    /** @internal The value serde, when known. */
    readonly valueSerde: Serde<V> | undefined,
    /** @internal True after a key-changing operation, until a repartition. */
    readonly repartitionRequired: boolean,
  ) {}

  /** Keeps the records `predicate` accepts. A type-guard predicate narrows the value type. */
  filter<V2 extends V>(predicate: (key: K, value: V) => value is V2, named?: Named): KStream<K, V2>;
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V>;
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(FILTER_NAME, named, filterProcessor(predicate, false), false, true, true);
  }

  /** Keeps the records `predicate` rejects (node named `KSTREAM-FILTER-…`, as in Kafka). */
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(FILTER_NAME, named, filterProcessor(predicate, true), false, true, true);
  }

  /** A new key and value per record. Key-changing: marks the result as requiring a repartition. */
  map<K2, V2>(mapper: KeyValueMapper<K, V, KeyValue<K2, V2>>, named?: Named): KStream<K2, V2> {
    return this.#stateless(MAP_NAME, named, mapProcessor(mapper), true, false, false);
  }

  /** A new value per record; key, timestamp and headers unchanged. `mapper(value, readOnlyKey)`. */
  mapValues<V2>(mapper: ValueMapper<V, V2, K>, named?: Named): KStream<K, V2> {
    return this.#stateless(MAPVALUES_NAME, named, mapValuesProcessor(mapper), false, true, false);
  }

  /** Zero or more key-value pairs per record. Key-changing: marks repartition required. */
  flatMap<K2, V2>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<K2, V2>>>, named?: Named): KStream<K2, V2> {
    return this.#stateless(FLATMAP_NAME, named, flatMapProcessor(mapper), true, false, false);
  }

  /** Zero or more values per record, same key. `mapper(value, readOnlyKey)`. */
  flatMapValues<V2>(mapper: ValueMapper<V, Iterable<V2>, K>, named?: Named): KStream<K, V2> {
    return this.#stateless(FLATMAPVALUES_NAME, named, flatMapValuesProcessor(mapper), false, true, false);
  }

  /** A new key per record, same value. Key-changing: marks repartition required. */
  selectKey<K2>(selector: KeyValueMapper<K, V, K2>, named?: Named): KStream<K2, V> {
    return this.#stateless(KEY_SELECT_NAME, named, selectKeyProcessor(selector), true, false, true);
  }

  /** Runs `action` per record and passes the record on unchanged. */
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    return this.#stateless(PEEK_NAME, named, peekProcessor(action), false, true, true);
  }

  /** Runs `action` per record; terminal (nothing flows on). */
  foreach(action: ForeachAction<K, V>, named?: Named): void {
    const name = this.builder.nameOf(named, FOREACH_NAME);
    this.builder.addNode(new ProcessorGraphNode(name, [this.node], foreachProcessor(action) as never));
  }

  /**
   * Splits the stream by predicates: each record goes to the first branch whose predicate accepts
   * it (or to the default branch, or is dropped). Branch streams are keyed `<splitName><branchName>`.
   */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(
      this,
      named,
      (node) => new KStream<K, V>(this.builder, node, this.keySerde, this.valueSerde, this.repartitionRequired),
    );
  }

  /** Both streams' records in one stream (no ordering guarantee between the two). */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (other.builder !== this.builder) throw new TypeError('merge: both streams must come from the same StreamsBuilder');
    const node = mergeNode(this.builder, this.node, other.node, named);
    return new KStream<K, V>(this.builder, node, undefined, undefined, this.repartitionRequired || other.repartitionRequired);
  }

  /**
   * Routes the stream through a repartition topic `<applicationId>-<name>-repartition` (records with
   * a null key are dropped), so that it is partitioned by its current key. Starts a new sub-topology.
   */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const generated = this.builder.newProcessorName(REPARTITION_NAME);
    const keySerde = repartitioned?.keySerde ?? this.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? this.valueSerde;
    const node = repartitionNode(this.builder, this.node, {
      baseName: repartitioned?.name ?? generated,
      userNamed: repartitioned?.name !== undefined,
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
      numberOfPartitions: repartitioned?.numberOfPartitions,
      partitioner: repartitioned?.partitioner as never,
    });
    return new KStream<K, V>(this.builder, node, keySerde, valueSerde, false);
  }

  /** Writes the stream to a topic, or to the topic `extractor(key, value, recordContext)` picks. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    sinkNode(this.builder, this.node, topic, produced, this.keySerde, this.valueSerde);
  }

  /**
   * Runs a Processor API processor on the stream, with access to the named stores (added with
   * `StreamsBuilder.addStateStore`). What it forwards is the result stream (repartition required).
   */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut>;
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, named: Named, ...storeNames: string[]): KStream<KOut, VOut>;
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...rest: (string | Named)[]): KStream<KOut, VOut> {
    const named = rest[0] instanceof Named ? rest[0] : undefined;
    const stores = (named === undefined ? rest : rest.slice(1)).map((s) => {
      if (typeof s !== 'string') throw new TypeError('process: store names must be strings (a Named goes first)');
      return s;
    });
    const node = processNode(this.builder, this.node, supplier, named, stores);
    return new KStream<KOut, VOut>(this.builder, node, undefined, undefined, true);
  }

  /**
   * Groups the records by their current key for an aggregation (no new key). Repartitions first
   * (lazily, at the aggregation) only if a key-changing operation came before.
   */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped);
  }

  /**
   * Groups the records by `selector(key, value)` for an aggregation: a key change, so the
   * aggregation reads the stream back from `<applicationId>-<name>-repartition`. The select node is
   * named by `grouped`'s name when given (else `KSTREAM-KEY-SELECT-…`).
   */
  groupBy<K2>(selector: KeyValueMapper<K, V, K2>, grouped?: Grouped<K2, V>): KGroupedStream<K2, V> {
    const named = grouped?.name === undefined ? undefined : Named.as(grouped.name);
    return new KGroupedStream<K2, V>(this.selectKey(selector, named), grouped);
  }

  /**
   * The stream as a table: each record an upsert of its key's row (a null value deletes it).
   * Repartitions first if a key-changing operation came before. Materialized (queryable) when
   * `materialized` names a store.
   */
  toTable(named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const givenName = named instanceof Named ? named : undefined;
    const m = named !== undefined && !(named instanceof Named) ? named : materialized;
    const name = this.builder.nameOf(givenName, TO_KTABLE_NAME);
    const generatedStore = m?.storeName ?? this.builder.newStoreName(TO_KTABLE_NAME);
    const keySerde = m?.keySerde ?? this.keySerde;
    const valueSerde = m?.valueSerde ?? this.valueSerde;
    const source = this.repartitionIfRequired(name, { keySerde, valueSerde, userNamed: givenName !== undefined });
    return newKTable(tableSourceNode(this.builder, name, source.node, generatedStore, m, keySerde, valueSerde));
  }

  /**
   * Inner join with another stream (Kafka's sliding-window `KStream#join`): each record of either
   * side joins every record of the other side with the same key whose timestamp lies within
   * `[t - before, t + after]` of the left record's `t` (both inclusive); results are stamped
   * `max(leftTs, rightTs)`. Stateful (two window stores kept for `before + after + grace`);
   * repartitions either side first if needed. Records with a null key or value are dropped.
   * @example
   * clicks.join(views, (c, v) => ({ c, v }), JoinWindows.ofTimeDifferenceWithNoGrace(60_000), StreamJoined.with(S, clickSerde, viewSerde));
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /**
   * Inner join with a table (Kafka's `KStream#join(KTable)`): each stream record looks its key up in
   * the table as of now and, if the table has a row, forwards `joiner(value, row)` with the stream
   * record's timestamp. Table updates never emit. The table is materialized if it was not; the
   * stream is repartitioned first if needed. Null keys and values are dropped (counted).
   * @example
   * payments.join(accounts, (p, a) => ({ ...p, limit: a.limit }), Joined.with(S, paymentSerde, accountSerde));
   */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /**
   * Inner join with a global table (Kafka's `KStream#join(GlobalKTable)`): each stream record looks
   * up `keySelector(key, value)` in the global table as of now and, if the table has a row, forwards
   * `joiner(value, row, key)` with the stream record's key and timestamp. No repartition (the table
   * is on every instance) and no co-partitioning; table updates never emit. Records with a null
   * value, or whose selected key is null, are dropped (counted).
   * @example
   * orders.join(products, (_id, o) => o.productId, (o, p) => ({ ...o, price: p.price }));
   */
  join<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: KeyValueMapper<K, V, GK | null>, joiner: ValueJoiner<V, GV, VR, K>, named?: Named): KStream<K, VR>;
  join<VO, VR>(other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>, joiner: unknown, windowsOrJoined?: unknown, streamJoined?: unknown): KStream<K, VR> {
    if (other instanceof GlobalKTable) return this.#joinGlobal(other, joiner, windowsOrJoined, streamJoined, false);
    if (other instanceof KStream) return this.#joinStream(other, joiner, windowsOrJoined as JoinWindows, streamJoined as StreamJoined<K, V, VO> | undefined, 'inner');
    return this.#joinTable(other, joiner, windowsOrJoined as Joined<K, V, VO> | undefined, false);
  }

  /**
   * Left join with another stream: the inner join's results, plus each left record that found no
   * match joined with `null` — emitted only once its window has closed (stream time past
   * `t + after + grace`, Kafka ≥ 3.1), in timestamp order. A left record with a null key is joined
   * with null at once (KIP-962).
   * @example
   * orders.leftJoin(payments, (o, p) => ({ o, paid: p !== null }), JoinWindows.ofTimeDifferenceAndGrace(3_600_000, 60_000));
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  /**
   * Left join with a table: like the inner {@link join} with a table, but a stream record whose key
   * the table lacks (or whose key is null, KIP-962) is joined with `null` instead of dropped.
   * @example
   * clicks.leftJoin(users, (c, u) => ({ ...c, country: u?.country ?? 'unknown' }));
   */
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR, K>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  /**
   * Left join with a global table: like the inner {@link join} with a global table, but a record
   * whose selected key is null or missing from the table is joined with `null` instead of dropped
   * (records with a null value are still dropped, as in Kafka).
   * @example
   * clicks.leftJoin(pages, (_k, c) => c.pageId, (c, p) => ({ ...c, title: p?.title ?? 'unknown' }));
   */
  leftJoin<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: KeyValueMapper<K, V, GK | null>, joiner: ValueJoiner<V, GV | null, VR, K>, named?: Named): KStream<K, VR>;
  leftJoin<VO, VR>(other: KStream<K, VO> | KTable<K, VO> | GlobalKTable<unknown, VO>, joiner: unknown, windowsOrJoined?: unknown, streamJoined?: unknown): KStream<K, VR> {
    if (other instanceof GlobalKTable) return this.#joinGlobal(other, joiner, windowsOrJoined, streamJoined, true);
    if (other instanceof KStream) return this.#joinStream(other, joiner, windowsOrJoined as JoinWindows, streamJoined as StreamJoined<K, V, VO> | undefined, 'left');
    return this.#joinTable(other, joiner, windowsOrJoined as Joined<K, V, VO> | undefined, true);
  }

  /**
   * Outer join with another stream: like {@link leftJoin}, for unmatched records of both sides
   * (the missing side is passed as `null`).
   * @example
   * a.outerJoin(b, (x, y) => [x, y], JoinWindows.ofTimeDifferenceWithNoGrace(1_000));
   */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR> {
    return this.#joinStream(other, joiner, windows, streamJoined, 'outer');
  }

  #joinGlobal<VR>(table: GlobalKTable<unknown, unknown>, keySelector: unknown, joiner: unknown, named: unknown, leftJoin: boolean): KStream<K, VR> {
    const node = streamGlobalTableJoinNode(this, table, keySelector as KeyValueMapper<K, V, unknown>, joiner as ValueJoiner<V, unknown, VR, K>, named as Named | undefined, leftJoin);
    // No repartition happens here, so a pending key change still needs one downstream (as in Kafka).
    return new KStream<K, VR>(this.builder, node, this.keySerde, undefined, this.repartitionRequired);
  }

  #joinTable<VT, VR>(table: KTable<K, VT>, joiner: unknown, joined: Joined<K, V, VT> | undefined, leftJoin: boolean): KStream<K, VR> {
    const { node, keySerde } = streamTableJoinNode(this, table, joiner as ValueJoiner<V, VT, VR, K>, joined, leftJoin);
    return new KStream<K, VR>(this.builder, node, keySerde, undefined, false);
  }

  #joinStream<VO, VR>(
    other: KStream<K, VO>,
    joiner: unknown,
    windows: JoinWindows,
    streamJoined: StreamJoined<K, V, VO> | undefined,
    kind: 'inner' | 'left' | 'outer',
  ): KStream<K, VR> {
    const { node, keySerde } = streamStreamJoinNode(this, other, joiner as ValueJoiner<V, VO, VR, K>, windows, streamJoined, kind);
    return new KStream<K, VR>(this.builder, node, keySerde, undefined, false);
  }

  /**
   * @internal For grouping and joins: if a key-changing operation happened since the last
   * repartition, route through `<name>-repartition` now; otherwise return this stream.
   * `userNamed` says whether `name` came from the user (else it counts as a generated name).
   */
  repartitionIfRequired(
    name: string,
    options: { keySerde?: Serde<K> | undefined; valueSerde?: Serde<V> | undefined; userNamed: boolean },
  ): KStream<K, V> {
    if (!this.repartitionRequired) return this;
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    const node = repartitionNode(this.builder, this.node, {
      baseName: name,
      userNamed: options.userNamed,
      keySerde: keySerde as Serde<unknown> | undefined,
      valueSerde: valueSerde as Serde<unknown> | undefined,
    });
    return new KStream<K, V>(this.builder, node, keySerde, valueSerde, false);
  }

  #stateless<K2, V2>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<K, V, K2, V2>,
    keyChanging: boolean,
    keepKeySerde: boolean,
    keepValueSerde: boolean,
  ): KStream<K2, V2> {
    if (named !== undefined && !(named instanceof Named)) throw new TypeError('named must be a Named (Named.as(name))');
    const name = this.builder.nameOf(named, prefix);
    const node = this.builder.addNode(
      new ProcessorGraphNode(name, [this.node], supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>),
    );
    return new KStream<K2, V2>(
      this.builder,
      node,
      (keepKeySerde ? this.keySerde : undefined) as Serde<K2> | undefined,
      (keepValueSerde ? this.valueSerde : undefined) as Serde<V2> | undefined,
      this.repartitionRequired || keyChanging,
    );
  }
}
