export interface SuiteOptions {
  records?: number;
  rssRecords?: number;
}

/**
 * Benchmark suites by name (`npm run bench -- broker`). Each is imported only when chosen: a suite
 * runs with its own code loaded, not every other suite's (the peer suite alone pulls in a whole
 * other stream library), which otherwise sits in the heap that the measured code's collector walks.
 */
export const suites: Record<string, (opts: SuiteOptions) => Promise<void>> = {
  broker: async (opts) => (await import('./broker.bench.js')).runBrokerBench(opts),
  stateless: async (opts) => (await import('./stateless.bench.js')).runStatelessBench({ records: opts.records }),
  state: async (opts) => (await import('./state.bench.js')).runStateBench({ records: opts.records }),
  windowed: async (opts) => (await import('./windowed.bench.js')).runWindowedBench({ records: opts.records }),
  txn: async (opts) => (await import('./txn.bench.js')).runTxnBench({ records: opts.records }),
  compaction: async (opts) => (await import('./compaction.bench.js')).runCompactionBench({ records: opts.records }),
  eos: async (opts) => {
    await (await import('./eos.bench.js')).runEosBench({ records: opts.records });
  },
  peer: async (opts) => (await import('./peer.bench.js')).runPeerBench({ records: opts.records }),
  join: async (opts) => (await import('./join.bench.js')).runJoinBench(opts),
  failover: async (opts) => {
    await (await import('./failover.bench.js')).runFailoverBench({ records: opts.records });
  },
};
