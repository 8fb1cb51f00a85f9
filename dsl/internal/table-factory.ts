import type { Serde } from '../../src/serdes/serde.js';
import type { KTable } from '../ktable.js';
import type { GraphNode } from './graph-nodes.js';
import type { InternalStreamsBuilder } from './internal-streams-builder.js';
import type { TableState } from './table-state.js';

/**
 * What a new KTable is made of.
 * @example
 * const parts: KTableParts<string, number> = { builder, node, keySerde, valueSerde, state, queryableStoreName: 'counts' };
 */
export interface KTableParts<K, V> {
  readonly builder: InternalStreamsBuilder;
  readonly node: GraphNode;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly state: TableState;
  /** The store's name when the table is queryable (materialized under a user-given name). */
  readonly queryableStoreName: string | undefined;
}

type Factory = (parts: KTableParts<unknown, unknown>) => KTable<unknown, unknown>;
let factory: Factory | undefined;

/**
 * Called once by `ktable.ts` at module load. `KStream`, `KGroupedStream`, `KGroupedTable` and
 * `CogroupedKStream` make tables through {@link newKTable} instead of importing `KTable`, which
 * imports them: that keeps the module graph free of cycles.
 * @example
 * registerKTableFactory((parts) => new KTable(parts));
 */
export function registerKTableFactory(make: Factory): void {
  factory = make;
}

/**
 * A new KTable from its parts.
 * @example
 * return newKTable<K, number>({ builder, node, keySerde, valueSerde: Serdes.long(), state, queryableStoreName });
 */
export function newKTable<K, V>(parts: KTableParts<K, V>): KTable<K, V> {
  if (factory === undefined) throw new Error('tributary: dsl/ktable.js is not loaded (import StreamsBuilder from the package entry point)');
  return factory(parts as KTableParts<unknown, unknown>) as KTable<K, V>;
}
