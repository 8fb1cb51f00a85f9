import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedRecords, maxLatenessMs } from '../../src/testing/arbitraries.js';

describe('testing > arbitraries', () => {
  it('property: keyedRecords never lies more than maxDisorderMs behind the largest earlier timestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 100 }), (maxDisorderMs, maxGapMs) => {
        const sample = fc.sample(keyedRecords(fc, { keys: fc.constantFrom('a', 'b'), values: fc.nat(), maxDisorderMs, maxGapMs, startMs: 1000 }), 5);
        for (const records of sample) {
          expect(maxLatenessMs(records)).toBeLessThanOrEqual(maxDisorderMs);
          for (const r of records) expect(r.timestamp).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('produces disorder when allowed, and none when maxDisorderMs is 0', () => {
    const disordered = fc.sample(keyedRecords(fc, { keys: fc.constant('k'), values: fc.nat(), maxDisorderMs: 1000, maxGapMs: 10, minLength: 20 }), 20);
    expect(disordered.some((rs) => maxLatenessMs(rs) > 0)).toBe(true);
    const ordered = fc.sample(keyedRecords(fc, { keys: fc.constant('k'), values: fc.nat(), minLength: 5 }), 20);
    expect(ordered.every((rs) => maxLatenessMs(rs) === 0)).toBe(true);
  });

  it('maxLatenessMs measures the worst lag behind the running max', () => {
    expect(maxLatenessMs([{ timestamp: 10 }, { timestamp: 4 }, { timestamp: 12 }, { timestamp: 9 }])).toBe(6);
    expect(maxLatenessMs([])).toBe(0);
  });
});
