/**
 * Background log maintenance of a broker: retention (`cleanup.policy` containing `delete`) and
 * compaction (containing `compact`), per partition, as Kafka's log manager and log cleaner do.
 *
 * - Retention drops whole old segments, never the active one: from the oldest, a segment goes when its
 *   newest record is older than `retention.ms` (Kafka judges by the segment's max timestamp), or while
 *   the partition would still hold at least `retention.bytes` without it. The log start offset moves to
 *   the first segment kept (persisted by the log's checkpoint); consumers behind it reset per
 *   `autoOffsetReset`.
 * - Compaction runs the log's cleaner (`log/log-cleaner.ts`), which yields between bounded steps.
 * - Timers are unref'd (they never keep a process alive): retention every `logRetentionCheckIntervalMs`
 *   (Kafka's `log.retention.check.interval.ms`, default 300000), compaction every `logCleanerBackoffMs`
 *   (Kafka's `log.cleaner.backoff.ms`, default 15000). `runOnce()` does both now, for tests and tools.
 */
import type { Clock } from '../core/clock.js';
import { isMaintainable, type CompactionStats, type MaintainablePartitionLog, type SegmentSummary } from './log/partition-log.js';
import type { TopicRegistry } from './topic-registry.js';

/** Timing of the background maintenance; both optional. */
export interface LogMaintenanceOptions {
  /** How often retention runs, in ms. Default 300000 (5 min, as Kafka). */
  logRetentionCheckIntervalMs?: number;
  /** How often the cleaner looks for work, in ms. Default 15000 (as Kafka). */
  logCleanerBackoffMs?: number;
}

/** What one maintenance run did, per partition touched. */
export interface MaintenanceReport {
  /** `topic-partition` → new log start offset, for partitions whose start moved by retention. */
  retention: Map<string, number>;
  /** `topic-partition` → stats, for partitions the cleaner actually worked on. */
  compaction: Map<string, CompactionStats>;
  /** `topic-partition` → the error that stopped its maintenance this run (also reported as a warning). */
  failed: Map<string, Error>;
}

/**
 * Segments retention drops from the front of `segments` (oldest first, last = active): the offset the
 * log should start at afterwards, or null when nothing goes.
 */
export function retentionStartOffset(segments: readonly SegmentSummary[], now: number, retentionMs: number, retentionBytes: number): number | null {
  let drop = 0;
  const sealed = segments.length - 1;
  if (retentionMs >= 0) while (drop < sealed && now - segments[drop]!.maxTimestamp > retentionMs) drop++;
  if (retentionBytes >= 0) {
    let excess = -retentionBytes;
    for (const s of segments) excess += s.sizeBytes;
    for (let i = 0; i < drop; i++) excess -= segments[i]!.sizeBytes;
    while (drop < sealed && excess - segments[drop]!.sizeBytes >= 0) excess -= segments[drop++]!.sizeBytes;
  }
  return drop === 0 ? null : segments[drop]!.baseOffset;
}

/** Runs retention and compaction over every topic of a registry, on timers and on demand. */
export class LogMaintenance {
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<MaintenanceReport> | undefined;
  private readonly signal = { aborted: false };

  constructor(
    private readonly registry: TopicRegistry,
    private readonly clock: Clock,
    private readonly warn: (message: string) => void,
    private readonly opts: LogMaintenanceOptions = {},
  ) {
    for (const key of ['logRetentionCheckIntervalMs', 'logCleanerBackoffMs'] as const) {
      const v = opts[key];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`broker: ${key} must be an integer >= 1, got ${v}`);
    }
  }

  /** Starts the unref'd timers. */
  start(): void {
    const every = (ms: number, what: { retention: boolean; compaction: boolean }) => {
      const timer = setInterval(() => {
        this.run(what).catch((err: unknown) => this.warn(`log maintenance failed: ${(err as Error).message}`));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.opts.logRetentionCheckIntervalMs ?? 300_000, { retention: true, compaction: false });
    every(this.opts.logCleanerBackoffMs ?? 15_000, { retention: false, compaction: true });
  }

  /** Retention, then compaction, over every partition now (joins a run already in progress). */
  runOnce(): Promise<MaintenanceReport> {
    return this.run({ retention: true, compaction: true });
  }

  /** Stops the timers and waits for a run in progress (a compaction pass stops at the log's close). */
  async stop(): Promise<void> {
    this.signal.aborted = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.running?.catch(() => undefined);
  }

  private run(what: { retention: boolean; compaction: boolean }): Promise<MaintenanceReport> {
    if (this.running !== undefined) return this.running;
    this.running = this.runAll(what).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runAll(what: { retention: boolean; compaction: boolean }): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { retention: new Map(), compaction: new Map(), failed: new Map() };
    for (const name of this.registry.names(true)) {
      const topic = this.registry.get(name);
      if (topic === undefined) continue; // deleted while an earlier partition was being compacted
      const policy = topic.config['cleanup.policy']!.split(',');
      for (let p = 0; p < topic.logs.length; p++) {
        if (this.signal.aborted) return report;
        const log = this.registry.innerLog(topic.logs[p]!);
        if (log === undefined || !isMaintainable(log) || topic.logs[p]!.closed) continue;
        const id = `${name}-${p}`;
        try {
          if (what.retention && policy.includes('delete')) this.retain(log, topic.config, id, report);
          if (what.compaction && policy.includes('compact')) {
            const stats = await log.compact({
              now: this.clock.now(),
              minCompactionLagMs: Number(topic.config['min.compaction.lag.ms']),
              deleteRetentionMs: Number(topic.config['delete.retention.ms']),
              signal: this.signal,
            });
            if (stats.ran) report.compaction.set(id, stats);
          }
        } catch (err) {
          // One damaged partition must not stop the maintenance of the others; it is retried next run.
          if (topic.logs[p]!.closed) continue; // deleted or closed under the pass
          report.failed.set(id, err as Error);
          this.warn(`log maintenance of topic "${name}" partition ${p} failed: ${(err as Error).message}`);
        }
      }
    }
    return report;
  }

  private retain(log: MaintainablePartitionLog, config: Readonly<Record<string, string>>, id: string, report: MaintenanceReport): void {
    const start = retentionStartOffset(log.segmentSummaries(), this.clock.now(), Number(config['retention.ms']), Number(config['retention.bytes']));
    if (start === null || start <= log.logStartOffset) return;
    log.deleteRecordsBefore(start);
    report.retention.set(id, start);
  }
}
