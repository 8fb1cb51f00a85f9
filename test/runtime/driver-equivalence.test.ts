import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { KeyValue } from '../../dsl/key-value.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { readAtLeast, readTopic, silentLogger, str } from './runtime-test-helpers.js';

const S = Serdes.string();
const I = Serdes.int32();

/**
 * A stateless topology with key-preserving operators (to 'same-key') and a key change followed by a
 * repartition (sub-topology 1 reads the repartition topic) and another step (to 'rekeyed').
 */
function topology() {
  const builder = new StreamsBuilder();
  const input = builder.stream('in', Consumed.with(S, I));
  const kept = input
    .filter((_k, v) => v % 3 !== 0)
    .flatMapValues((v) => (v % 2 === 0 ? [v, v + 1] : [v]))
    .mapValues((v) => `v${v * 10}`);
  kept.to('same-key', Produced.with(S, S));
  input
    .filterNot((_k, v) => v % 5 === 0)
    .map((k, v) => KeyValue.pair(`${k}-${v % 4}`, String(v)))
    .repartition(Repartitioned.with(S, S).withName('by-bucket'))
    .mapValues((v) => `r${v}`)
    .to('rekeyed', Produced.with(S, S));
  return builder.build();
}

type Row = { key: string; value: string; timestamp: number };

/** Groups rows by key; `ordered` keeps each key's sequence, otherwise sorts it (cross-partition order is free). */
function byKey(rows: Row[], ordered: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.key] ??= []).push(`${r.value}@${r.timestamp}`);
  if (!ordered) for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

const inputArb = fc.array(
  fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), value: fc.integer({ min: 0, max: 1000 }), dt: fc.integer({ min: 0, max: 50 }) }),
  { minLength: 1, maxLength: 60 },
);

const runArb = fc.record({
  partitions: fc.constantFrom(1, 2, 4, 4),
  maxPollRecords: fc.integer({ min: 1, max: 50 }),
  commitIntervalMs: fc.constantFrom(0, 5, 30_000),
});

describe('runtime > KafkaStreams vs TopologyTestDriver', () => {
  it('property: a stateless topology writes the same records per key on a partitioned broker as in the test driver', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, runArb, async (records, run) => {
        let ts = 1_000;
        const timed = records.map((r) => ({ ...r, timestamp: (ts += r.dt) }));

        const driver = new TopologyTestDriver(topology(), {}, 0);
        const pipe = driver.createInputTopic('in', S, I);
        for (const r of timed) pipe.pipeInput(r.key, r.value, r.timestamp);
        const expectedSame = driver.createOutputTopic('same-key', S, S).readRecordsToList() as Row[];
        const expectedRekeyed = driver.createOutputTopic('rekeyed', S, S).readRecordsToList() as Row[];
        driver.close();

        const broker = await Broker.inMemory();
        try {
          await broker.admin().createTopics(['in', 'same-key', 'rekeyed'].map((topic) => ({ topic, partitions: run.partitions })));
          await broker.producer().send(timed.map((r) => ({ topic: 'in', key: r.key, value: I.serialize(r.value)!, timestamp: r.timestamp })));
          const app = new KafkaStreams(topology(), { applicationId: 'equiv', broker, logger: silentLogger, maxPollRecords: run.maxPollRecords, commitIntervalMs: run.commitIntervalMs });
          await app.start();
          await readAtLeast(broker, 'same-key', expectedSame.length);
          await readAtLeast(broker, 'rekeyed', expectedRekeyed.length);
          await app.close();
          expect(app.state).toBe('NOT_RUNNING');
          const rows = async (topic: string) =>
            (await readTopic(broker, topic)).map((r) => ({ key: str(r.key)!, value: str(r.value)!, timestamp: r.timestamp }));
          expect(byKey(await rows('same-key'), true)).toEqual(byKey(expectedSame, true));
          expect(byKey(await rows('rekeyed'), false)).toEqual(byKey(expectedRekeyed, false));
        } finally {
          await broker.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
