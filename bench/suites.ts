import { runBrokerBench } from './broker.bench.js';

export interface SuiteOptions {
  records?: number;
  rssRecords?: number;
}

/** Benchmark suites by name (`npm run bench -- broker`). */
export const suites: Record<string, (opts: SuiteOptions) => Promise<void>> = {
  broker: runBrokerBench,
};
