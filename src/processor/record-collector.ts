import type { Headers } from '../core/record.js';
import type { StreamPartitioner } from './node-options.js';
import type { Record } from './record.js';

/**
 * Where a task's sink nodes hand their serialized output. The test driver's collector appends to
 * in-memory output topics; the runtime's produces to a broker (inside the commit's transaction
 * under exactly-once).
 *
 * `partitioner`, `key` and `value` are passed only when the sink has a custom partitioner: the
 * collector knows the topic's partition count and calls `partitioner(topic, key, value, n)`;
 * `undefined` from it (or no partitioner) means the default murmur2-of-key-bytes partitioning.
 *
 * @example
 * const collected: { topic: string; value: Buffer | null }[] = [];
 * const collector: RecordCollector = { send: (topic, _k, value) => void collected.push({ topic, value }) };
 */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
    partitioner?: StreamPartitioner<unknown, unknown>,
    keyObject?: unknown,
    valueObject?: unknown,
  ): void;
  /**
   * Optional: sends to a fixed partition (a store's changelog goes to its task's partition). A
   * collector without it gets `send` with a partitioner that returns that partition.
   */
  sendToPartition?(topic: string, partition: number, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void;
}

/**
 * A collector that receives sink output as objects, skipping serdes. For benchmarks and in-process
 * embedding: give it to `TaskExecutor` as `objectCollector` and every sink calls `collect` instead of
 * serializing.
 * @example
 * let n = 0;
 * const counter: ObjectCollector = { collect: () => void n++ };
 */
export interface ObjectCollector {
  collect(topic: string, record: Record<unknown, unknown>): void;
}
