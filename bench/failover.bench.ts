/**
 * Failover (issue #7): how long a stateful task is down when the instance running it dies, restored
 * from its changelog (`numStandbyReplicas: 0`) or taken over from a standby replica (`1`).
 *
 * Workload: a windowed count (`groupByKey` → 5-minute tumbling windows → `count` into a persistent,
 * uncached, logged window store: every input record is one changelog record) over 200k records
 * (default) and 50k keys, one input partition so one instance runs the one task, on a durable broker
 * (`fsync: 'commit'`), under `exactly_once_v2`. Group members use a 1 s session timeout (Kafka's
 * default is 45 s: failure detection would dwarf everything else, equally on both sides).
 *
 * Each round, per side:
 * 1. instance A starts alone and counts the input until its offsets are committed;
 * 2. instance B starts: with a standby it catches up on the changelog (its standby has applied every
 *    committed changelog record); without, it runs nothing;
 * 3. A is killed abruptly (every client call fails, no commit, no leave-group, heartbeats stop), and
 *    1,000 new records are produced at once;
 * 4. measured on B: the time from the kill, and from B's rebalance start, until B has restored the
 *    task and processed new input; the changelog records B replayed (`restore-records-total`).
 * Alternating rounds (2 per side by default), best of each side kept (the machine is shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed } from '../dsl/consumed.js';
import { Materialized } from '../dsl/materialized.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { TimeWindows } from '../dsl/windows/time-windows.js';
import { Broker } from '../src/broker/broker.js';
import type { ClientFactory } from '../src/client/client-factory.js';
import type { Consumer, ConsumerOptions, Producer } from '../src/core/client.js';
import type { ConsumedRecord } from '../src/core/record.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { Serdes } from '../src/serdes/serdes.js';
import { printTable } from './report.js';

const KEYS = 50_000;
const NEW_INPUT = 1_000;
const SESSION = { sessionTimeoutMs: 1000, heartbeatIntervalMs: 100 } as const;
const S = Serdes.string();
const quiet = { warn: () => {} };

function topology() {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, S))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(300_000))
    .count(Materialized.as<string, number>('window-counts').withCachingDisabled().withRetention(24 * 3_600_000));
  return builder.build();
}

/** Client methods that return no promise: a dead process's call throws instead of rejecting. */
const SYNC_METHODS = new Set(['beginTransaction', 'assign', 'assignment', 'seek', 'seekToBeginning', 'seekToEnd', 'position', 'pause', 'resume', 'paused', 'groupMetadata']);
const dead = (method: string) => (SYNC_METHODS.has(method) ? () => { throw new Error('process killed'); } : () => Promise.reject(new Error('process killed')));

