import { TopologyError } from '../../src/core/errors.js';
import type { KTable } from '../ktable.js';
import { ProcessorGraphNode } from './graph-nodes.js';
import { noteGeneratedStore } from './table-builders.js';
import { TableProcessorGraphNode } from './table-graph-nodes.js';
import { SourceTableState } from './table-state.js';

/**
 * The name of the key-value store (of `ValueAndTimestamp`s) a join reads `table` from — Kafka's
 * value getter, restricted to tables that keep a store: a source table (materialized now if it was
 * not, as Kafka's `KTableSource.materialize()`), a table made with `Materialized`, or an
 * aggregation. A non-materialized `filter`/`mapValues` result is refused with a `TopologyError`
 * (Kafka would compute its values through its parent; pass `Materialized.as(...)` instead).
 * @example
 * const storeName = joinableTableStore(accounts); // e.g. 'accounts-STATE-STORE-0000000001'
 */
export function joinableTableStore(table: KTable<unknown, unknown>): string {
  const node = table.node;
  if (node instanceof TableProcessorGraphNode) {
    const state = table.state;
    if (state instanceof SourceTableState && !state.materialized) {
      state.materialized = true;
      const store = node.storeBuilder();
      if (store !== undefined && table.queryableStoreName === undefined) noteGeneratedStore(table.builder, store.name, store.loggingEnabled);
    }
    const store = node.storeBuilder();
    if (store !== undefined) return store.name;
  } else if (node instanceof ProcessorGraphNode && node.storeNames.length === 1) {
    return node.storeNames[0]!;
  }
  throw new TopologyError(
    `join: table "${node.name}" keeps no state store to look values up in; ` +
      'materialize it (pass Materialized.as(name) to the operation that made it)',
  );
}
