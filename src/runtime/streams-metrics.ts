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

const TASK_METRIC = /^task\.(\d+_\d+)\.(.+)$/;
const promName = (name: string) => `tributary_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
const promLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Renders `metrics()` in the Prometheus text exposition format: `process-total` becomes
 * `tributary_process_total{application_id="app"}`, `task.0_1.process-total` becomes
 * `tributary_task_process_total{application_id="app",task_id="0_1"}`; `*-total` metrics are
 * counters, the rest gauges.
 * @example
 * res.end(toPrometheusText('page-views', app.metrics()));
 */
export function toPrometheusText(applicationId: string, metrics: Readonly<Record<string, number>>): string {
  const families = new Map<string, string[]>();
  for (const [key, value] of Object.entries(metrics)) {
    const task = TASK_METRIC.exec(key);
    const name = promName(task === null ? key : `task_${task[2]}`);
    const labels = `application_id="${promLabel(applicationId)}"${task === null ? '' : `,task_id="${task[1]}"`}`;
    const lines = families.get(name) ?? [];
    lines.push(`${name}{${labels}} ${Number.isFinite(value) ? value : 'NaN'}`);
    families.set(name, lines);
  }
  const out: string[] = [];
  for (const [name, lines] of [...families].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`, ...lines);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
