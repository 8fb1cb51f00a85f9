import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { TimestampExtractor } from '../../src/processor/node-options.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, silentLogger, str } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('runtime > record order by extracted timestamp', () => {
  it('a task reading two topics takes the record with the smallest extracted (not raw) timestamp next', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'a', partitions: 1 }, { topic: 'b', partitions: 1 }, { topic: 'out', partitions: 1 }]);
    // The event time is in the value ("<name>@<time>"); the raw timestamps run the other way.
    const fromValue: TimestampExtractor = (r) => Number(r.value!.toString().split('@')[1]);
    await broker.producer().send([
      { topic: 'a', key: 'k', value: 'a1@10', timestamp: 900 },
      { topic: 'a', key: 'k', value: 'a2@30', timestamp: 901 },
      { topic: 'b', key: 'k', value: 'b1@20', timestamp: 100 },
      { topic: 'b', key: 'k', value: 'b2@40', timestamp: 101 },
    ]);
    const builder = new StreamsBuilder();
    const consumed = Consumed.with(S, S).withTimestampExtractor(fromValue);
    builder.stream('a', consumed).merge(builder.stream('b', consumed)).to('out', Produced.with(S, S));
    const streams = new KafkaStreams(builder.build(), { applicationId: 'order', broker, commitIntervalMs: 50, logger: silentLogger });
    open.push(streams);
    await streams.start();
    const out = await readAtLeast(broker, 'out', 4);
    expect(out.map((r) => [str(r.value), r.timestamp])).toEqual([['a1@10', 10], ['b1@20', 20], ['a2@30', 30], ['b2@40', 40]]);
  });
});
