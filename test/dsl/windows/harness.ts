import type { Change } from '../../../src/core/change.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { Windowed } from '../../../src/core/windowed.js';
import type { Processor } from '../../../src/processor/processor.js';
import { Record } from '../../../src/processor/record.js';
import { TaskExecutor } from '../../../src/processor/task-executor.js';
import { Topology } from '../../../src/processor/topology.js';
import { ValueAndTimestampSerde } from '../../../src/processor/value-and-timestamp.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { Stores } from '../../../state/stores.js';
import type { StoreBuilder } from '../../../state/store-builder.js';

/** One output record of a windowed aggregation: key, window, new value (null = tombstone), timestamp. */
export interface WindowedOut {
  key: string;
  start: number;
  end: number;
  value: number | null;
  timestamp: number;
}

/**
 * Runs `aggregate` (a processor emitting `Change<number>` keyed `Windowed<string>`) in one task
 * (`TaskExecutor`, the engine under the driver and the runtime) with an in-memory window or session
 * store and a manual wall clock; captures what it forwards and reads the task's dropped-records.
 */
export function windowHarness(
  kind: 'window' | 'session',
  supplier: () => Processor<string | null, number | null, Windowed<string>, Change<number>>,
  storeName: string,
  windowSizeMs = 1,
  options: { caching?: boolean } = {},
) {
  let store: StoreBuilder =
    kind === 'window'
      ? Stores.windowStoreBuilder(Stores.inMemoryWindowStore(storeName, 1e12, windowSizeMs, false), Serdes.string(), new ValueAndTimestampSerde(Serdes.int32())).withLoggingDisabled()
      : Stores.sessionStoreBuilder(Stores.inMemorySessionStore(storeName, 1e12), Serdes.string(), Serdes.int32()).withLoggingDisabled();
  if (options.caching === true) store = (store as unknown as { withCachingEnabled(): StoreBuilder }).withCachingEnabled();
  const out: WindowedOut[] = [];
  const topology = new Topology()
    .addSource('src', ['in'], { keySerde: Serdes.string(), valueSerde: Serdes.int32() })
    .addProcessor('agg', supplier as never, 'src')
    .addProcessor('capture', () => ({
      process: (r: Record<Windowed<string>, Change<number>>) =>
        void out.push({ key: r.key.key, start: r.key.window.start, end: r.key.window.end, value: r.value.newValue, timestamp: r.timestamp }),
    }), 'agg')
    .addStateStore(store, 'agg');
  const clock = new ManualClock(0);
  const task = new TaskExecutor(topology, { subtopologyId: 0, partition: 0, applicationId: 'windows', collector: { send: () => {} }, clock });
  task.init();
  return {
    task,
    out,
    pipe: (key: string | null, value: number | null, timestamp: number) => {
      task.pushRecord('in', new Record(key, value, timestamp));
      task.punctuateStreamTime();
    },
    advanceWallClock: (ms: number) => {
      clock.advance(ms);
      task.punctuateWallClock();
    },
    flush: () => task.flushStores(),
    dropped: () => task.metrics.dropped,
    close: () => void task.close(),
  };
}
