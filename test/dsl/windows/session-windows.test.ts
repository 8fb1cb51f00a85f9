import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmitStrategy } from '../../../dsl/emit-strategy.js';
import { sessionWindowAggregateProcessor } from '../../../dsl/internal/session-window-aggregate-processor.js';
import { SessionWindows } from '../../../dsl/windows/session-windows.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { windowHarness } from './harness.js';

const count = (strategy = EmitStrategy.onWindowUpdate()) => ({
  storeName: 'sessions',
  initializer: () => 0,
  aggregator: (_k: string, _v: number | null, a: number) => a + 1,
  merger: (_k: string, a: number, b: number) => a + b,
  emitStrategy: strategy,
});

describe('dsl > windows > SessionWindows', () => {
  it('validates gaps with RangeErrors naming the value', () => {
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/inactivity gap .* got 0/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(5, -2)).toThrow(/grace .* got -2/);
  });

  it('a record bridging two sessions merges them: tombstones for both (at their end times), then the merged session', () => {
    const h = windowHarness('session', sessionWindowAggregateProcessor(SessionWindows.ofInactivityGapAndGrace(10, 100), count()), 'sessions');
    h.pipe('a', 1, 0);
    h.pipe('a', 1, 20);
    h.pipe('a', 1, 10); // within 10 of both [0,0] and [20,20]
    expect(h.out).toEqual([
      { key: 'a', start: 0, end: 0, value: 1, timestamp: 0 },
      { key: 'a', start: 20, end: 20, value: 1, timestamp: 20 },
      { key: 'a', start: 0, end: 0, value: null, timestamp: 0 },
      { key: 'a', start: 20, end: 20, value: null, timestamp: 20 },
      { key: 'a', start: 0, end: 20, value: 3, timestamp: 20 },
    ]);
  });

  it('drops a record whose session would end before streamTime - grace - gap (the gap counts, as in Kafka)', () => {
    const h = windowHarness('session', sessionWindowAggregateProcessor(SessionWindows.ofInactivityGapAndGrace(10, 5), count()), 'sessions');
    h.pipe('a', 1, 100); // close time 100 - 5 - 10 = 85
    h.pipe('b', 1, 85); // end 85 is not < 85: accepted
    h.pipe('b', 1, 84); // merges with [85,85] -> end 85: accepted
    h.pipe('c', 1, 84); // new session [84,84]: 84 < 85 -> dropped
    expect(h.out.map((o) => `${o.key}[${o.start},${o.end}]=${o.value}`)).toEqual(['a[100,100]=1', 'b[85,85]=1', 'b[85,85]=null', 'b[84,85]=2']);
    expect(h.dropped()).toBe(1);
  });

  it('onWindowClose emits each session once when streamTime - grace - gap passes its end, at the end time', () => {
    const strategy = EmitStrategy.onWindowClose().withEmitIntervalMs(0);
    const h = windowHarness('session', sessionWindowAggregateProcessor(SessionWindows.ofInactivityGapWithNoGrace(10), count(strategy)), 'sessions');
    h.pipe('a', 1, 0);
    h.pipe('a', 1, 5);
    h.pipe('b', 1, 15); // close 5: [0,5] ends at 5, not < 5
    expect(h.out).toEqual([]);
    h.pipe('b', 1, 16); // close 6
    expect(h.out).toEqual([{ key: 'a', start: 0, end: 5, value: 2, timestamp: 5 }]);
    h.pipe('b', 1, 40);
    expect(h.out.slice(1)).toEqual([{ key: 'b', start: 15, end: 16, value: 2, timestamp: 16 }]);
  });

  it('property: session counts equal an interval-merging model (tombstones, drops and all)', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', null), values: fc.integer(), maxDisorderMs: 30, maxGapMs: 12, maxLength: 50 });
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 20 }), (records, gap, grace) => {
      const h = windowHarness('session', sessionWindowAggregateProcessor(SessionWindows.ofInactivityGapAndGrace(gap, grace), count()), 'sessions');
      const sessions = new Map<string, { start: number; end: number; n: number }[]>();
      const expected: string[] = [];
      let streamTime = -1;
      let drops = 0;
      for (const r of records) {
        h.pipe(r.key, r.value, r.timestamp);
        if (r.key === null) { drops++; continue; }
        streamTime = Math.max(streamTime, r.timestamp);
        const list = sessions.get(r.key) ?? [];
        const touching = list.filter((s) => s.end >= r.timestamp - gap && s.start <= r.timestamp + gap).sort((x, y) => x.end - y.end || x.start - y.start);
        const merged = { start: Math.min(r.timestamp, ...touching.map((s) => s.start)), end: Math.max(r.timestamp, ...touching.map((s) => s.end)), n: 1 + touching.reduce((a, s) => a + s.n, 0) };
        if (merged.end < streamTime - grace - gap) { drops++; continue; }
        // as Kafka: no tombstones when the merged session is just [t, t] (it is overwritten in place)
        if (merged.start !== r.timestamp || merged.end !== r.timestamp) for (const s of touching) expected.push(`${r.key}[${s.start},${s.end}]=null@${s.end}`);
        sessions.set(r.key, [...list.filter((s) => !touching.includes(s)), merged]);
        expected.push(`${r.key}[${merged.start},${merged.end}]=${merged.n}@${merged.end}`);
      }
      expect(h.out.map((o) => `${o.key}[${o.start},${o.end}]=${o.value}@${o.timestamp}`)).toEqual(expected);
      expect(h.dropped()).toBe(drops);
      h.close();
    }), { numRuns: 80 });
  });
});
