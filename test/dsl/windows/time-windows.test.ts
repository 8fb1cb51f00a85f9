import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmitStrategy } from '../../../dsl/emit-strategy.js';
import { timeWindowAggregateProcessor } from '../../../dsl/internal/time-window-aggregate-processor.js';
import { TimeWindows } from '../../../dsl/windows/time-windows.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { windowHarness } from './harness.js';

const count = (strategy = EmitStrategy.onWindowUpdate()) => ({
  storeName: 'counts',
  initializer: () => 0,
  aggregator: (_k: string, _v: number | null, a: number) => a + 1,
  emitStrategy: strategy,
});

describe('dsl > windows > TimeWindows', () => {
  it('validates sizes with RangeErrors naming the value', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/size .* got 0/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/grace .* got -1/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advance .* got 11/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(RangeError);
    expect(() => TimeWindows.ofSizeWithNoGrace(1.5)).toThrow(RangeError);
  });

  it.each([
    // size, advance, timestamp, expected starts (Kafka: epoch-aligned, no negative starts)
    [10, 10, 0, [0]],
    [10, 10, 9, [0]],
    [10, 10, 10, [10]],
    [10, 5, 0, [0]],
    [10, 5, 7, [0, 5]],
    [10, 5, 10, [5, 10]],
    [10, 3, 10, [3, 6, 9]],
    [100, 25, 260, [175, 200, 225, 250]],
  ])('windowsFor: size %i advance %i at %i -> starts %j', (size, advance, ts, starts) => {
    const w = TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance).windowsFor(ts);
    expect(w.map((x) => x.start)).toEqual(starts);
    for (const x of w) expect(x.end).toBe(x.start + size);
  });

  it('property: windowsFor returns exactly the aligned windows containing the timestamp', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 500 }), (size, adv, ts) => {
      const advance = Math.min(size, adv);
      const got = TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance).windowsFor(ts).map((w) => w.start);
      const model: number[] = [];
      for (let s = 0; s <= ts; s += advance) if (ts < s + size) model.push(s);
      expect(got).toEqual(model);
    }));
  });
});

