import type { Change } from '../../src/core/change.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { Processor } from '../../src/processor/processor.js';
import { ValueAndTimestampSerde } from '../../src/processor/value-and-timestamp.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import type { KGroupedStream } from '../kgrouped-stream.js';
import type { KTable } from '../ktable.js';
import { Materialized } from '../materialized.js';
import { Named } from '../named.js';
import { ProcessorGraphNode, StateStoreGraphNode } from './graph-nodes.js';
import { noteGeneratedStore } from './table-builders.js';
import { newKTable } from './table-factory.js';
import { AggregateTableState, type TableState } from './table-state.js';
import { missingSerde } from './timestamped-store.js';
import { windowedTableInfo } from './windowed-table-info.js';

/**
 * How one windowed aggregation is laid out (everything but the processor).
 * @example
 * const layout: WindowedAggregateLayout<string, number> = { prefix: 'KSTREAM-AGGREGATE-', named: undefined, materialized: undefined, valueSerde: Serdes.long(), store: 'window', windowSizeMs: 10, defaultRetentionMs: 10, minRetentionMs: 10, resultKeySerde: (k) => Serdes.windowed(k, 10), graceForSuppress: 0, closeOnIdleMs: undefined, emitOnClose: false };
 */
export interface WindowedAggregateLayout<K, A> {
  readonly prefix: string;
  readonly named: Named | undefined;
  readonly materialized: Materialized<K, A> | undefined;
  readonly valueSerde: Serde<A> | undefined;
  readonly store: 'window' | 'session';
  /** Window size of the store (time windows: size; sliding: time difference). */
  readonly windowSizeMs: number;
  /** Default retention when Materialized sets none (Kafka: size + grace; sliding 2·diff + grace; session gap + grace). */
  readonly defaultRetentionMs: number;
  /** Smallest retention allowed (same formulas as the default). */
  readonly minRetentionMs: number;
  readonly resultKeySerde: (inner: Serde<K>) => Serde<Windowed<K>>;
  readonly graceForSuppress: number;
  readonly closeOnIdleMs: number | undefined;
  /** `onWindowClose` reads closed windows back from the store: the default retention keeps slack for that. */
  readonly emitOnClose: boolean;
}

/**
 * Default retention of an `onWindowClose` store: the minimum plus Kafka's RocksDB segment interval,
 * `max(min / 2, 60 s)`. Kafka drops whole segments, so a closed window outlives `min` by up to one
 * segment and its final result is still read back; our stores expire windows exactly at their
 * retention, which would lose final results (e.g. tumbling windows without grace) without this.
 * @example
 * onCloseRetentionMs(10); // 60_010
 */
export function onCloseRetentionMs(minRetentionMs: number): number {
  return minRetentionMs + Math.max(Math.floor(minRetentionMs / 2), 60_000);
}

/**
 * Splits Kafka's `(named | materialized)?, materialized?` argument pair.
 * @example
 * const { named, materialized } = splitNamedMaterialized(a, b);
 */
export function splitNamedMaterialized<K, A>(a: Named | Materialized<K, A> | undefined, b: Materialized<K, A> | undefined) {
  if (a !== undefined && !(a instanceof Named) && !(a instanceof Materialized)) throw new TypeError('expected a Named or a Materialized');
  return { named: a instanceof Named ? a : undefined, materialized: a instanceof Materialized ? a : b };
}

/**
 * Adds a windowed aggregation to the graph as Kafka does: store name (`<prefix>STATE-STORE-<n>`
 * unless named), processor name, the repartition if one is required, the window or session store
 * (values with timestamps for window stores) and the processor node; returns the result table.
 * @example
 * return windowedAggregate(grouped, layout, (storeName, state) => timeWindowAggregateProcessor(windows, { storeName, ... }));
 */
export function windowedAggregate<K, V, A>(
  grouped: KGroupedStream<K, V>,
  layout: WindowedAggregateLayout<K, A>,
  processor: (storeName: string, state: TableState) => () => Processor<K, V, Windowed<K>, Change<A>>,
): KTable<Windowed<K>, A> {
  const b = grouped.stream.builder;
  const m = layout.materialized;
  const storeName = m?.storeName ?? b.newStoreName(layout.prefix);
  const name = b.nameOf(layout.named, layout.prefix);
  const source = grouped.repartitionedFor(storeName, m?.storeName !== undefined);
  const keySerde = m?.keySerde ?? grouped.keySerde ?? missingSerde<K>(storeName, 'key');
  const valueSerde = m?.valueSerde ?? layout.valueSerde ?? missingSerde<A>(storeName, 'value');
  const retention = m?.retentionMs ?? (layout.emitOnClose ? onCloseRetentionMs(layout.defaultRetentionMs) : layout.defaultRetentionMs);
  if (retention < layout.minRetentionMs) {
    throw new RangeError(`store "${storeName}": retention ${retention} ms must be >= ${layout.minRetentionMs} ms (window size/gap + grace, as Kafka requires)`);
  }
  const base = (m ?? Materialized.as<K, A>(storeName)).withRetention(retention);
  let store: StoreBuilder;
  if (layout.store === 'window') {
    const vs = new ValueAndTimestampSerde(valueSerde);
    store = base.withKeySerde(keySerde).withValueSerde(vs).toWindowStoreBuilder({ name: storeName, keySerde, valueSerde: vs, windowSizeMs: layout.windowSizeMs, graceMs: 0 });
  } else {
    store = base.withKeySerde(keySerde).withValueSerde(valueSerde).toSessionStoreBuilder({ name: storeName, keySerde, valueSerde, gapMs: 0, graceMs: 0 });
  }
  if (m?.storeName === undefined) noteGeneratedStore(b, storeName, store.loggingEnabled);
  b.addNode(new StateStoreGraphNode(store));
  const state = new AggregateTableState();
  const node = b.addNode(new ProcessorGraphNode(name, [source.node], processor(storeName, state) as never, [storeName]));
  windowedTableInfo.set(node, { graceMs: layout.graceForSuppress, closeOnIdleMs: layout.closeOnIdleMs });
  const resultKey = m?.keySerde ?? grouped.keySerde;
  return newKTable<Windowed<K>, A>({
    builder: b,
    node,
    keySerde: resultKey === undefined ? undefined : layout.resultKeySerde(resultKey),
    valueSerde: m?.valueSerde ?? layout.valueSerde,
    state,
    queryableStoreName: m?.storeName,
  });
}
