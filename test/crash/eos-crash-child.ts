/**
 * Child process of the exactly-once crash harness:
 * `eos-crash-child.ts <dir> <mode> <instances> <orders> <selfKill>`.
 *
 * Opens the durable broker `<dir>/broker` (fsync 'commit', recovering it) and runs `instances`
 * KafkaStreams instances of the harness topology in this process, all on that broker, under
 * `exactly_once_v2`, with stable instance ids `i1..iN` (a restart fences its killed predecessor and
 * aborts its open transaction) and one shared state directory `<dir>/state` (as the threads of one
 * Kafka Streams instance: a task finds its checkpoint whichever instance runs it).
 *
 * Lines on stdout:
 * - `expect <tail> <whole>` before any instance starts: committed changelog records past each task's
 *   local checkpoint (what a restart must replay), and in the whole changelogs (what it must not);
 * - `ready <restored>` once every instance is RUNNING in a stable group of `instances` members;
 * - `ack <orders committed> <restored>` every 50 ms (input offsets committed through the transactions);
 * - mode `final`: `store <json [key, count][]>` (window counts read through interactive queries)
 *   once every order is counted, after a clean close; mode `bootstrap`: exits 0 once the users table
 *   is committed (one instance).
 *
 * `selfKill` = `<step>:<n>` makes this process SIGKILL itself at the n-th transaction commit of any
 * instance, at `step`: `before-offsets` (stores flushed, sends acknowledged), `before-commit`
 * (offsets in the transaction), `during-commit` (commitTransaction in flight), `after-commit`
 * (committed, local checkpoint not yet written). `none`: the harness kills it at a random moment.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import type { Producer, ProducerOptions } from '../../src/core/client.js';
import { checkpointKey } from '../../src/runtime/changelog-offsets.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { TopologyMetadata } from '../../src/runtime/topology-metadata.js';
import { TaskStateDb } from '../../state/task-state-db.js';
import { EOS_CRASH_APP, EOS_CRASH_IN, EOS_CRASH_PARTITIONS, EOS_CRASH_STORE, EOS_CRASH_USERS, eosCrashTopology, userRows } from './eos-crash-content.js';

const [dir, mode, instancesArg, ordersArg, selfKill] = process.argv.slice(2);
const instances = Number(instancesArg);
const orders = Number(ordersArg);
const stateDir = join(dir!, 'state');
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 90_000).unref();
const say = (line: string) => process.stdout.write(`${line}\n`);

const broker = await Broker.open({ dataDir: join(dir!, 'broker'), fsync: 'commit', onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
const admin = broker.admin();
const meta = TopologyMetadata.of(eosCrashTopology(), EOS_CRASH_APP);

say(`expect ${(await changelogRecords(true)).join(' ')}`);

const apps = Array.from({ length: mode === 'bootstrap' ? 1 : instances }, (_, n) => {
  const app = new KafkaStreams(eosCrashTopology(), {
    applicationId: EOS_CRASH_APP,
    broker: killingFactory(broker, selfKill ?? 'none'),
    stateDir,
    processingGuarantee: 'exactly_once_v2',
    instanceId: `i${n + 1}`,
    // Small polls spread the input over many transactions, so kills land mid-stream.
    maxPollRecords: 20,
    logger: { warn: (m) => process.stderr.write(`warn i${n + 1}: ${m}\n`) },
  });
  app.onError((e) => process.stderr.write(`error i${n + 1}: ${e.stack ?? e.message}\n`));
  return app;
});
await Promise.all(apps.map((a) => a.start()));
const restored = () => apps.reduce((n, a) => n + (a.metrics()['restore-records-total'] ?? 0), 0);
for (let i = 0; i < 2000; i++) {
  const group = await admin.describeGroup(EOS_CRASH_APP).catch(() => undefined);
  if (apps.every((a) => a.state === 'RUNNING') && group?.state === 'Stable' && group.members.length === apps.length) break;
  await new Promise((r) => setTimeout(r, 20));
}
say(`ready ${restored()}`);
const committedOf = async (topic: string) => (await admin.describeGroup(EOS_CRASH_APP)).offsets.filter((o) => o.topic === topic).reduce((n, o) => n + o.committed, 0);
setInterval(() => {
  committedOf(EOS_CRASH_IN).then((n) => say(`ack ${n} ${restored()}`), () => undefined);
}, 50).unref();

if (mode === 'bootstrap') {
  const rows = userRows().length;
  for (let i = 0; i < 3000 && (await committedOf(EOS_CRASH_USERS).catch(() => 0)) < rows; i++) await new Promise((r) => setTimeout(r, 20));
  await closeAll();
  process.exit(0);
}
if (mode === 'final') {
  // Done when the local window counts (committed plus the open interval) add up to every order.
  const windows = () => {
    try {
      return apps.flatMap((a) => a.store(EOS_CRASH_STORE, QueryableStoreTypes.windowStore<string, number>()).all());
    } catch {
      return undefined; // restoring or rebalancing: ask again
    }
  };
  const counted = () => windows()?.reduce((n, e) => n + e.value, 0) ?? -1;
  for (let i = 0; i < 3500 && counted() < orders; i++) await new Promise((r) => setTimeout(r, 20));
  const finalStore = (windows() ?? []).map((e) => [`${e.key.key}@${e.key.window.start}`, e.value]);
  await closeAll(); // commits the last interval, so the committed state is what was just read
  say(`store ${JSON.stringify(finalStore)}`);
  process.exit(0);
}

async function closeAll(): Promise<void> {
  for (const a of apps) await a.close();
  await broker.close();
}

/**
 * `[tail, whole]`: committed records of every changelog partition past its task's checkpoint in the
 * shared state directory (from 0 without one), and from the log start. Read before any instance
 * starts, while a killed predecessor's transaction may still be open: a read_committed reader stops
 * at the last stable offset, which is where that transaction began, and nothing committed follows
 * it (one task writes a changelog partition, through one instance's producer at a time).
 */
