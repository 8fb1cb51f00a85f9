/**
 * The stateful examples as KafkaStreams apps on a durable embedded broker: a word count
 * (examples/word-count.ts) and a windowed page-view count (examples/page-view-counts.ts). Their state
 * lives in LevelDB stores under a temporary state directory, backed by changelog topics; the demo
 * produces input, waits until the counts are queryable (interactive queries), prints them and what
 * reached the output topics, and closes both apps gracefully.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, KafkaStreams, QueryableStoreTypes, Serdes, StreamsBuilder } from 'tributary';
import * as pageViews from './page-view-counts.js';
import * as wordCount from './word-count.js';

const LINES = ['the quick brown fox', 'jumps over the lazy dog', 'the dog sleeps'];
const VIEWS: [page: string, at: number][] = [
  ['/home', 1_000], ['/cart', 5_000], ['/home', 30_000], ['/home', 61_000], ['/cart', 62_000], ['/home', 119_000],
];

/** Waits (bounded) until `ready()` holds; throws with `what` if it never does. */
async function until(what: string, ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`stateful demo: timed out waiting for ${what}`);
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-stateful-demo-'));
  const broker = await Broker.open({ dataDir: join(stateDir, 'broker') });
  const apps: KafkaStreams[] = [];
  try {
    await broker.admin().createTopics(
      [wordCount.INPUT_TOPIC, wordCount.OUTPUT_TOPIC, pageViews.INPUT_TOPIC, pageViews.OUTPUT_TOPIC].map((topic) => ({ topic, partitions: 2 })),
    );
    const config = { broker, stateDir, commitIntervalMs: 100 };
    const words = new KafkaStreams(wordCount.buildTopology(new StreamsBuilder()).build(), { ...config, applicationId: 'word-count' });
    const views = new KafkaStreams(pageViews.buildTopology(new StreamsBuilder()).build(), { ...config, applicationId: 'page-view-counts' });
    apps.push(words, views);
    await Promise.all(apps.map((app) => app.start()));

    const producer = broker.producer();
    await producer.send(LINES.map((line, i) => ({ topic: wordCount.INPUT_TOPIC, key: `line-${i}`, value: line })));
    await producer.send(VIEWS.map(([page, at]) => ({ topic: pageViews.INPUT_TOPIC, key: page, value: 'user', timestamp: at })));
    log(`produced ${LINES.length} lines and ${VIEWS.length} page views`);

    // Interactive queries: read the apps' own stores once the counts have arrived.
    const counts = () => words.store(wordCount.STORE_NAME, QueryableStoreTypes.keyValueStore<string, number>());
    await until('the word counts', () => words.state === 'RUNNING' && counts().get('the') === 3);
    log(`word counts: ${counts().all().map(({ key, value }) => `${key}=${value}`).join(' ')}`);

    const windows = () => views.store(pageViews.STORE_NAME, QueryableStoreTypes.windowStore<string, number>());
    await until('the page-view counts', () => views.state === 'RUNNING' && windows().fetch('/home', 60_000) === 2);
    for (const page of ['/home', '/cart']) {
      const perMinute = windows().fetch(page, 0, 120_000).map((w) => `${w.timestamp / 1000}s=${w.value}`);
      log(`page views of ${page} per minute: ${perMinute.join(' ')}`);
    }

    // What reached the output topics (windowed keys read with Kafka's time-windowed layout).
    const windowedKey = Serdes.windowed(Serdes.string(), pageViews.WINDOW_MS);
    const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([0, 1].flatMap((partition) => [pageViews.OUTPUT_TOPIC, wordCount.OUTPUT_TOPIC].map((topic) => ({ topic, partition }))));
    let updates = 0;
    for (let i = 0; i < 20; i++) {
      for (const r of await consumer.poll({ timeoutMs: 20 })) {
        updates++;
        if (r.topic === pageViews.OUTPUT_TOPIC) {
          const key = windowedKey.deserialize(r.key)!;
          log(`${r.topic}: ${key.key} [${key.window.start}, ${key.window.end}) -> ${Serdes.long().deserialize(r.value)}`);
        }
      }
    }
    await consumer.close();
    log(`${updates} updates reached the output topics (the record cache folds repeated updates between commits)`);
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