/** The broker's clients for one instance (1 s sessions), with `kill()`: the in-process SIGKILL. */
function instanceClients(broker: Broker): ClientFactory & { kill(): void } {
  let killed = false;
  const groupConsumers: Consumer[] = [];
  const wrap = <T extends object>(real: T): T =>
    new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (killed) return prop === 'close' ? () => Promise.resolve() : dead(String(prop));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  return {
    kill() {
      killed = true;
      // A dead process sends no heartbeats (the embedded consumer's timer would keep its session alive).
      for (const c of groupConsumers) (c as unknown as { stopHeartbeats(): void }).stopHeartbeats();
    },
    admin: () => broker.admin(),
    producer: (opts) => wrap<Producer>(broker.producer(opts)),
    consumer(opts: ConsumerOptions): Consumer {
      const real = broker.consumer(opts.groupId === undefined ? opts : { ...SESSION, ...opts });
      if (opts.groupId !== undefined) groupConsumers.push(real);
      return wrap<Consumer>(real);
    },
  };
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 5): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`failover bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Changelog records a read_committed reader sees now. */
async function committedChangelog(broker: Broker, topic: string): Promise<number> {
  const desc = await broker.admin().describeTopic(topic);
  const consumer = broker.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  let n = 0;
  try {
    for (let idle = 0; idle < 3; ) {
      const batch: ConsumedRecord[] = await consumer.poll({ maxRecords: 50_000, timeoutMs: 50 });
      n += batch.length;
      idle = batch.length === 0 ? idle + 1 : 0;
    }
  } finally {
    await consumer.close();
  }
  return n;
}

interface Outcome {
  /** Kill → B processed new input. */
  readonly fromKillMs: number;
  /** B's rebalance start → B processed new input (detection excluded). */
  readonly fromRebalanceMs: number;
  readonly replayed: number;
  readonly changelog: number;
}

async function runOnce(standbys: 0 | 1, records: number): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-failover-bench-'));
  const broker = await Broker.open({ dataDir: join(dir, 'broker'), fsync: 'commit' });
  const apps: KafkaStreams[] = [];
  const start = (name: string, clients: ClientFactory) => {
    const app = new KafkaStreams(topology(), {
      applicationId: 'failover-bench', broker: clients, stateDir: join(dir, name), processingGuarantee: 'exactly_once_v2', numStandbyReplicas: standbys, logger: quiet,
    });
    apps.push(app);
    return app;
  };
  try {
    await broker.admin().createTopics([{ topic: 'in', partitions: 1 }]);
    const producer = broker.producer();
    const send = async (from: number, n: number) => {
      for (let i = from; i < from + n; i += 10_000) {
        const batch = Array.from({ length: Math.min(10_000, from + n - i) }, (_, j) => {
          const r = i + j;
          return { topic: 'in', key: `k${(r * 7919) % KEYS}`, value: 'v', timestamp: 1_000_000 + r * 10 };
        });
        await producer.send(batch);
      }
    };
    await send(0, records);
    const admin = broker.admin();
    const committed = async () => (await admin.describeGroup('failover-bench')).offsets.filter((o) => o.topic === 'in').reduce((n, o) => n + o.committed, 0);

    // Step 1
    const aClients = instanceClients(broker);
    const a = start('a', aClients);
    await a.start();
    await until(async () => (await committed()) >= records, 600_000, 'A to count the input', 50);
    const changelog = await committedChangelog(broker, 'failover-bench-window-counts-changelog');

    // Step 2
    const b = start('b', instanceClients(broker));
    await b.start();
    await until(() => b.state === 'RUNNING' && a.state === 'RUNNING' && (a.metadataForLocalThreads()[0]?.activeTasks.length ?? 0) === 1, 60_000, 'the group to settle', 20);
    if (standbys === 1) await until(() => b.metrics()['standby-records-total'] === changelog, 600_000, 'B\'s standby to catch up', 20);

    // Step 3
    let rebalanceAt = 0;
    const sub = b.state$.subscribe((s) => {
      if (s === 'REBALANCING' && rebalanceAt === 0) rebalanceAt = performance.now();
    });
    const killedAt = performance.now();
    aClients.kill();
    await send(records, NEW_INPUT);

    // Step 4
    await until(() => (b.metrics()['process-total'] ?? 0) > 0, 600_000, 'B to process new input', 1);
    const doneAt = performance.now();
    sub.unsubscribe();
    return { fromKillMs: doneAt - killedAt, fromRebalanceMs: doneAt - rebalanceAt, replayed: b.metrics()['restore-records-total'] ?? 0, changelog };
  } finally {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs both sides (alternating, `rounds` each, best kept) and prints the table.
 * @example
 * await runFailoverBench({ records: 50_000 });
 */
export async function runFailoverBench(opts: { records?: number; rounds?: number } = {}): Promise<Record<0 | 1, Outcome>> {
  const records = opts.records ?? 200_000;
  const best: Partial<Record<0 | 1, Outcome>> = {};
  for (let round = 0; round < (opts.rounds ?? 2); round++) {
    for (const side of [0, 1] as const) {
      const o = await runOnce(side, records);
      if (best[side] === undefined || o.fromKillMs < best[side].fromKillMs) best[side] = o;
    }
  }
  const rows = ([0, 1] as const).map((side) => {
    const o = best[side]!;
    return [side === 0 ? '0 (restore from changelog)' : '1 (standby takes over)', records, o.changelog, o.replayed, o.fromRebalanceMs.toFixed(0), o.fromKillMs.toFixed(0)];
  });
  printTable(['numStandbyReplicas', 'input records', 'changelog records', 'replayed', 'rebalance → processing ms', 'kill → processing ms'], rows);
  console.log(`downtime after detection: standby ${best[1]!.fromRebalanceMs.toFixed(0)} ms vs changelog restore ${best[0]!.fromRebalanceMs.toFixed(0)} ms (session timeout 1 s included only in kill → processing)`);
  return best as Record<0 | 1, Outcome>;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv.indexOf('--records');
  await runFailoverBench(arg > 0 ? { records: Number(process.argv[arg + 1]) } : {});
}
