import { TopologyError } from '../../src/core/errors.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { ProcessorGraphNode, StateStoreGraphNode } from '../internal/graph-nodes.js';
import { suppressProcessor } from '../internal/suppress-processor.js';
import { noteGeneratedStore } from '../internal/table-builders.js';
import { newKTable } from '../internal/table-factory.js';
import { DerivedTableState } from '../internal/table-state.js';
import { missingSerde } from '../internal/timestamped-store.js';
import { windowedTableInfo } from '../internal/windowed-table-info.js';
import type { KTable } from '../ktable.js';
import { Suppressed } from '../suppressed.js';
import { Stores } from '../../state/stores.js';

/**
 * Node name prefix of `KTable.suppress` (its buffer store is `KTABLE-SUPPRESS-STATE-STORE-<n>`).
 * @example
 * builder.newProcessorName(SUPPRESS_NAME); // 'KTABLE-SUPPRESS-0000000004'
 */
export const SUPPRESS_NAME = 'KTABLE-SUPPRESS-';

/**
 * `table.suppress(suppressed)` as Kafka builds it: processor `KTABLE-SUPPRESS-<n>` (or the
 * `withName` name) and its buffer store `KTABLE-SUPPRESS-STATE-STORE-<n>` (or `<name>-store`), an
 * in-memory key-value store of bytes logged to `<appId>-<store>-changelog`. `untilWindowCloses`
 * needs a windowed table from `windowedBy(...).count/reduce/aggregate` (it takes the grace period —
 * grace + gap for sessions — from there).
 * @example
 * const finals = suppressTable(counts, Suppressed.untilWindowCloses(BufferConfig.unbounded()));
 */
export function suppressTable<K, V>(table: KTable<K, V>, suppressed: Suppressed): KTable<K, V> {
  if (!(suppressed instanceof Suppressed)) throw new TypeError('suppress: expected Suppressed.untilWindowCloses(...) or Suppressed.untilTimeLimit(...)');
  const b = table.builder;
  const info = windowedTableInfo.get(table.node);
  if (suppressed.kind === 'UNTIL_WINDOW_CLOSES' && info === undefined) {
    throw new TopologyError('suppress(untilWindowCloses) needs a windowed KTable (the direct result of windowedBy(...).count/reduce/aggregate)');
  }
  const name = suppressed.name ?? b.newProcessorName(SUPPRESS_NAME);
  const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : b.newStoreName(SUPPRESS_NAME);
  const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.bytes(), Serdes.bytes()).withLoggingEnabled();
  if (suppressed.name === undefined) noteGeneratedStore(b, storeName, true);
  b.addNode(new StateStoreGraphNode(store));
  const supplier = suppressProcessor<K, V>({
    suppressed,
    storeName,
    keySerde: table.keySerde ?? missingSerde<K>(storeName, 'key'),
    valueSerde: table.valueSerde ?? missingSerde<V>(storeName, 'value'),
    graceMs: info?.graceMs ?? 0,
    closeOnIdleMs: info?.closeOnIdleMs,
  });
  const node = b.addNode(new ProcessorGraphNode(name, [table.node], supplier as never, [storeName]));
  if (info !== undefined) windowedTableInfo.set(node, info);
  return newKTable<K, V>({
    builder: b, node, keySerde: table.keySerde, valueSerde: table.valueSerde,
    state: new DerivedTableState(table.state, false), queryableStoreName: undefined,
  });
}
