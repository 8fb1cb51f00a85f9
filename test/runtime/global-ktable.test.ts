import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { partitionForKey as murmur2Partition } from '../../src/broker/murmur2.js';
import { InvalidStateStoreError, RecordDeserializationError, TopologyError } from '../../src/core/errors.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { StreamsConfig } from '../../src/runtime/streams-config.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, readTopic, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** products (3 partitions, global) and orders (4 partitions); order values name a product. */
async function setup(): Promise<Broker> {
  const broker = await Broker.open({ dataDir: tempDir('tributary-global-broker-'), fsync: 'never' });
  cleanups.push(() => broker.close());
  await broker.admin().createTopics([
    { topic: 'products', partitions: 3 },
    { topic: 'orders', partitions: 4 },
    { topic: 'priced', partitions: 1 },
  ]);
  return broker;
}

function enrichment(left = false) {
  const b = new StreamsBuilder();
  const products = b.globalTable('products', Consumed.with(S, S), Materialized.as<string, string>('products-store'));
  const orders = b.stream('orders', Consumed.with(S, S));
  const joiner = (productId: string, price: string | null) => `${productId}@${price}`;
  (left ? orders.leftJoin(products, (_k, v) => v, joiner) : orders.join(products, (_k, v) => v, joiner)).to('priced', Produced.with(S, S));
  return b.build();
}

function app(broker: Broker, stateDir: string, overrides: Partial<StreamsConfig> = {}, topology = enrichment()) {
  const streams = new KafkaStreams(topology, { applicationId: 'shop', broker, stateDir, commitIntervalMs: 50, logger: silentLogger, ...overrides });
  cleanups.push(() => streams.close());
  return streams;
}

const send = (broker: Broker, topic: string, records: [string | null, string | null][]) =>
  broker.producer().send(records.map(([key, value]) => ({ topic, key, value })));

