import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmitStrategy } from '../../../dsl/emit-strategy.js';
import { slidingWindowAggregateProcessor } from '../../../dsl/internal/sliding-window-aggregate-processor.js';
import { SlidingWindows } from '../../../dsl/windows/sliding-windows.js';
import { keyedRecords } from '../../../src/testing/arbitraries.js';
import { windowHarness, type WindowedOut } from './harness.js';

const count = (strategy = EmitStrategy.onWindowUpdate()) => ({
  storeName: 'sliding',
  initializer: () => 0,
  aggregator: (_k: string, _v: number | null, a: number) => a + 1,
  emitStrategy: strategy,
});
const fmt = (o: WindowedOut) => `[${o.start},${o.end}]=${o.value}@${o.timestamp}`;

describe('dsl > windows > SlidingWindows', () => {
  it('validates the time difference and grace', () => {
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(0)).toThrow(/time difference .* got 0/);
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(10, -1)).toThrow(/grace .* got -1/);
  });

  it('creates left windows, the previous record\'s right window, and a right window for an out-of-order record', () => {
    const h = windowHarness('window', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceAndGrace(10, 100), count()), 'sliding', 10);
    h.pipe('a', 1, 10);
    expect(h.out.map(fmt)).toEqual(['[0,10]=1@10']);
    h.pipe('a', 1, 15);
    expect(h.out.slice(1).map(fmt)).toEqual(['[11,21]=1@15', '[5,15]=2@15']);
    h.pipe('a', 1, 12); // out of order: updates windows containing it (newest start first), then its own left and right windows
    expect(h.out.slice(3).map(fmt)).toEqual(['[11,21]=2@15', '[5,15]=3@15', '[2,12]=2@12', '[13,23]=1@15']);
  });

  it('records before the time difference share the window [0, diff]', () => {
    const h = windowHarness('window', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceAndGrace(10, 100), count()), 'sliding', 10);
    h.pipe('a', 1, 3);
    h.pipe('a', 1, 5);
    expect(h.out.map(fmt)).toEqual(['[0,10]=1@3', '[4,14]=1@5', '[0,10]=2@5']);
  });

  it('drops a record only when even its right window is closed (t + diff < streamTime - grace); closed windows count as dropped', () => {
    const h = windowHarness('window', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceWithNoGrace(10), count()), 'sliding', 10);
    h.pipe('a', 1, 30);
    h.pipe('a', 1, 20); // t + diff = 30, not < 30: updates [20,30]; its left window [10,20] is closed (dropped); right window [21,31] made
    expect(h.out.slice(1).map(fmt)).toEqual(['[20,30]=2@30', '[21,31]=1@30']);
    expect(h.dropped()).toBe(1);
    h.pipe('a', 1, 19); // 19 + 10 < 30: dropped whole
    expect(h.out).toHaveLength(3);
    expect(h.dropped()).toBe(2);
  });

  it('onWindowClose emits windows with end < streamTime - grace, once', () => {
    const strategy = EmitStrategy.onWindowClose().withEmitIntervalMs(0);
    const h = windowHarness('window', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceWithNoGrace(10), count(strategy)), 'sliding', 10);
    h.pipe('a', 1, 10);
    h.pipe('a', 1, 15); // close 15: [0,10] closed (end 10 < 15)
    expect(h.out.map(fmt)).toEqual(['[0,10]=1@10']);
    h.pipe('a', 1, 20); // close 20: [5,15] closed
    expect(h.out.slice(1).map(fmt)).toEqual(['[5,15]=2@15']);
    h.pipe('a', 1, 40); // close 40: starts 10..29, by start
    expect(h.out.slice(2).map(fmt)).toEqual(['[10,20]=3@20', '[11,21]=2@20', '[16,26]=1@20']);
  });

  it('property: with enough grace, the final windows and counts equal the model of distinct sliding windows', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('a', 'b'), values: fc.integer(), maxDisorderMs: 25, maxGapMs: 12, maxLength: 40 });
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 20 }), (records, diff) => {
      const h = windowHarness('window', slidingWindowAggregateProcessor(SlidingWindows.ofTimeDifferenceAndGrace(diff, 1000), count()), 'sliding', diff);
      for (const r of records) h.pipe(r.key, r.value, r.timestamp);
      const last = new Map<string, number>();
      for (const o of h.out) last.set(`${o.key}[${o.start}]`, o.value!);
      const model = new Map<string, number>();
      for (const key of ['a', 'b']) {
        const ts = records.filter((r) => r.key === key).map((r) => r.timestamp);
        const countIn = (s: number) => ts.filter((t) => t >= s && t <= s + diff).length;
        for (const t of ts) {
          const left = Math.max(0, t - diff);
          model.set(`${key}[${left}]`, countIn(left));
          if (ts.some((u) => u > t && u <= t + 1 + diff)) model.set(`${key}[${t + 1}]`, countIn(t + 1));
        }
      }
      expect(new Map([...last].sort())).toEqual(new Map([...model].sort()));
      h.close();
    }), { numRuns: 150 });
  });
});