describe('dsl > windows > time-window aggregate', () => {
  it('a record at exactly window end + grace (stream time) is dropped; one ms earlier is accepted', () => {
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeAndGrace(10, 5), count()), 'counts', 10);
    h.pipe('a', 1, 14); // stream time 14: window [0,10) closes at 10 + 5 = 15
    h.pipe('a', 1, 3); // accepted: 14 < 15
    h.pipe('a', 1, 15); // stream time 15
    h.pipe('a', 1, 4); // dropped: streamTime 15 >= end 10 + grace 5
    expect(h.out).toEqual([
      { key: 'a', start: 10, end: 20, value: 1, timestamp: 14 },
      { key: 'a', start: 0, end: 10, value: 1, timestamp: 3 },
      { key: 'a', start: 10, end: 20, value: 2, timestamp: 15 },
    ]);
    expect(h.dropped()).toBe(1);
  });

  it('output timestamp is the largest record timestamp in the window; null keys are dropped and counted', () => {
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeAndGrace(10, 100), count()), 'counts', 10);
    h.pipe('a', 1, 8);
    h.pipe('a', 1, 2);
    h.pipe(null, 1, 3);
    expect(h.out.map((o) => [o.value, o.timestamp])).toEqual([[1, 8], [2, 8]]);
    expect(h.dropped()).toBe(1);
  });

  it('hopping: a record updates every window containing it, by ascending start; each expired window counts once', () => {
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5), count()), 'counts', 10);
    h.pipe('a', 1, 12);
    expect(h.out.map((o) => o.start)).toEqual([5, 10]);
    h.pipe('a', 1, 20); // close time 20: [5,15) and [10,20) closed
    h.pipe('a', 1, 13); // both its windows are closed -> 2 drops
    expect(h.dropped()).toBe(2);
  });

  it('onWindowClose emits each final result once, when stream time passes end + grace (throttle 0)', () => {
    const strategy = EmitStrategy.onWindowClose().withEmitIntervalMs(0);
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeAndGrace(10, 2), count(strategy)), 'counts', 10);
    h.pipe('b', 1, 1);
    h.pipe('a', 1, 5);
    h.pipe('a', 1, 11);
    expect(h.out).toEqual([]);
    h.pipe('a', 1, 12); // close time 10: [0,10) closes
    expect(h.out).toEqual([
      { key: 'a', start: 0, end: 10, value: 1, timestamp: 5 },
      { key: 'b', start: 0, end: 10, value: 1, timestamp: 1 },
    ]);
    h.pipe('a', 1, 13);
    expect(h.out).toHaveLength(2);
  });

  it('onWindowClose with Kafka default throttle checks at most once per 1000 ms of wall clock', () => {
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeWithNoGrace(10), count(EmitStrategy.onWindowClose())), 'counts', 10);
    h.pipe('a', 1, 5); // first check happens here (nothing closed)
    h.pipe('a', 1, 25); // throttled: wall clock has not moved
    expect(h.out).toEqual([]);
    h.advanceWallClock(1000);
    h.pipe('a', 1, 26);
    expect(h.out.map((o) => [o.start, o.value])).toEqual([[0, 1]]);
  });

  it('with a caching store, updates are forwarded by the cache at flush, once per window, at the window\'s max timestamp', async () => {
    const h = windowHarness('window', timeWindowAggregateProcessor(TimeWindows.ofSizeWithNoGrace(10), count()), 'counts', 10, { caching: true });
    h.pipe('a', 1, 3);
    h.pipe('a', 1, 7);
    h.pipe('a', 1, 2);
    expect(h.out).toEqual([]);
    await h.flush();
    expect(h.out).toEqual([{ key: 'a', start: 0, end: 10, value: 3, timestamp: 7 }]);
  });

  it('property: tumbling/hopping counts equal a Map model of the non-late records', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', 'c', null), values: fc.integer(), maxDisorderMs: 40, maxGapMs: 15, maxLength: 60 });
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), (records, size, adv, grace) => {
      const windows = TimeWindows.ofSizeAndGrace(size, grace).advanceBy(Math.min(adv, size));
      const h = windowHarness('window', timeWindowAggregateProcessor(windows, count()), 'counts', size);
      const model = new Map<string, number>();
      const expected: string[] = [];
      let streamTime = -1;
      let drops = 0;
      for (const r of records) {
        h.pipe(r.key, r.value, r.timestamp);
        if (r.key === null) { drops++; continue; }
        streamTime = Math.max(streamTime, r.timestamp);
        for (const w of windows.windowsFor(r.timestamp)) {
          if (streamTime >= w.end + grace) { drops++; continue; }
          const k = `${r.key}@${w.start}`;
          model.set(k, (model.get(k) ?? 0) + 1);
          expected.push(`${k}=${model.get(k)}`);
        }
      }
      expect(h.out.map((o) => `${o.key}@${o.start}=${o.value}`)).toEqual(expected);
      expect(h.dropped()).toBe(drops);
      h.close();
    }), { numRuns: 60 });
  });
  it('property: onWindowClose emits exactly one final result per closed window, equal to the model count', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('a', 'b', 'c'), values: fc.integer(), maxDisorderMs: 30, maxGapMs: 12, maxLength: 60 });
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 20 }), (records, size, adv, grace) => {
      const windows = TimeWindows.ofSizeAndGrace(size, grace).advanceBy(Math.min(size, adv));
      const h = windowHarness('window', timeWindowAggregateProcessor(windows, count(EmitStrategy.onWindowClose().withEmitIntervalMs(0))), 'counts', size);
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
      const closed = [...model].filter(([, m]) => m.end + grace <= streamTime).map(([k, m]) => `${k}=${m.n}@${m.ts}`);
      expect(h.out.map((o) => `${o.key}@${o.start}=${o.value}@${o.timestamp}`).sort()).toEqual(closed.sort());
      h.close();
    }), { numRuns: 80 });
  });
});