describe('runtime > GlobalKTable', () => {
  it('bootstraps every partition of the global topic before RUNNING; two instances each join records whose product lives on another partition', async () => {
    const broker = await setup();
    const products = Array.from({ length: 12 }, (_, i) => `p${i}`);
    // Every global partition holds products (and the bootstrap sees an update and a tombstone).
    expect(new Set(products.map((p) => murmur2Partition(Buffer.from(p), 3)))).toEqual(new Set([0, 1, 2]));
    await send(broker, 'products', products.map((p) => [p, 'old']));
    await send(broker, 'products', [...products.map((p): [string, string] => [p, `${p.length}${p}`]), ['p11', null]]);

    const a = app(broker, tempDir('tributary-global-a-'));
    const b = app(broker, tempDir('tributary-global-b-'));
    const sawFullTable: boolean[] = [];
    for (const x of [a, b]) {
      x.state$.subscribe((s) => {
        if (s === 'RUNNING') sawFullTable.push(x.store('products-store', QueryableStoreTypes.keyValueStore<string, string>()).approximateNumEntries() === 11);
      });
    }
    await Promise.all([a.start(), b.start()]);
    await Promise.all([waitForState(a, 'RUNNING'), waitForState(b, 'RUNNING')]);
    await waitFor(() => a.metadataForLocalThreads()[0]!.activeTasks.length === 2 && b.metadataForLocalThreads()[0]!.activeTasks.length === 2, 10_000, 'two tasks each');
    expect(sawFullTable.every((x) => x) && sawFullTable.length >= 2).toBe(true);

    // 40 orders over the 4 order partitions, most naming a product on a different global partition.
    const orders: [string, string][] = Array.from({ length: 40 }, (_, i) => [`o${i}`, products[i % 12]!]);
    const crossing = orders.filter(([o, p]) => murmur2Partition(Buffer.from(o), 4) !== murmur2Partition(Buffer.from(p), 3));
    expect(crossing.length).toBeGreaterThan(20);
    await send(broker, 'orders', orders);
    const expected = orders.filter(([, p]) => p !== 'p11').map(([o, p]) => `${o}=${p}@${p.length}${p}`);
    const out = await readAtLeast(broker, 'priced', expected.length);
    expect(out.map((r) => `${str(r.key)}=${str(r.value)}`).sort()).toEqual(expected.sort());

    // Both instances hold the whole table and answer interactive queries for any key.
    for (const x of [a, b]) {
      const view = x.store('products-store', QueryableStoreTypes.keyValueStore<string, string>());
      expect(view.get('p7')).toBe('2p7');
      expect(view.get('p11')).toBeNull();
      expect(view.all().map((e) => e.key).sort()).toEqual(products.filter((p) => p !== 'p11').sort());
    }
    expect(() => a.store('products-store', QueryableStoreTypes.windowStore())).toThrow(InvalidStateStoreError);
  }, 30_000);

  it('keeps the global store up to date in the background: a later update is seen by later stream records', async () => {
    const broker = await setup();
    await send(broker, 'products', [['p1', '10']]);
    const a = app(broker, tempDir('tributary-global-bg-'), {}, enrichment(true));
    await a.start();
    await waitForState(a, 'RUNNING');
    await send(broker, 'orders', [['o1', 'p1'], ['o2', 'p2']]);
    await readAtLeast(broker, 'priced', 2);
    await send(broker, 'products', [['p2', '20'], ['p1', null]]);
    const view = a.store('products-store', QueryableStoreTypes.keyValueStore<string, string>());
    await waitFor(() => view.get('p2') === '20' && view.get('p1') === null, 10_000, 'the global update');
    await send(broker, 'orders', [['o3', 'p1'], ['o4', 'p2']]);
    const out = await readAtLeast(broker, 'priced', 4);
    expect(out.map((r) => `${str(r.key)}=${str(r.value)}`).sort()).toEqual(['o1=p1@10', 'o2=p2@null', 'o3=p1@null', 'o4=p2@20']);
  }, 30_000);

  it('checkpoints under <stateDir>/<applicationId>/global/ and, restarted, replays only what came after the checkpoint', async () => {
    const broker = await setup();
    const stateDir = tempDir('tributary-global-cp-');
    await send(broker, 'products', Array.from({ length: 30 }, (_, i): [string, string] => [`p${i}`, `${i}`]));
    const first = app(broker, stateDir);
    await first.start();
    await waitForState(first, 'RUNNING');
    expect(first.metrics()['global-restore-records-total']).toBe(30);
    await first.close();
    expect(existsSync(join(stateDir, 'shop', 'global'))).toBe(true);

    await send(broker, 'products', [['p0', 'new'], ['p29', null]]);
    const second = app(broker, stateDir);
    await second.start();
    await waitForState(second, 'RUNNING');
    expect(second.metrics()['global-restore-records-total']).toBe(2);
    const view = second.store('products-store', QueryableStoreTypes.keyValueStore<string, string>());
    expect(view.get('p0')).toBe('new');
    expect(view.get('p29')).toBeNull();
    expect(view.approximateNumEntries()).toBe(29);
  }, 30_000);

  it('fails start() with a TopologyError naming a missing global topic', async () => {
    const broker = await Broker.open({ dataDir: tempDir('tributary-global-missing-'), fsync: 'never' });
    cleanups.push(() => broker.close());
    await broker.admin().createTopics([{ topic: 'orders', partitions: 1 }, { topic: 'priced', partitions: 1 }]);
    const a = app(broker, tempDir('tributary-global-missing-state-'));
    const error = await a.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toMatch(/"products" \(global store "products-store"\) do not exist/);
    expect(a.state).toBe('ERROR');
  });

  it('deserialization errors on the global topic follow the configured handler', async () => {
    const failing = await setup();
    const strict = Serdes.json<{ price: number }>();
    const topology = () => {
      const b = new StreamsBuilder();
      const g = b.globalTable('products', Consumed.with(S, strict), Materialized.as<string, { price: number }>('products-store'));
      b.stream('orders', Consumed.with(S, S)).join(g, (_k, v) => v, (v, p) => `${v}@${p.price}`).to('priced', Produced.with(S, S));
      return b.build();
    };
    // One partition, so one poll returns the bad record with a good one after it.
    await failing.producer().send([['p1', '{"price":1}'], ['p2', 'not json'], ['p3', '{"price":3}']].map(([key, value]) => ({ topic: 'products', partition: 0, key, value })));
    const strictDir = tempDir('tributary-global-fail-');
    const strictApp = app(failing, strictDir, {}, topology());
    const error = await strictApp.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordDeserializationError);
    expect((error as Error).message).toContain('products');

    // The failed bootstrap checkpointed nothing past the bad record: the same state dir, now lenient, still applies p3.
    await strictApp.close();
    const lenient = app(failing, strictDir, { deserializationExceptionHandler: 'logAndContinue' }, topology());
    await lenient.start();
    await waitForState(lenient, 'RUNNING');
    const view = lenient.store('products-store', QueryableStoreTypes.keyValueStore<string, { price: number }>());
    expect(view.all().map((e) => e.key)).toEqual(['p1', 'p3']);
    await send(failing, 'orders', [['o1', 'p3']]);
    expect((await readAtLeast(failing, 'priced', 1)).map((r) => str(r.value))).toEqual(['p3@3']);
    expect(await readTopic(failing, 'priced')).toHaveLength(1);
  }, 30_000);

  it('a global record that fails to deserialize after start moves the application to ERROR (logAndFail)', async () => {
    const broker = await setup();
    const b = new StreamsBuilder();
    const g = b.globalTable('products', Consumed.with(S, Serdes.json<{ price: number }>()), Materialized.as<string, { price: number }>('products-store'));
    b.stream('orders', Consumed.with(S, S)).join(g, (_k, v) => v, (v, p) => `${v}@${p.price}`).to('priced', Produced.with(S, S));
    const a = app(broker, tempDir('tributary-global-late-'), {}, b.build());
    await a.start();
    await waitForState(a, 'RUNNING');
    await send(broker, 'products', [['p1', '{oops']]);
    await waitForState(a, 'ERROR');
    expect(a.error).toBeInstanceOf(RecordDeserializationError);
    expect(a.error!.message).toMatch(/products/);
    await a.close();
  }, 30_000);
});
