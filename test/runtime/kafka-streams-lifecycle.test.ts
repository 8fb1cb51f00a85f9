import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import type { Consumer, ConsumerOptions } from '../../src/core/client.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { readTopic, silentLogger, str, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();

/** What happens next to the group of instances. */
type Action =
  | { kind: 'produce'; n: number }
  | { kind: 'start' }
  | { kind: 'close'; pick: number }
  | { kind: 'crash'; pick: number }
  | { kind: 'settle' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('produce' as const), n: fc.integer({ min: 1, max: 40 }) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'start' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('crash' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'settle' as const }), weight: 1 },
);

/** The broker's clients, with a switch that makes the consumer fail like a crashed process. */
function killable(broker: Broker): ClientFactory & { kill(): void } {
  let killed = false;
  const dead = () => Promise.reject(new Error('process killed'));
  return {
    kill: () => void (killed = true),
    admin: () => broker.admin(),
    producer: (opts) => broker.producer(opts),
    consumer(opts: ConsumerOptions): Consumer {
      const real = broker.consumer(opts);
      return new Proxy(real, {
        get(target, prop, receiver) {
          if (killed && (prop === 'poll' || prop === 'commit')) return dead;
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}

function upper() {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S));
  return builder.build();
}

async function outputCount(broker: Broker): Promise<number> {
  return (await broker.admin().describeTopic('out')).partitions.reduce((n, p) => n + p.highWatermark, 0);
}

describe('runtime > KafkaStreams lifecycles', () => {
  it('property: instances starting, closing and crashing under input lose nothing; without a crash nothing is duplicated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 10 }), fc.constantFrom(0, 20, 60_000), async (actions, commitIntervalMs) => {
        const broker = await Broker.inMemory();
        const alive: { app: KafkaStreams; clients: ReturnType<typeof killable> }[] = [];
        const produced: string[] = [];
        let crashed = false;
        const startOne = async () => {
          const clients = killable(broker);
          const app = new KafkaStreams(upper(), { applicationId: 'life', broker: clients, commitIntervalMs, logger: silentLogger });
          alive.push({ app, clients });
          await app.start();
        };
        try {
          await broker.admin().createTopics([{ topic: 'in', partitions: 4 }, { topic: 'out', partitions: 4 }]);
          const producer = broker.producer();
          for (const action of actions) {
            if (action.kind === 'produce') {
              const batch = Array.from({ length: action.n }, (_, i) => `v${produced.length + i}`);
              produced.push(...batch);
              await producer.send(batch.map((value, i) => ({ topic: 'in', key: `k${i % 7}`, value })));
            } else if (action.kind === 'start' && alive.length < 3) {
              await startOne();
            } else if (action.kind === 'close' && alive.length > 0) {
              const [gone] = alive.splice(action.pick % alive.length, 1);
              await gone!.app.close();
              expect(gone!.app.state).toBe('NOT_RUNNING');
            } else if (action.kind === 'crash' && alive.length > 0) {
              const [gone] = alive.splice(action.pick % alive.length, 1);
              crashed = true;
              gone!.clients.kill();
              await waitForState(gone!.app, 'ERROR');
              await gone!.app.close();
            } else if (action.kind === 'settle' && alive.length > 0) {
              await waitFor(async () => (await outputCount(broker)) >= produced.length, 10_000, 'the output to catch up');
            }
          }
          if (alive.length === 0) await startOne();
          await waitFor(async () => (await outputCount(broker)) >= produced.length, 10_000, 'every record processed');
          for (const { app } of alive.splice(0)) await app.close();

          const out = (await readTopic(broker, 'out')).map((r) => str(r.value)!);
          expect(new Set(out)).toEqual(new Set(produced.map((v) => v.toUpperCase()))); // at-least-once: nothing lost
          if (!crashed) expect(out).toHaveLength(produced.length); // clean handovers commit first: no duplicates
        } finally {
          for (const { app } of alive) await app.close();
          await broker.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
