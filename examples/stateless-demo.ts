/**
 * `npm start`: runs the page-view filter (examples/page-view-filter.ts) as a KafkaStreams app on the
 * embedded broker. Creates the topics, starts the app, produces a few page views, prints the state
 * changes and what reached each output topic, then closes the app gracefully (commit, leave group).
 */
import { Broker, KafkaStreams, StreamsBuilder, type ConsumedRecord } from 'tributary';
import { buildTopology, type PageView } from './page-view-filter.js';

const VIEWS: [user: string, view: PageView][] = [
  ['alice', { url: 'https://shop.example/products/42', userAgent: 'Firefox/128', dwellMs: 5400, at: 1 }],
  ['bob', { url: 'https://shop.example/', userAgent: 'Googlebot/2.1', dwellMs: 9000, at: 2 }],
  ['carol', { url: 'https://shop.example/checkout/pay?step=2', userAgent: 'Safari/17', dwellMs: 3100, at: 3 }],
  ['alice', { url: 'https://shop.example/checkout/cart', userAgent: 'Firefox/128', dwellMs: 1200, at: 4 }],
  ['dave', { url: 'https://shop.example/blog/launch', userAgent: 'Chrome/126', dwellMs: 300, at: 5 }],
  ['bob', { url: 'https://shop.example/products/7', userAgent: 'Chrome/126', dwellMs: 2000, at: 6 }],
];

/** Reads every record of `topic` from the beginning, waiting until there are `count` (bounded). */
async function readTopic(broker: Broker, topic: string, count: number): Promise<ConsumedRecord[]> {
  const partitions = (await broker.admin().describeTopic(topic)).partitions.map((p) => ({ topic, partition: p.partition }));
  const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(partitions);
  const out: ConsumedRecord[] = [];
  for (let i = 0; i < 100 && out.length < count; i++) out.push(...(await consumer.poll({ timeoutMs: 50 })));
  await consumer.close();
  return out;
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const broker = await Broker.inMemory();
  try {
    await broker.admin().createTopics(
      ['page-views', 'page-views-clean', 'page-views-checkout'].map((topic) => ({ topic, partitions: 3 })),
    );
    const topology = buildTopology(new StreamsBuilder()).build();
    log(topology.describe().toString().trimEnd());

    const app = new KafkaStreams(topology, { applicationId: 'page-view-filter', broker, commitIntervalMs: 1000 });
    app.state$.subscribe((state) => log(`state: ${state}`));
    await app.start();

    await broker.producer().send(VIEWS.map(([user, view]) => ({ topic: 'page-views', key: user, value: JSON.stringify(view), timestamp: view.at })));
    log(`produced ${VIEWS.length} page views`);

    const clean = await readTopic(broker, 'page-views-clean', 4);
    const checkout = await readTopic(broker, 'page-views-checkout', 2);
    for (const r of clean) log(`page-views-clean    p${r.partition} ${r.key?.toString()} ${r.value?.toString()}`);
    for (const r of checkout) log(`page-views-checkout p${r.partition} ${r.key?.toString()} ${r.value?.toString()}`);

    await app.close();
    const m = app.metrics();
    log(`processed ${m['process-total']} records, ${m['commit-total']} commit(s); state ${app.state}`);
  } finally {
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
