import { describe, expect, it } from 'vitest';
import { runCompactionCrashHarness } from './compaction-crash-harness.js';

describe('crash > log cleaner', () => {
  it('a SIGKILL at any point of a compaction loses nothing and duplicates nothing (20 kills)', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runCompactionCrashHarness({ kills: 20, seed });
      expect(result.kills).toBe(20);
      expect(result.stored).toBeLessThan(result.records / 5); // compaction really happened
    } catch (err) {
      console.error(`compaction crash harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 110_000);
});
