import fc from 'fast-check';

// Reproducibility: FC_SEED=<n> replays a failing property; fast-check prints the seed and path of
// every failure it reports, and `FC_NUM_RUNS` scales the number of runs (the soak uses it).
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const numRuns = process.env.FC_NUM_RUNS === undefined ? undefined : Number(process.env.FC_NUM_RUNS);
fc.configureGlobal({
  ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}),
  ...(numRuns !== undefined && Number.isFinite(numRuns) ? { numRuns } : {}),
  verbose: 1,
});
