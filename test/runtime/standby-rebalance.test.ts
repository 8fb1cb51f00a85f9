import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { silentLogger, waitFor } from './runtime-test-helpers.js';
import { fastClients, killableClients } from './standby-test-helpers.js';

const S = Serdes.string();
const PARTITIONS = 6;
const ALL = Array.from({ length: PARTITIONS }, (_, p) => `0_${p}`);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function app(clients: ClientFactory): KafkaStreams {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-standby-rb-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('counts'));
  const streams = new KafkaStreams(builder.build(), { applicationId: 'rb', broker: clients, stateDir: dir, numStandbyReplicas: 1, logger: silentLogger });
  cleanups.push(() => streams.close());
  return streams;
}

/**
 * The assignment across `live` instances, or a reason it is not (yet) right: every task has one
 * active; every task has exactly one standby when there are two or more instances, never on the
 * instance running it active.
 */
function violation(live: readonly KafkaStreams[]): string | undefined {
  if (live.some((a) => a.state !== 'RUNNING')) return 'not all RUNNING';
  const active = new Map<string, number>();
  const standby = new Map<string, number[]>();
  live.forEach((a, i) => {
    const t = a.metadataForLocalThreads()[0]!;
    for (const x of t.activeTasks) active.set(x.taskId, active.has(x.taskId) ? -1 : i);
    for (const x of t.standbyTasks) standby.set(x.taskId, [...(standby.get(x.taskId) ?? []), i]);
  });
  for (const task of ALL) {
    const owner = active.get(task);
    if (owner === undefined || owner < 0) return `task ${task} has ${owner === undefined ? 'no' : 'two'} actives`;
    const holders = standby.get(task) ?? [];
    if (holders.includes(owner)) return `task ${task}: standby beside its active`;
    if (holders.length !== Math.min(1, live.length - 1)) return `task ${task} has ${holders.length} standbys`;
  }
  return undefined;
}

describe('runtime > standby placement across rebalances', () => {
  it('over joins, a clean leave and a crash, every task keeps one active and one standby elsewhere; a lost standby is recreated on a free instance', async () => {
    const broker = await Broker.inMemory();
    cleanups.push(() => broker.close());
    await broker.admin().createTopics([{ topic: 'in', partitions: PARTITIONS }]);
    await broker.producer().send(Array.from({ length: 300 }, (_, i) => ({ topic: 'in', key: `k${i % 50}`, value: 'v' })));
    const killable = killableClients(broker);
    const a = app(fastClients(broker));
    const b = app(killable);
    const c = app(fastClients(broker));
    const settled = async (live: KafkaStreams[], step: string) => {
      let last: string | undefined;
      await waitFor(() => (last = violation(live)) === undefined, 20_000, `${step} to settle (last: ${last})`).catch((e: Error) => {
        throw new Error(`${e.message}; ${last}`);
      });
      // A rebalance could still be on its way: it must settle right again.
      await new Promise((r) => setTimeout(r, 200));
      await waitFor(() => violation(live) === undefined, 20_000, `${step} to stay settled`);
    };

    await a.start();
    await settled([a], 'one instance');
    expect(a.metadataForLocalThreads()[0]!.standbyTasks).toEqual([]);
    await b.start();
    await settled([a, b], 'two instances');
    await c.start();
    await settled([a, b, c], 'three instances');

    await a.close(); // a clean leave
    await settled([b, c], 'after a leaves');
    const d = app(fastClients(broker));
    await d.start();
    await settled([b, c, d], 'after d joins');

    killable.kill(); // b crashes: no commit, no leave; evicted after its session timeout
    await settled([c, d], 'after b crashes');
    await c.close();
    await settled([d], 'after c leaves');
    expect(d.metadataForLocalThreads()[0]!.standbyTasks).toEqual([]);
  }, 90_000);
});
