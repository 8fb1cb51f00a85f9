import { describe, expect, it } from 'vitest';
import { runTxnCrashHarness } from './txn-crash-harness.js';

describe('crash > transactions', () => {
  it('shows every acknowledged transaction whole, no aborted or half-written one, in order, across 15 SIGKILLs', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runTxnCrashHarness({ kills: 15, seed });
      expect(result.kills).toBe(15);
      expect(result.acked).toBeGreaterThan(0);
      expect(result.transactions).toBeGreaterThanOrEqual(result.acked);
    } catch (err) {
      console.error(`txn crash harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 90_000);

  it('loses no acknowledged transaction when every segment file also loses its unsynced tail (power cut), across 15 kills', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runTxnCrashHarness({ kills: 15, seed, powerLoss: true });
      expect(result.acked).toBeGreaterThan(0);
      expect(result.transactions).toBeGreaterThanOrEqual(result.acked);
    } catch (err) {
      console.error(`txn power-cut harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 90_000);
});
