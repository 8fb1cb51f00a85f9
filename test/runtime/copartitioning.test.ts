import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Joined } from '../../dsl/joined.js';
import { JoinWindows } from '../../dsl/windows/join-windows.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamJoined } from '../../dsl/stream-joined.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, silentLogger, str } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function brokerWith(topics: Record<string, number>): Promise<Broker> {
  const broker = await Broker.inMemory();
  open.push(broker);
  await broker.admin().createTopics(Object.entries(topics).map(([topic, partitions]) => ({ topic, partitions })));
  return broker;
}

function start(builder: StreamsBuilder, broker: Broker): KafkaStreams {
  const streams = new KafkaStreams(builder.build(), { applicationId: 'app', broker, commitIntervalMs: 50, logger: silentLogger });
  open.push(streams);
  return streams;
}

describe('runtime > co-partitioning of joins', () => {
  it('sizes the repartition side of a stream–table join to the table topic, so every key meets its row', async () => {
    // The stream topic has 2 partitions, the table topic 5: after selectKey the stream is repartitioned,
    // and its repartition topic must get 5 partitions (Kafka's co-partition enforcer), not 2.
    const broker = await brokerWith({ orders: 2, customers: 5, enriched: 1 });
    const customers = Array.from({ length: 20 }, (_, i) => ({ topic: 'customers', key: `c${i}`, value: `name${i}`, timestamp: 1 }));
    await broker.producer().send(customers);
    const builder = new StreamsBuilder();
    const table = builder.table('customers', Consumed.with(S, S));
    builder
      .stream('orders', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0]!)
      .join(table, (order, name) => `${order}@${name}`, Joined.with(S, S, S))
      .to('enriched', Produced.with(S, S));
    const streams = start(builder, broker);
    await streams.start();
    const repartition = (await broker.admin().listTopics()).find((t) => t.endsWith('-repartition'))!;
    expect((await broker.admin().describeTopic(repartition)).partitions).toHaveLength(5);
    const orders = Array.from({ length: 40 }, (_, i) => ({ topic: 'orders', key: `o${i}`, value: `c${i % 20}:${i}`, timestamp: 1000 + i }));
    await broker.producer().send(orders);
    const out = await readAtLeast(broker, 'enriched', 40);
    expect(out.map((r) => str(r.value)).sort()).toEqual(orders.map((o) => `${o.value}@name${Number(o.value.split(':')[0]!.slice(1))}`).sort());
  });

  it('raises the repartition topics of a join of two re-keyed streams to the larger side', async () => {
    const broker = await brokerWith({ left: 2, right: 3, joined: 1 });
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(S, S)).selectKey((_k, v) => v);
    const right = builder.stream('right', Consumed.with(S, S)).selectKey((_k, v) => v);
    left
      .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(1000), StreamJoined.with(S, S, S))
      .to('joined', Produced.with(S, S));
    const streams = start(builder, broker);
    await streams.start();
    const admin = broker.admin();
    const repartitions = (await admin.listTopics()).filter((t) => t.endsWith('-repartition'));
    expect(repartitions).toHaveLength(2);
    for (const t of repartitions) expect((await admin.describeTopic(t)).partitions).toHaveLength(3);
    await broker.producer().send([
      { topic: 'left', key: 'x', value: 'k1', timestamp: 100 },
      { topic: 'right', key: 'y', value: 'k1', timestamp: 200 },
    ]);
    const out = await readAtLeast(broker, 'joined', 1);
    expect(out.map((r) => [str(r.key), str(r.value)])).toEqual([['k1', 'k1+k1']]);
  });

  it('still fails start() when a user-fixed repartition count disagrees with the table side', async () => {
    const broker = await brokerWith({ orders: 2, customers: 5 });
    const builder = new StreamsBuilder();
    const table = builder.table('customers', Consumed.with(S, S));
    builder
      .stream('orders', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .repartition(Repartitioned.with(S, S).withName('fixed').withNumberOfPartitions(2))
      .join(table, (o, c) => `${o}${c}`, Joined.with(S, S, S))
      .to('out');
    const streams = start(builder, broker);
    await expect(streams.start()).rejects.toThrow(/"app-fixed-repartition" has 2, "customers" has 5|"customers" has 5, "app-fixed-repartition" has 2/);
  });
});
