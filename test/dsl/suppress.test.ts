import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmitStrategy } from '../../dsl/emit-strategy.js';
import { suppressProcessor } from '../../dsl/internal/suppress-processor.js';
import { timeWindowAggregateProcessor } from '../../dsl/internal/time-window-aggregate-processor.js';
import { BufferConfig, Suppressed } from '../../dsl/suppressed.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import type { Change } from '../../src/core/change.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Windowed } from '../../src/core/windowed.js';
import { Record } from '../../src/processor/record.js';
import { TaskExecutor } from '../../src/processor/task-executor.js';
import { Topology } from '../../src/processor/topology.js';
import { ValueAndTimestampSerde } from '../../src/processor/value-and-timestamp.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { keyedRecords } from '../../src/testing/arbitraries.js';
import { Stores } from '../../state/stores.js';

const count = { storeName: 'counts', initializer: () => 0, aggregator: (_k: string, _v: number, a: number) => a + 1, emitStrategy: EmitStrategy.onWindowUpdate() };

function run(windows: TimeWindows, suppressed: Suppressed, opts: { closeOnIdleMs?: number } = {}) {
  const keySerde = Serdes.windowed(Serdes.string(), windows.sizeMs);
  const out: string[] = [];
  const topology = new Topology()
    .addSource('src', ['in'], { keySerde: Serdes.string(), valueSerde: Serdes.int32() })
    .addProcessor('agg', timeWindowAggregateProcessor(windows, count) as never, 'src')
    .addProcessor('suppress', suppressProcessor({ suppressed, storeName: 'buffer', keySerde, valueSerde: Serdes.int32(), graceMs: windows.graceMs, closeOnIdleMs: opts.closeOnIdleMs }) as never, 'agg')
    .addProcessor('capture', () => ({
      process: (r: Record<Windowed<string>, Change<number>>) => void out.push(`${r.key.key}@${r.key.window.start}=${r.value.newValue}@${r.timestamp}`),
    }), 'suppress')
    .addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('counts', 1e12, windows.sizeMs, false), Serdes.string(), new ValueAndTimestampSerde(Serdes.int32())).withLoggingDisabled(), 'agg')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('buffer'), Serdes.bytes(), Serdes.bytes()).withLoggingDisabled(), 'suppress');
  const clock = new ManualClock(0);
  const task = new TaskExecutor(topology, { subtopologyId: 0, partition: 0, applicationId: 'suppress', collector: { send: () => {} }, clock });
  task.init();
  return {
    out,
    task,
    pipe: (key: string, value: number, ts: number) => task.pushRecord('in', new Record(key, value, ts)),
    idle: (ms: number) => { clock.advance(ms); task.punctuateWallClock(); },
  };
}

describe('dsl > suppress', () => {
  it('untilWindowCloses: one final result per window once stream time reaches end + grace, at the last update\'s timestamp', () => {
    const h = run(TimeWindows.ofSizeAndGrace(10, 5), Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    h.pipe('b', 1, 2);
    h.pipe('a', 1, 8);
    h.pipe('a', 1, 14);
    h.pipe('a', 1, 3);
    expect(h.out).toEqual([]);
    h.pipe('c', 1, 15); // 15 >= 10 + 5: [0,10) closes; a before b by key bytes
    expect(h.out).toEqual(['a@0=2@8', 'b@0=1@2']);
    h.pipe('c', 1, 100);
    expect(h.out.slice(2)).toEqual(['a@10=1@14', 'c@10=1@15']);
  });

  it('untilTimeLimit: the latest value per key, timeLimit after the key was first buffered (the timer does not restart)', () => {
    const h = run(TimeWindows.ofSizeAndGrace(1000, 1000), Suppressed.untilTimeLimit(10, BufferConfig.unbounded()));
    h.pipe('a', 1, 0);
    h.pipe('a', 1, 9);
    expect(h.out).toEqual([]);
    h.pipe('b', 1, 10); // a was buffered at 0: 0 <= 10 - 10
    expect(h.out).toEqual(['a@0=2@9']);
  });

  it('a full buffer emits early (maxRecords) or fails the task (shutDownWhenFull)', () => {
    const early = run(TimeWindows.ofSizeWithNoGrace(100), Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(1)));
    early.pipe('a', 1, 1);
    early.pipe('b', 1, 2);
    expect(early.out).toEqual(['a@0=1@1']);
    const strict = run(TimeWindows.ofSizeWithNoGrace(100), Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()));
    strict.pipe('a', 1, 1);
    expect(() => strict.pipe('b', 1, 2)).toThrow(/max capacity: 2\/1 records/);
  });

  it('untilWindowCloses rejects a buffer that would emit early', () => {
    expect(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10))).toThrow(TypeError);
  });

  it('closeOnIdle: after that much idle wall clock, stream time advances and windows close without input', () => {
    const h = run(TimeWindows.ofSizeWithNoGrace(10), Suppressed.untilWindowCloses(BufferConfig.unbounded()), { closeOnIdleMs: 5000 });
    h.pipe('a', 1, 3);
    h.idle(4000);
    expect(h.out).toEqual([]);
    h.idle(3000); // idle 7000 ms: stream time 3 + 7000 closes [0,10)
    expect(h.out).toEqual(['a@0=1@3']);
  });

  it('property: untilWindowCloses emits exactly one final value per closed window, equal to the model count', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', 'c'), values: fc.integer(), maxDisorderMs: 30, maxGapMs: 10, maxLength: 60 });
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 20 }), (records, size, grace) => {
      const windows = TimeWindows.ofSizeAndGrace(size, grace);
      const h = run(windows, Suppressed.untilWindowCloses(BufferConfig.unbounded()));
      const model = new Map<string, { n: number; ts: number; end: number }>();
      let streamTime = -1;
      for (const r of records) {
        h.pipe(r.key, r.value, r.timestamp);
        streamTime = Math.max(streamTime, r.timestamp);
        for (const w of windows.windowsFor(r.timestamp)) {
          if (streamTime >= w.end + grace) continue;
          const k = `${r.key}@${w.start}`;
          const m = model.get(k) ?? { n: 0, ts: -1, end: w.end };
          model.set(k, { n: m.n + 1, ts: Math.max(m.ts, r.timestamp), end: w.end });
        }
      }
      // windows closed by the records' own (aggregate output) stream time
      const aggTime = Math.max(-1, ...[...model.values()].map((m) => m.ts));
      const closed = [...model].filter(([, m]) => m.end + grace <= aggTime).map(([k, m]) => `${k}=${m.n}@${m.ts}`);
      expect([...h.out].sort()).toEqual(closed.sort());
      expect(new Set(h.out.map((o) => o.split('=')[0])).size).toBe(h.out.length);
    }), { numRuns: 80 });
  });
});
