import { describe, expect, it } from 'vitest';
import { runEosCrashHarness } from './eos-crash-harness.js';

describe('crash > exactly_once_v2 streams', () => {
  it('counts every input exactly once (output and store) across 9 SIGKILLs of a stateful EOS app', async () => {
    const seed = process.env.FC_SEED === undefined ? Date.now() % 1_000_000 : Number(process.env.FC_SEED);
    try {
      const result = await runEosCrashHarness({ kills: 9, seed });
      console.log(`eos crash harness: seed ${seed}, inputs committed at each kill ${JSON.stringify(result.committedAtKill)}, changelog records replayed per restart ${JSON.stringify(result.restoredPerRestart)}, ${(result.elapsedMs / 1000).toFixed(1)} s`);
      expect(result.restoredPerRestart.length).toBeGreaterThan(1);
    } catch (err) {
      console.error(`eos crash harness failed; replay with FC_SEED=${seed}`);
      throw err;
    }
  }, 90_000);
});
