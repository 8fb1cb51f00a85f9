import type { Change } from '../../../src/core/change.js';
import type { Windowed } from '../../../src/core/windowed.js';
import type { Processor } from '../../../src/processor/processor.js';
import { Topology } from '../../../src/processor/topology.js';
import type { Serde } from '../../../src/serdes/serde.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import { Stores } from '../../../state/stores.js';
import type { StoreBuilder } from '../../../state/store-builder.js';
import { valueAndTimestampSerde } from '../../../dsl/internal/value-and-timestamp.js';
import { droppedRecords, resetDroppedRecords } from '../../../dsl/internal/dropped-records.js';

/** One output record of a windowed aggregation: key, window, new value (null = tombstone), timestamp. */
export interface WindowedOut {
  key: string;
  start: number;
  end: number;
  value: number | null;
  timestamp: number;
}

let counter = 0;

/**
 * Runs `aggregate` (a processor emitting `Change<number>` keyed `Windowed<string>`) in the test driver
 * with an in-memory window or session store, and returns a pipe function and the captured output.
 */
export function windowHarness(
  kind: 'window' | 'session',
  supplier: () => Processor<string | null, number | null, Windowed<string>, Change<number>>,
  storeName: string,
  windowSizeMs = 1,
) {
  const store: StoreBuilder =
    kind === 'window'
      ? Stores.windowStoreBuilder(Stores.inMemoryWindowStore(storeName, 1e12, windowSizeMs, false), Serdes.string(), valueAndTimestampSerde(Serdes.int32())).withLoggingDisabled()
      : Stores.sessionStoreBuilder(Stores.inMemorySessionStore(storeName, 1e12), Serdes.string(), Serdes.int32()).withLoggingDisabled();
  const out: WindowedOut[] = [];
  const topology = new Topology()
    .addSource('src', ['in'], { keySerde: Serdes.string() as Serde<unknown>, valueSerde: Serdes.int32() as Serde<unknown> })
    .addProcessor('agg', supplier as never, 'src')
    .addProcessor('capture', () => ({
      process: (r: { key: Windowed<string>; value: Change<number>; timestamp: number }) =>
        void out.push({ key: r.key.key, start: r.key.window.start, end: r.key.window.end, value: r.value.newValue, timestamp: r.timestamp }),
    }), 'agg')
    .addStateStore(store, 'agg');
  const appId = `window-harness-${counter++}`;
  const driver = new TopologyTestDriver(topology, { applicationId: appId }, 0);
  resetDroppedRecords(appId, '0_0');
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.int32());
  return {
    driver,
    out,
    pipe: (key: string | null, value: number | null, timestamp: number) => input.pipeInput(key as string, value as number, timestamp),
    dropped: () => droppedRecords(appId, '0_0'),
  };
}
