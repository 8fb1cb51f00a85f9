import { runBrokerBench } from './broker.bench.js';
import { runCompactionBench } from './compaction.bench.js';
import { runEosBench } from './eos.bench.js';
import { runFailoverBench } from './failover.bench.js';
import { runJoinBench } from './join.bench.js';
import { runPeerBench } from './peer.bench.js';
import { runStateBench } from './state.bench.js';
import { runStatelessBench } from './stateless.bench.js';
import { runTxnBench } from './txn.bench.js';
import { runWindowedBench } from './windowed.bench.js';

export interface SuiteOptions {
  records?: number;
  rssRecords?: number;
}

/** Benchmark suites by name (`npm run bench -- broker`). */
export const suites: Record<string, (opts: SuiteOptions) => Promise<void>> = {
  broker: runBrokerBench,
  stateless: (opts) => runStatelessBench({ records: opts.records }),
  state: (opts) => runStateBench({ records: opts.records }),
  windowed: (opts) => runWindowedBench({ records: opts.records }),
  txn: (opts) => runTxnBench({ records: opts.records }),
  compaction: (opts) => runCompactionBench({ records: opts.records }),
  eos: async (opts) => {
    await runEosBench({ records: opts.records });
  },
  peer: (opts) => runPeerBench({ records: opts.records }),
  join: runJoinBench,
  failover: async (opts) => {
    await runFailoverBench({ records: opts.records });
  },
};
