import { describe, expect, it } from 'vitest';
import { runLogCrashHarness } from './log-crash-harness.js';

describe('crash > DurablePartitionLog', () => {
  it('keeps every fsync-acked record and serves nothing corrupt across 30 SIGKILLs', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runLogCrashHarness({ kills: 30, seed, fullCheckEvery: 10 });
      expect(result.kills).toBe(30);
      expect(result.records).toBeGreaterThan(0);
    } catch (err) {
      console.error(`log crash harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 55_000);
});
