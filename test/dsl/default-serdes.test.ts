import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { JoinWindows } from '../../dsl/windows/join-windows.js';
import { SessionWindows } from '../../dsl/windows/session-windows.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import { Broker } from '../../src/broker/broker.js';
import { TopologyError } from '../../src/core/errors.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { readTopic, silentLogger, str, waitFor } from '../runtime/runtime-test-helpers.js';

const S = Serdes.string();
const L = Serdes.long();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** Every store here is declared without serdes: Kafka takes them from the default serdes. */
function topology(): StreamsBuilder {
  const b = new StreamsBuilder();
  const words = b.stream<string, string>('words').selectKey((_k, v) => v);
  words.groupByKey().count(Materialized.as('counts')).toStream().to('counts-out', Produced.with(S, L));
  words.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(100)).reduce((a, v) => a + v, Materialized.as('windowed'));
  words.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).reduce((a, v) => a + v, Materialized.as('sessions'));
  words.join(b.stream<string, string>('other'), (l, r) => `${l}${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('joined');
  return b;
}

describe('dsl > stores without serdes take the default serdes (as Kafka)', () => {
  it('in the driver: counts, windowed and session stores, join buffers', () => {
    const driver = new TopologyTestDriver(topology().build(), { applicationId: 'app', defaultKeySerde: S, defaultValueSerde: S }, 0);
    const words = driver.createInputTopic('words', S, S);
    words.pipeInput('k1', 'a', 1);
    words.pipeInput('k2', 'a', 2);
    driver.createInputTopic('other', S, S).pipeInput('a', 'b', 3);
    expect(driver.createOutputTopic('counts-out', S, L).readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }, { key: 'a', value: 2 }]);
    expect(driver.getKeyValueStore<string, number>('counts').get('a')).toBe(2);
    expect(driver.getWindowStore<string, string>('windowed').fetch('a', 0)).toBe('aa');
    expect(driver.getSessionStore<string, string>('sessions').fetchSession('a', 1, 2)).toBe('aa');
    expect(driver.createOutputTopic('joined', S, S).readValuesToList()).toEqual(['ab', 'ab']);
    driver.close();
  });

  it('without defaults, the store says which serde is missing', () => {
    const b = new StreamsBuilder();
    b.stream('words', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).groupByKey().reduce((a, v) => a + v, Materialized.as('r'));
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'app' }, 0);
    const words = driver.createInputTopic('words', S, S);
    let error: unknown;
    try {
      words.pipeInput('k', 'a', 1);
    } catch (e) {
      error = e;
    }
    const cause = (error as Error).cause ?? error;
    expect(cause).toBeInstanceOf(TopologyError);
    expect(String(cause)).toMatch(/state store "r" has no value serde and no defaultValueSerde is configured/);
  });

  it('in KafkaStreams: the count store and its changelog use the default serdes', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics(['words', 'other', 'counts-out', 'joined'].map((topic) => ({ topic, partitions: 2 })));
    const stateDir = mkdtempSync(join(tmpdir(), 'tributary-default-serdes-'));
    open.push({ close: async () => rmSync(stateDir, { recursive: true, force: true }) });
    const app = new KafkaStreams(topology().build(), { applicationId: 'app', broker, stateDir, commitIntervalMs: 50, logger: silentLogger, defaultKeySerde: S, defaultValueSerde: S });
    open.push(app);
    await app.start();
    await broker.producer().send([{ topic: 'words', key: 'x', value: 'w' }, { topic: 'words', key: 'y', value: 'w' }]);
    // The count store caches (the default), so the two updates of "w" may fold into one output.
    await waitFor(async () => (await readTopic(broker, 'counts-out')).at(-1)?.value?.readBigInt64BE(0) === 2n, 10_000, 'count 2 for "w"');
    const out = await readTopic(broker, 'counts-out');
    expect(out.every((r) => str(r.key) === 'w')).toBe(true);
  });
});
