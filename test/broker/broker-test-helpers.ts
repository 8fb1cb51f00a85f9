/** Shared helpers of the Broker tests: read logs back through the BrokerCore, snapshot broker state. */
import { Broker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/core/record.js';

/** Every record of one partition, in offset order, read straight from its log. */
export function readPartition(broker: Broker, topic: string, partition: number): ConsumedRecord[] {
  const log = broker.core.getLog(topic, partition);
  const out: ConsumedRecord[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    for (const batch of log.read(next)) {
      for (const r of batch.records) {
        if (r.offset < next) continue;
        out.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
        next = r.offset + 1;
      }
    }
  }
  return out;
}

/** Every record of a topic, partition by partition. */
export function readTopic(broker: Broker, topic: string): ConsumedRecord[][] {
  const n = broker.core.partitionCount(topic);
  return Array.from({ length: n }, (_, p) => readPartition(broker, topic, p));
}

/** Topics, their partitions' offsets and configs: what a bad request must leave unchanged. */
export async function snapshot(broker: Broker): Promise<unknown> {
  const admin = broker.admin();
  const names = await admin.listTopics();
  return { names, topics: await Promise.all(names.map((n) => admin.describeTopic(n))) };
}

/** The value of every record as a string (null stays null). */
export const values = (records: ConsumedRecord[]): (string | null)[] => records.map((r) => r.value?.toString() ?? null);
