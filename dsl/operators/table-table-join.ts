import type { ProcessorSupplier } from '../../src/processor/processor.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { ValueJoiner } from '../functions.js';
import { ProcessorGraphNode } from '../internal/graph-nodes.js';
import { joinableTableStore } from '../internal/joinable-table.js';
import { noteGeneratedStore } from '../internal/table-builders.js';
import type { KTableParts } from '../internal/table-factory.js';
import { TableProcessorGraphNode } from '../internal/table-graph-nodes.js';
import { JoinTableState, tableJoinMergeProcessor, tableTableJoinProcessor, type TableJoinSide } from '../internal/table-table-join-processor.js';
import { timestampedStoreBuilder } from '../internal/timestamped-store.js';
import type { KTable } from '../ktable.js';
import type { Materialized } from '../materialized.js';
import type { Named } from '../named.js';

/** Node name prefixes of table–table joins, as in Kafka. @example builder.newProcessorName(KTABLE_MERGE_NAME); // 'KTABLE-MERGE-0000000004' */
export const KTABLE_MERGE_NAME = 'KTABLE-MERGE-';
/** @see KTABLE_MERGE_NAME @example builder.newProcessorName(KTABLE_JOINTHIS_NAME); */
export const KTABLE_JOINTHIS_NAME = 'KTABLE-JOINTHIS-';
/** @see KTABLE_MERGE_NAME @example builder.newProcessorName(KTABLE_JOINOTHER_NAME); */
export const KTABLE_JOINOTHER_NAME = 'KTABLE-JOINOTHER-';

/**
 * Which table–table join.
 * @example
 * const kind: TableJoinKind = 'outer';
 */
export type TableJoinKind = 'inner' | 'left' | 'outer';

/**
 * The parts of the table `KTable.join/leftJoin/outerJoin(other, joiner, named?, materialized?)`
 * makes, as Kafka's `KTableImpl.doJoin`: a store name `KTABLE-MERGE-STATE-STORE-<n>` if
 * `materialized` names none, then `KTABLE-MERGE-`, `KTABLE-JOINTHIS-`, `KTABLE-JOINOTHER-` (or
 * `<name>`, `<name>-join-this`, `<name>-join-other`). Both parents are read through their stores
 * (materialized if needed); a left join makes the left parent send old values, an outer join both.
 * @example
 * const parts = tableTableJoinParts(users, accounts, (u, a) => ({ u, a }), undefined, undefined, 'inner');
 */
export function tableTableJoinParts<K, V, VO, R>(
  left: KTable<K, V>,
  right: KTable<K, VO>,
  joiner: ValueJoiner<V, VO, R, K> | ValueJoiner<V, VO | null, R, K> | ValueJoiner<V | null, VO | null, R, K>,
  named: Named | undefined,
  materialized: Materialized<K, R> | undefined,
  kind: TableJoinKind,
): KTableParts<K, R> {
  if (right.builder !== left.builder) throw new TypeError('join: both tables must come from the same StreamsBuilder');
  const b = left.builder;
  const storeName = materialized === undefined ? undefined : (materialized.storeName ?? b.newStoreName(KTABLE_MERGE_NAME));
  const name = named?.name;
  const mergeName = name ?? b.newProcessorName(KTABLE_MERGE_NAME);
  if (kind !== 'inner') left.state.enableSendingOldValues(true);
  if (kind === 'outer') right.state.enableSendingOldValues(true);
  const thisName = name === undefined ? b.newProcessorName(KTABLE_JOINTHIS_NAME) : `${name}-join-this`;
  const otherName = name === undefined ? b.newProcessorName(KTABLE_JOINOTHER_NAME) : `${name}-join-other`;
  const leftStore = joinableTableStore(left as KTable<unknown, unknown>);
  const rightStore = joinableTableStore(right as KTable<unknown, unknown>);
  const state = new JoinTableState(left.state, right.state);
  const user = joiner as (l: V | null, r: VO | null, k: K) => R;
  const sides: Record<TableJoinKind, [TableJoinSide, TableJoinSide]> = { inner: ['inner', 'inner'], left: ['left', 'right'], outer: ['outer', 'outer'] };
  const [thisSide, otherSide] = sides[kind];
  const asSupplier = (s: unknown) => s as ProcessorSupplier<unknown, unknown, unknown, unknown>;
  const joinThis = b.addNode(new ProcessorGraphNode(thisName, [left.node], asSupplier(tableTableJoinProcessor<K, V, VO, R>(thisSide, rightStore, (v, o, k) => user(v, o, k), state)), [rightStore]));
  const joinOther = b.addNode(new ProcessorGraphNode(otherName, [right.node], asSupplier(tableTableJoinProcessor<K, VO, V, R>(otherSide, leftStore, (v, o, k) => user(o, v, k), state)), [leftStore]));
  const keySerde = materialized?.keySerde ?? left.keySerde;
  const valueSerde = materialized?.valueSerde as Serde<R> | undefined;
  const store = storeName === undefined ? undefined : timestampedStoreBuilder(materialized, storeName, keySerde, valueSerde);
  if (store !== undefined && materialized?.storeName === undefined) noteGeneratedStore(b, store.name, store.loggingEnabled);
  const node = b.addNode(new TableProcessorGraphNode(mergeName, [joinThis, joinOther], asSupplier(tableJoinMergeProcessor<K, R>(storeName, state)), () => store));
  return { builder: b, node, keySerde, valueSerde, state, queryableStoreName: materialized?.storeName };
}
