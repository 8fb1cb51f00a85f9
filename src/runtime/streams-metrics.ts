import type { RuntimeRecordCollector } from './runtime-record-collector.js';
import type { StreamThread } from './stream-thread.js';
import type { TaskManager } from './task-manager.js';

/**
 * Flattens an instance's counters into Kafka-style metric names (`process-total`,
 * `commit-latency-avg`, `task.0_1.process-total`, ...). Cheap: reads counters, computes nothing per record.
 * @example
 * const m = collectMetrics(thread, tasks, collector);
 * console.log(m['process-total'], m['commit-latency-max']);
 */
export function collectMetrics(thread: StreamThread, tasks: TaskManager, collector: RuntimeRecordCollector): Record<string, number> {
  const c = thread.commitMetrics;
  const out: Record<string, number> = {
    'process-total': thread.processed,
    'poll-total': thread.polls,
    'records-consumed-total': thread.consumed,
    'commit-total': c.commits,
    'commit-failed-total': c.failedCommits,
    'commit-latency-avg': c.commits === 0 ? 0 : c.totalLatencyMs / c.commits,
    'commit-latency-max': c.maxLatencyMs,
    'records-sent-total': collector.sent,
    'active-tasks': tasks.tasks.size,
    'buffered-records': tasks.buffered,
    'unrouted-records-total': tasks.unrouted,
  };
  if (thread.lag !== undefined) {
    out['committed-lag-total'] = thread.lag.total;
    out['committed-lag-max'] = thread.lag.max;
  }
  for (const task of tasks.tasks.values()) {
    const m = task.executor.metrics;
    out[`task.${task.id}.process-total`] = m.processed;
    out[`task.${task.id}.skipped-records-total`] = m.skipped + task.skippedByHandler;
    out[`task.${task.id}.punctuate-total`] = m.punctuations;
  }
  return out;
}
