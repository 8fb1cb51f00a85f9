/** Helpers of the transaction tests: brokers, read_committed / read_uncommitted reads, the coordinator. */
import { Broker, type InMemoryBrokerOptions } from '../../../src/broker/broker.js';
import type { TransactionCoordinator } from '../../../src/broker/txn/transaction-coordinator.js';
import type { IsolationLevel } from '../../../src/core/client.js';

/** The broker's transaction coordinator (tests reach it through `core.transactions`). */
export function coordinatorOf(broker: Broker): TransactionCoordinator {
  return broker.core.transactions as TransactionCoordinator;
}

/** An in-memory broker with the topics created. */
export async function brokerWith(topics: Record<string, number>, opts: InMemoryBrokerOptions = {}): Promise<Broker> {
  const broker = await Broker.inMemory(opts);
  await broker.admin().createTopics(Object.entries(topics).map(([topic, partitions]) => ({ topic, partitions })));
  return broker;
}

/** Values of every record a consumer at `isolation` reads from the start of each partition, per partition. */
export async function readValues(broker: Broker, topic: string, isolation: IsolationLevel): Promise<string[][]> {
  const n = broker.core.partitionCount(topic);
  const consumer = broker.consumer({ isolationLevel: isolation, autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: n }, (_, partition) => ({ topic, partition })));
  const out: string[][] = Array.from({ length: n }, () => []);
  for (;;) {
    const records = await consumer.poll({ maxRecords: 10_000, timeoutMs: 0 });
    if (records.length === 0) break;
    for (const r of records) out[r.partition]!.push(r.value?.toString() ?? '<null>');
  }
  await consumer.close();
  return out;
}
