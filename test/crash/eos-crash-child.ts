/**
 * Child process of the exactly-once crash harness: `eos-crash-child.ts <dir> <total> <final>`.
 * Opens the durable broker `<dir>/broker` (fsync 'commit', recovering it), runs the harness topology
 * under `exactly_once_v2` with a stable `instanceId` (so its start fences the killed predecessor and
 * aborts its open transaction) and state in `<dir>/state`, and prints `ready <changelog records
 * restored>` once RUNNING, then `ack <input offsets committed>` every 50 ms. With `final` = 1 it waits until every input and repartition record is
 * committed, prints `store <json of the counts, via interactive queries>`, closes cleanly and exits 0.
 */
import { join } from 'node:path';
import { Broker } from '../../src/broker/broker.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { EOS_CRASH_APP, EOS_CRASH_IN, eosCrashTopology } from './eos-crash-content.js';

const [dir, totalArg, finalArg] = process.argv.slice(2);
const total = Number(totalArg);
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 45_000).unref();

const broker = await Broker.open({ dataDir: join(dir!, 'broker'), fsync: 'commit', onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
const app = new KafkaStreams(eosCrashTopology(), {
  applicationId: EOS_CRASH_APP,
  broker,
  stateDir: join(dir!, 'state'),
  processingGuarantee: 'exactly_once_v2',
  instanceId: 'crash-child',
  // Small polls spread the input over many transactions, so kills land mid-stream.
  maxPollRecords: 5,
  logger: { warn: (m) => process.stderr.write(`warn: ${m}\n`) },
});
app.onError((e) => process.stderr.write(`error: ${e.stack ?? e.message}\n`));
await app.start();
for (let i = 0; i < 1000 && app.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 20));
process.stdout.write(`ready ${app.metrics()['restore-records-total'] ?? 0}\n`);
// Progress for the harness: `ack <input records whose offsets are committed>` (through the transactions).
const admin = broker.admin();
setInterval(() => {
  admin.describeGroup(EOS_CRASH_APP).then(
    (g) => process.stdout.write(`ack ${g.offsets.filter((o) => o.topic === EOS_CRASH_IN).reduce((n, o) => n + o.committed, 0)}\n`),
    () => undefined,
  );
}, 50).unref();

if (finalArg === '1') {
  // Done when the local counts (read through IQ: committed plus the open interval) add up to every input.
  const counted = () => {
    try {
      return app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all().reduce((n, e) => n + e.value, 0);
    } catch {
      return -1; // restoring or rebalancing: ask again
    }
  };
  for (let i = 0; i < 1500 && counted() < total; i++) await new Promise((r) => setTimeout(r, 20));
  const finalStore = app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]);
  await app.close(); // commits the last interval, so the committed state is what was just read
  await broker.close();
  process.stdout.write(`store ${JSON.stringify(finalStore)}\n`);
  process.exit(0);
}