async function changelogRecords(fromCheckpoint: boolean): Promise<[number, number]> {
  let tail = 0;
  let whole = 0;
  const consumer = broker.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  for (const sub of meta.subtopologies) {
    for (const { topic } of sub.changelogs) {
      const desc = await admin.describeTopic(topic).catch(() => undefined);
      if (desc === undefined) continue;
      for (let partition = 0; partition < EOS_CRASH_PARTITIONS; partition++) {
        const p = desc.partitions[partition]!;
        const checkpoint = fromCheckpoint ? await checkpointOf(`${sub.id}_${partition}`, checkpointKey(topic, partition)) : undefined;
        const counts = await countCommitted(consumer, topic, partition, p.logStartOffset, p.lastStableOffset, checkpoint ?? 0);
        whole += counts.all;
        tail += counts.past;
      }
    }
  }
  await consumer.close();
  return [tail, whole];
}

async function checkpointOf(taskId: string, key: string): Promise<number | undefined> {
  const taskDir = join(stateDir, EOS_CRASH_APP, taskId);
  if (!existsSync(taskDir)) return undefined;
  const db = await TaskStateDb.open({ dir: taskDir, owner: 'eos crash harness' });
  try {
    return db.readCheckpoint().get(key);
  } finally {
    await db.close();
  }
}

async function countCommitted(consumer: ReturnType<Broker['consumer']>, topic: string, partition: number, from: number, end: number, checkpoint: number) {
  consumer.assign([{ topic, partition }]);
  consumer.seek(topic, partition, from);
  let all = 0;
  let past = 0;
  for (let i = 0; i < 100_000 && consumer.position(topic, partition) < end; i++) {
    for (const r of await consumer.poll({ maxRecords: 10_000, timeoutMs: 20 })) {
      if (r.offset >= end) continue;
      all++;
      if (r.offset >= checkpoint) past++;
    }
  }
  return { all, past };
}

/** The broker's clients, with every transactional producer wrapped to SIGKILL this process at one commit step. */
function killingFactory(inner: ClientFactory, spec: string): ClientFactory {
  if (spec === 'none') return inner;
  const [step, nth] = spec.split(':');
  let commits = 0;
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
  };
  return {
    admin: () => inner.admin(),
    consumer: (opts) => inner.consumer(opts),
    producer: (opts?: ProducerOptions): Producer => {
      const p = inner.producer(opts);
      if (opts?.transactionalId === undefined) return p;
      return {
        send: (records) => p.send(records),
        initTransactions: () => p.initTransactions(),
        beginTransaction: () => p.beginTransaction(),
        sendOffsetsToTransaction: (offsets, groupId) => {
          if (step === 'before-offsets' && commits + 1 === Number(nth)) die();
          return p.sendOffsetsToTransaction(offsets, groupId);
        },
        commitTransaction: async () => {
          const n = ++commits;
          if (n !== Number(nth)) return p.commitTransaction();
          if (step === 'before-commit') die();
          const committing = p.commitTransaction();
          if (step === 'during-commit') setImmediate(die);
          await committing;
          if (step === 'after-commit') die();
        },
        abortTransaction: () => p.abortTransaction(),
        close: () => p.close(),
      };
    },
  };
}
