import { describe, expect, it } from 'vitest';
import { runBrokerCrashHarness } from './broker-crash-harness.js';

describe('crash > Broker', () => {
  it('keeps every acknowledged record (fsync always) in order, once, uncorrupted, across 20 SIGKILLs', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runBrokerCrashHarness({ kills: 20, seed });
      expect(result.kills).toBe(20);
      expect(result.acked).toBeGreaterThan(0);
      expect(result.records).toBeGreaterThanOrEqual(result.acked);
    } catch (err) {
      console.error(`broker crash harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 90_000);
});
