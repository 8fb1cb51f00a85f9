/**
 * The same aggregation gives the same final per-key results with 1, 3 and 8 partitions, in the
 * TopologyTestDriver and in KafkaStreams (persistent stores, repartition topic), and both equal a
 * plain model. The window grace covers the whole input: records from different input partitions
 * reach the repartition topic in no particular cross-partition order, so without grace which
 * records are late legitimately depends on the partitioning (as in Kafka).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Broker,
  Consumed,
  Grouped,
  KafkaStreams,
  Materialized,
  QueryableStoreTypes,
  Repartitioned,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Topology,
} from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { silentLogger, waitFor } from './runtime-test-helpers.js';

const S = Serdes.string();
const L = Serdes.long();
const WINDOW = 100;
/** Longer than any generated input spans (at most 40 records, 60 ms apart). */
const GRACE = 10_000;
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4'];

function topology(): Topology {
  const builder = new StreamsBuilder();
  const grouped = builder
    .stream('amounts', Consumed.with(S, L))
    .selectKey((_key, amount) => `g${amount % 5}`)
    // One explicit repartition feeds both aggregations (a user-named grouping used by two
    // aggregations would register its repartition topic twice, which Kafka rejects as well).
    .repartition(Repartitioned.with(S, L).withName('by-group'))
    .groupByKey(Grouped.with(S, L));
  grouped.reduce((a, b) => a + b, Materialized.as<string, number>('sums').withKeySerde(S).withValueSerde(L));
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE)).count(Materialized.as<string, number>('window-counts'));
  return builder.build();
}

interface Input {
  key: string;
  amount: number;
  timestamp: number;
}

function model(inputs: Input[]) {
  const sums = new Map<string, number>();
  const windows = new Map<string, number>(); // `${group}@${start}`
  for (const { amount, timestamp } of inputs) {
    const group = `g${amount % 5}`;
    sums.set(group, (sums.get(group) ?? 0) + amount);
    const id = `${group}@${timestamp - (timestamp % WINDOW)}`;
    windows.set(id, (windows.get(id) ?? 0) + 1);
  }
  return { sums, windows };
}

type Reader = {
  sum(group: string): number | null;
  windows(group: string): { timestamp: number; value: number }[];
};

function snapshot(read: Reader) {
  const sums = new Map<string, number>();
  const windows = new Map<string, number>();
  for (const g of GROUPS) {
    const s = read.sum(g);
    if (s !== null) sums.set(g, s);
    for (const w of read.windows(g)) windows.set(`${g}@${w.timestamp}`, w.value);
  }
  return { sums, windows };
}

const inputs = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), amount: fc.integer({ min: 0, max: 50 }), gap: fc.integer({ min: 0, max: 60 }) }), {
    minLength: 1,
    maxLength: 40,
  })
  .map((rows) => {
    let t = 0;
    return rows.map(({ key, amount, gap }) => ({ key, amount, timestamp: (t += gap) }));
  });

async function runApp(partitions: number, rows: Input[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-partitions-'));
  const broker = await Broker.inMemory();
  const app = new KafkaStreams(topology(), { applicationId: `sum-${partitions}`, broker, stateDir, commitIntervalMs: 20, logger: silentLogger });
  try {
    await broker.admin().createTopics([{ topic: 'amounts', partitions }]);
    await broker.producer().send(rows.map((r) => ({ topic: 'amounts', key: r.key, value: L.serialize(r.amount), timestamp: r.timestamp })));
    await app.start();
    const expected = model(rows);
    const read = (): Reader => {
      const sums = app.store('sums', QueryableStoreTypes.keyValueStore<string, number>());
      const windows = app.store('window-counts', QueryableStoreTypes.windowStore<string, number>());
      return { sum: (g) => sums.get(g), windows: (g) => windows.fetch(g, 0, Number.MAX_SAFE_INTEGER) };
    };
    const same = () => {
      if (app.state !== 'RUNNING') return false;
      const got = snapshot(read());
      return JSON.stringify([...got.sums].sort()) === JSON.stringify([...expected.sums].sort()) &&
        JSON.stringify([...got.windows].sort()) === JSON.stringify([...expected.windows].sort());
    };
    await waitFor(same, 10_000, `${partitions}-partition results equal to the model`).catch(() => undefined);
    const got = snapshot(read());
    expect((await broker.admin().describeTopic(`sum-${partitions}-by-group-repartition`)).partitions).toHaveLength(partitions);
    return got;
  } finally {
    await app.close();
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function runDriver(rows: Input[]) {
  const driver = new TopologyTestDriver(topology(), { applicationId: 'sum-driver' }, 0);
  try {
    const input = driver.createInputTopic('amounts', S, L);
    for (const r of rows) input.pipeInput(r.key, r.amount, r.timestamp);
    const sums = driver.getKeyValueStore<string, number>('sums');
    const windows = driver.getWindowStore<string, number>('window-counts');
    return snapshot({
      sum: (g) => sums.get(g),
      windows: (g) => windows.fetch(g, 0, Number.MAX_SAFE_INTEGER).map((w) => ({ timestamp: w.timestamp, value: w.value })),
    });
  } finally {
    driver.close();
  }
}

describe('runtime > the same aggregation with 1, 3 and 8 partitions', () => {
  it('property: the driver and KafkaStreams with 1, 3 and 8 partitions all give the model sums and windowed counts', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async (rows) => {
        const expected = model(rows);
        const fromDriver = runDriver(rows);
        expect(fromDriver).toEqual(expected);
        for (const partitions of [1, 3, 8]) expect(await runApp(partitions, rows)).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  }, 120_000);
});
