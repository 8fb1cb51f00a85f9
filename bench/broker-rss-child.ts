/** Child process of the broker benchmark: produces then consumes N records and prints its peak RSS. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from 'tributary';
import { makeBatches } from './broker.bench.js';

const total = Number(process.argv[2] ?? 5_000_000);
const dir = mkdtempSync(join(tmpdir(), 'tributary-rss-'));
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
try {
  const broker = await Broker.open({ dataDir: dir, fsync: 'commit' });
  await broker.admin().createTopics([{ topic: 'rss', partitions: 8 }]);
  const producer = broker.producer();
  // Build batches a slice at a time so the input itself does not dominate the measurement.
  for (let done = 0; done < total; done += 100_000) {
    for (const batch of makeBatches(Math.min(100_000, total - done), 'rss')) await producer.send(batch);
  }
  const afterProduce = mb();
  const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: 8 }, (_, partition) => ({ topic: 'rss', partition })));
  let n = 0;
  while (n < total) {
    const records = await consumer.poll({ maxRecords: 10_000, timeoutMs: 1000 });
    if (records.length === 0) throw new Error(`stalled at ${n}`);
    n += records.length;
  }
  await broker.close();
  console.log(`after produce ${afterProduce} MB, after consume ${mb()} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
