/** A small BrokerCore over in-memory logs, for unit tests of the group coordinator (no Broker needed). */
import type { BrokerCore, FsyncPolicy } from '../../../src/broker/broker-core.js';
import { InMemoryPartitionLog } from '../../../src/broker/log/in-memory-partition-log.js';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import { ClosedError, PartitionNotFoundError, TopicNotFoundError } from '../../../src/core/errors.js';
import { EMPTY_HEADERS } from '../../../src/core/record.js';

export class FakeBrokerCore implements BrokerCore {
  readonly clock: Clock;
  fsync: FsyncPolicy;
  closed = false;
  syncCalls = 0;
  readonly warnings: string[] = [];
  readonly topics = new Map<string, InMemoryPartitionLog[]>();
  private waiters = new Set<() => void>();

  constructor(opts: { clock?: Clock; fsync?: FsyncPolicy } = {}) {
    this.clock = opts.clock ?? new ManualClock(1_000_000);
    this.fsync = opts.fsync ?? 'never';
  }

  assertOpen(what: string): void {
    if (this.closed) throw new ClosedError(what);
  }
  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }
  partitionCount(topic: string): number {
    const t = this.topics.get(topic);
    if (t === undefined) throw new TopicNotFoundError(`topic "${topic}" does not exist`);
    return t.length;
  }
  getLog(topic: string, partition: number) {
    const t = this.topics.get(topic);
    if (t === undefined) throw new TopicNotFoundError(`topic "${topic}" does not exist`);
    const log = t[partition];
    if (log === undefined) throw new PartitionNotFoundError(`${topic}-${partition} does not exist`);
    return log;
  }
  topicNames(includeInternal = false): string[] {
    return [...this.topics.keys()].filter((t) => includeInternal || !t.startsWith('__'));
  }
  ensureInternalTopic(name: string, partitions: number): void {
    if (!this.topics.has(name)) this.createTopic(name, partitions);
  }
  createTopic(name: string, partitions: number): void {
    this.topics.set(name, Array.from({ length: partitions }, (_, p) => new InMemoryPartitionLog(`${name}-${p}`)));
  }
  /** Appends one batch of string values to a partition and wakes long polls. */
  produce(topic: string, partition: number, values: string[], timestamp = this.clock.now()): void {
    this.getLog(topic, partition).append({
      records: values.map((v) => ({ timestamp, key: null, value: Buffer.from(v), headers: EMPTY_HEADERS })),
    });
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
  waitForAppend(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
  async syncDirty(): Promise<void> {
    this.syncCalls++;
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}
