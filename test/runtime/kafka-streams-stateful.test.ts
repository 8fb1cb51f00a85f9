import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { readTopic, silentLogger, str, waitFor } from './runtime-test-helpers.js';

const S = Serdes.string();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('runtime > KafkaStreams with an in-memory state store (one run; persistent stores, changelogs and restore come with the state-store issue)', () => {
  it('word count through groupBy → repartition → count: store caches are flushed at commit and the last count per word is the model count', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-wordcount-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const broker = await Broker.inMemory();
    cleanups.push(() => broker.close());
    await broker.admin().createTopics([{ topic: 'lines', partitions: 3 }, { topic: 'counts', partitions: 3 }]);
    const builder = new StreamsBuilder();
    builder
      .stream('lines', Consumed.with(S, S))
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word, Grouped.with(S, S).withName('by-word'))
      .count(Materialized.as<string, number>(Stores.inMemoryKeyValueStore('counts-store')))
      .toStream()
      .to('counts', Produced.with(S, Serdes.long()));
    const app = new KafkaStreams(builder.build(), { applicationId: 'wc', broker, stateDir, commitIntervalMs: 50, logger: silentLogger });
    cleanups.push(() => app.close());
    const lines = ['a b c', 'b c d', 'c d e', 'a a a', 'e e b'];
    await broker.producer().send(lines.map((value, i) => ({ topic: 'lines', key: `line${i}`, value })));
    await app.start();
    const model = new Map<string, number>();
    for (const w of lines.flatMap((l) => l.split(' '))) model.set(w, (model.get(w) ?? 0) + 1);
    const latest = async () => {
      const out = new Map<string, number>();
      for (const r of await readTopic(broker, 'counts')) out.set(str(r.key)!, Serdes.long().deserialize(r.value)!);
      return out;
    };
    await waitFor(async () => JSON.stringify([...(await latest())].sort()) === JSON.stringify([...model].sort()), 10_000, 'the counts');
    expect((await broker.admin().describeTopic('wc-by-word-repartition')).partitions).toHaveLength(3);
    const changelog = await broker.admin().describeTopic('wc-counts-store-changelog');
    expect(changelog.partitions).toHaveLength(3);
    expect(changelog.config['cleanup.policy']).toBe('compact');
    expect(changelog.partitions.reduce((n, p) => n + p.highWatermark, 0)).toBeGreaterThan(0);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });
});
