import type { GraphNode } from './graph-nodes.js';

/**
 * What `suppress(untilWindowCloses)` needs to know about a windowed table: how long its windows
 * stay open after their end (grace; grace + gap for sessions, as Kafka's grace search) and the
 * opt-in idle close. Recorded by the windowed aggregations against their graph node.
 * @example
 * windowedTableInfo.set(node, { graceMs: 5_000, closeOnIdleMs: undefined });
 */
export interface WindowedTableInfo {
  readonly graceMs: number;
  readonly closeOnIdleMs: number | undefined;
}

/**
 * Windowed-aggregation graph nodes and their {@link WindowedTableInfo}.
 * @example
 * const info = windowedTableInfo.get(table.node); // undefined: not a windowed table
 */
export const windowedTableInfo = new WeakMap<GraphNode, WindowedTableInfo>();
