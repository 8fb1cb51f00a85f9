import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readAtLeast, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A pass-through app that records the input partitions it processed. */
function instance(broker: Broker, seen: { partition: number; value: string }[]) {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, S))
    .process(() => {
      let ctx: ProcessorContext<string, string>;
      const processor: Processor<string, string, string, string> = {
        init: (c) => void (ctx = c),
        process: (r) => {
          seen.push({ partition: ctx.recordMetadata()!.partition, value: r.value });
          ctx.forward(r);
        },
      };
      return processor;
    })
    .to('out', Produced.with(S, S));
  const app = new KafkaStreams(builder.build(), { applicationId: 'shared', broker, commitIntervalMs: 100, logger: silentLogger });
  open.push(app);
  return app;
}

describe('runtime > KafkaStreams group', () => {
  it('two instances with the same applicationId share the partitions: each processes a subset, the union is everything', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 4 }, { topic: 'out', partitions: 4 }]);
    const producer = broker.producer();
    const batch = (tag: string) => Array.from({ length: 100 }, (_, i) => ({ topic: 'in', key: `k${i}`, value: `${tag}${i}` }));
    await producer.send(batch('a'));

    const seenA: { partition: number; value: string }[] = [];
    const seenB: { partition: number; value: string }[] = [];
    const a = instance(broker, seenA);
    const statesA: string[] = [];
    a.state$.subscribe((st) => statesA.push(st));
    await a.start();
    await readAtLeast(broker, 'out', 100);
    const b = instance(broker, seenB);
    await b.start();
    await waitFor(async () => {
      const group = await broker.admin().describeGroup('shared');
      return group.members.length === 2 && group.members.every((m) => m.assignment.length === 2) && a.state === 'RUNNING' && b.state === 'RUNNING';
    }, 10_000, 'two members with two partitions each');
    await producer.send(batch('b'));
    const out = await readAtLeast(broker, 'out', 200);
    await waitForState(a, 'RUNNING');

    expect(out.map((r) => str(r.value)).sort()).toEqual([...batch('a'), ...batch('b')].map((r) => r.value).sort());
    const partsA = new Set(seenA.filter((s) => s.value.startsWith('b')).map((s) => s.partition));
    const partsB = new Set(seenB.filter((s) => s.value.startsWith('b')).map((s) => s.partition));
    expect(partsA.size).toBe(2);
    expect(partsB.size).toBe(2);
    expect([...partsA, ...partsB].sort()).toEqual([0, 1, 2, 3]);
    expect(seenB.every((s) => s.value.startsWith('b'))).toBe(true); // b started after a committed the first batch
    const tasksOf = (app: KafkaStreams) => app.metadataForLocalThreads()[0]!.activeTasks.map((t) => t.taskId);
    expect([...tasksOf(a), ...tasksOf(b)].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    expect(tasksOf(a)).toHaveLength(2);
    expect(a.metadataForLocalThreads()[0]!.activeTasks[0]!.topicPartitions).toEqual([{ topic: 'in', partition: Number(tasksOf(a)[0]!.split('_')[1]) }]);
    // a went back to REBALANCING when b joined, then RUNNING again.
    expect(statesA.join(' ')).toMatch(/^CREATED REBALANCING RUNNING (REBALANCING RUNNING ?)+$/);

    await b.close();
    // a takes every partition back after b leaves.
    await waitFor(async () => (await broker.admin().describeGroup('shared')).members[0]?.assignment.length === 4, 10_000, 'a owns all partitions');
    await producer.send(batch('c'));
    await readAtLeast(broker, 'out', 300);
    expect(new Set(seenA.filter((s) => s.value.startsWith('c')).map((s) => s.partition)).size).toBe(4);
    await a.close();
  });

  it('loses nothing while instances join and leave under continuous input (clean handovers: no duplicates either)', async () => {
    const broker = await Broker.inMemory();
    open.push(broker);
    await broker.admin().createTopics([{ topic: 'in', partitions: 4 }, { topic: 'out', partitions: 4 }]);
    const producer = broker.producer();
    let sent = 0;
    const produce = async (n: number) => {
      for (let i = 0; i < n; i++, sent++) await producer.send([{ topic: 'in', key: `k${sent % 23}`, value: `v${sent}` }]);
    };
    const a = instance(broker, []);
    await a.start();
    await produce(150);
    const b = instance(broker, []);
    await b.start();
    await produce(150);
    const c = instance(broker, []);
    await c.start();
    await produce(150);
    await a.close();
    await produce(150);
    await b.close();
    await produce(100);
    const out = await readAtLeast(broker, 'out', sent);
    const values = out.map((r) => str(r.value)!);
    expect(new Set(values).size).toBe(sent);
    expect(values).toHaveLength(sent);
    await c.close();
  });
});
