/**
 * The foreign-key join on the embedded broker with a 3-partition left table and a 2-partition right
 * table (no co-partitioning): the subscription topic takes the right side's count, the response
 * topic the left side's, and the result converges to the model — before and while the app runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Broker, Consumed, KafkaStreams, Materialized, Produced, QueryableStoreTypes, Serdes, StreamsBuilder, type Topology } from 'tributary';
import { readTopic, silentLogger, str, waitFor } from './runtime-test-helpers.js';

const S = Serdes.string();
const fkOf = (value: string): string | null => (value.includes('|') ? value.split('|')[1]! : null);
const joiner = (l: string, r: string | null) => `${l}+${r}`;

type Op = { topic: 'orders' | 'customers'; key: string; value: string | null };

function topology(leftJoin: boolean): Topology {
  const b = new StreamsBuilder();
  const orders = b.table('orders', Consumed.with(S, S));
  const customers = b.table('customers', Consumed.with(S, S));
  const m = Materialized.as<string, string>('enriched').withValueSerde(S);
  (leftJoin ? orders.leftJoin(customers, fkOf, joiner, m) : orders.join(customers, fkOf, joiner, m)).toStream().to('enriched-out', Produced.with(S, S));
  return b.build();
}

function model(ops: readonly Op[], leftJoin: boolean): Record<string, string> {
  const tables = { orders: new Map<string, string>(), customers: new Map<string, string>() };
  for (const op of ops) {
    if (op.value === null) tables[op.topic].delete(op.key);
    else tables[op.topic].set(op.key, op.value);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of tables.orders) {
    const fk = fkOf(value);
    const match = fk === null ? undefined : tables.customers.get(fk);
    if (match !== undefined) out[key] = joiner(value, match);
    else if (leftJoin) out[key] = joiner(value, null);
  }
  return out;
}

const sorted = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

async function runApp(phases: readonly (readonly Op[])[], leftJoin: boolean, id: string) {
  const stateDir = mkdtempSync(join(tmpdir(), 'tributary-fk-'));
  const broker = await Broker.inMemory();
  const app = new KafkaStreams(topology(leftJoin), { applicationId: id, broker, stateDir, commitIntervalMs: 20, logger: silentLogger });
  const producer = broker.producer();
  let t = 0;
  const send = (ops: readonly Op[]) => producer.send(ops.map((op) => ({ topic: op.topic, key: op.key, value: op.value === null ? null : Buffer.from(op.value), timestamp: (t += 1) })));
  try {
    await broker.admin().createTopics([{ topic: 'orders', partitions: 3 }, { topic: 'customers', partitions: 2 }, { topic: 'enriched-out', partitions: 3 }]);
    await send(phases[0]!);
    await app.start();
    const seen: Op[] = [...phases[0]!];
    const results: { store: Record<string, string>; expected: Record<string, string> }[] = [];
    for (let i = 0; i < phases.length; i++) {
      if (i > 0) {
        await send(phases[i]!);
        seen.push(...phases[i]!);
      }
      const expected = model(seen, leftJoin);
      const read = () => Object.fromEntries(app.store('enriched', QueryableStoreTypes.keyValueStore<string, string>()).all().map((e) => [e.key, e.value]));
      await waitFor(() => app.state === 'RUNNING' && sorted(read()) === sorted(expected), 15_000, `phase ${i} result equal to the model`).catch(() => undefined);
      results.push({ store: read(), expected });
    }
    const admin = broker.admin();
    const partitions = async (topic: string) => (await admin.describeTopic(`${id}-${topic}`)).partitions.length;
    const counts = {
      registration: await partitions('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic'),
      response: await partitions('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic'),
      subscriptionChangelog: await partitions('KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010-changelog'),
    };
    await app.close();
    // The output topic, read back as a table, holds the same rows (one key lives in one partition: offset order is its order).
    const out: Record<string, string> = {};
    for (const r of (await readTopic(broker, 'enriched-out')).sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      if (r.value === null) delete out[str(r.key)!];
      else out[str(r.key)!] = str(r.value)!;
    }
    return { results, counts, out };
  } finally {
    await app.close();
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const ORDERS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'];
const CUSTOMERS = ['c1', 'c2', 'c3'];

describe('runtime > foreign-key join across 3 and 2 partitions', () => {
  it('sizes the internal topics by each side and converges to the model, for input before and during the run', async () => {
    const phase1: Op[] = [
      ...ORDERS.map((o, i) => ({ topic: 'orders' as const, key: o, value: `${o}v1|${CUSTOMERS[i % 3]}` })),
      { topic: 'customers', key: 'c1', value: 'Ada' },
      { topic: 'customers', key: 'c2', value: 'Bo' },
    ];
    const phase2: Op[] = [
      { topic: 'customers', key: 'c3', value: 'Cy' },
      { topic: 'orders', key: 'o1', value: 'o1v2|c2' },
      { topic: 'customers', key: 'c2', value: 'Bo2' },
      { topic: 'orders', key: 'o2', value: null },
      { topic: 'customers', key: 'c1', value: null },
      { topic: 'orders', key: 'o5', value: 'o5v2' },
    ];
    for (const leftJoin of [false, true]) {
      const { results, counts, out } = await runApp([phase1, phase2], leftJoin, leftJoin ? 'fk-left' : 'fk-inner');
      expect(counts).toEqual({ registration: 2, response: 3, subscriptionChangelog: 2 });
      for (const { store, expected } of results) expect(store).toEqual(expected);
      expect(out).toEqual(results.at(-1)!.expected);
    }
  }, 60_000);

  it('property: random upserts and tombstones on both sides, in two phases, converge to the model', async () => {
    const op = fc.oneof(
      fc.record({ topic: fc.constant('orders' as const), key: fc.constantFrom(...ORDERS), value: fc.option(fc.tuple(fc.constantFrom('a', 'b'), fc.option(fc.constantFrom(...CUSTOMERS), { freq: 5 })).map(([v, c]) => (c === null ? v : `${v}|${c}`)), { freq: 4 }) }),
      fc.record({ topic: fc.constant('customers' as const), key: fc.constantFrom(...CUSTOMERS), value: fc.option(fc.constantFrom('x', 'y'), { freq: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.array(op, { maxLength: 15 }), fc.boolean(), async (first, second, leftJoin) => {
        const { results, out } = await runApp([first, second], leftJoin, 'fk-prop');
        for (const { store, expected } of results) expect(store).toEqual(expected);
        expect(out).toEqual(results.at(-1)!.expected);
      }),
      { numRuns: 10 },
    );
  }, 120_000);
});
