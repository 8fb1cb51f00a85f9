/**
 * The embedded broker on its own: a durable, partitioned log with consumer groups.
 * Produces keyed orders, shows where murmur2 put each key, consumes them in a group, commits, shows the
 * group's lag, then restarts the broker to show that records and committed offsets survived.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from 'tributary';

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-demo-'));
  try {
    let broker = await Broker.open({ dataDir, fsync: 'commit' });
    const admin = broker.admin();
    await admin.createTopics([{ topic: 'orders', partitions: 3 }]);
    log(`created topic "orders" with 3 partitions in ${dataDir}`);

    const producer = broker.producer();
    const customers = ['alice', 'bob', 'carol', 'dave'];
    const sent = await producer.send(
      Array.from({ length: 8 }, (_, i) => ({
        topic: 'orders',
        key: customers[i % customers.length]!,
        value: JSON.stringify({ order: i + 1, amount: 10 * (i + 1) }),
      })),
    );
    for (const [i, m] of sent.entries()) {
      log(`produced order ${i + 1} for ${customers[i % customers.length]} -> partition ${m.partition} offset ${m.offset}`);
    }

    const consumer = broker.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', autoCommit: false });
    await consumer.subscribe(['orders']);
    let seen = 0;
    for (let attempt = 0; seen < sent.length && attempt < 50; attempt++) {
      for (const r of await consumer.poll({ timeoutMs: 100 })) {
        log(`consumed p${r.partition}@${r.offset} ${r.key?.toString()} ${r.value?.toString()}`);
        seen++;
      }
    }
    await consumer.commit();
    await consumer.close();
    await producer.send([
      { topic: 'orders', key: 'erin', value: JSON.stringify({ order: 9, amount: 90 }) },
      { topic: 'orders', key: 'frank', value: JSON.stringify({ order: 10, amount: 100 }) },
    ]);
    await producer.close();
    log('produced 2 more orders after the commit');
    const group = await admin.describeGroup('billing');
    log(`group "billing" now: ${group.offsets.map((o) => `p${o.partition}=${o.committed} (lag ${o.lag})`).join(', ')}`);

    await broker.close();
    broker = await Broker.open({ dataDir, fsync: 'commit' });
    const after = await broker.admin().describeTopic('orders');
    const lag = await broker.admin().describeGroup('billing');
    log(`after a restart: high watermarks ${after.partitions.map((p) => p.highWatermark).join('/')}, ` +
      `group "billing" still at ${lag.offsets.map((o) => `p${o.partition}=${o.committed}`).join(', ')}, ` +
      `total lag ${lag.offsets.reduce((sum, o) => sum + o.lag, 0)}`);
    await broker.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
