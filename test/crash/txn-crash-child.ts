/**
 * Child process of the transaction crash harness: `txn-crash-child.ts <dataDir> <seed> <firstTxn>`.
 * Opens the durable broker (fsync 'commit'), recovering it, creates the topic on the first run, prints
 * `ready`, then runs transactions n = firstTxn, firstTxn + 1, ... with one transactional producer: prints
 * `begin n`, sends its records in 1..3 sends, then aborts it (`aborted n`) or commits it, printing
 * `committed n` only after commitTransaction resolved — so every printed commit must survive the SIGKILL.
 * With a 4th argument `report-fsyncs` it also prints `synced <file> <size>` after every segment fsync
 * completes, for the harness's power-cut simulation (stdout is a pipe: synchronous on Linux).
 */
import { Broker } from '../../src/broker/broker.js';
import { Segment } from '../../src/broker/log/segment.js';
import { isAborted, recordsOf, sendsOf, TXN_CRASH_ID, TXN_CRASH_PARTITIONS, TXN_CRASH_SEGMENT_BYTES, TXN_CRASH_TOPIC } from './txn-crash-content.js';

const [dataDir, seedArg, firstArg, mode] = process.argv.slice(2);
if (mode === 'report-fsyncs') reportFsyncs();
const seed = Number(seedArg);
let n = Number(firstArg);

process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 60_000).unref();

const broker = await Broker.open({ dataDir: dataDir!, fsync: 'commit', onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
if (!(await broker.admin().listTopics()).includes(TXN_CRASH_TOPIC)) {
  await broker.admin().createTopics([
    { topic: TXN_CRASH_TOPIC, partitions: TXN_CRASH_PARTITIONS, config: { 'segment.bytes': String(TXN_CRASH_SEGMENT_BYTES) } },
  ]);
}
const producer = broker.producer({ transactionalId: TXN_CRASH_ID });
await producer.initTransactions();
process.stdout.write('ready\n');
for (;; n++) {
  process.stdout.write(`begin ${n}\n`);
  producer.beginTransaction();
  const records = recordsOf(seed, n).map((r) => ({ topic: TXN_CRASH_TOPIC, partition: r.partition, value: r.value }));
  const sends = sendsOf(seed, n);
  const per = Math.ceil(records.length / sends);
  for (let at = 0; at < records.length; at += per) await producer.send(records.slice(at, at + per));
  if (isAborted(seed, n)) {
    await producer.abortTransaction();
    process.stdout.write(`aborted ${n}\n`);
  } else {
    await producer.commitTransaction();
    process.stdout.write(`committed ${n}\n`);
  }
}

/** Prints each segment's size as of the start of every fsync that completed: what a power cut keeps. */
function reportFsyncs(): void {
  const fsync = Segment.prototype.fsync;
  Segment.prototype.fsync = async function (this: Segment) {
    const size = this.size;
    await fsync.call(this);
    process.stdout.write(`synced ${this.logPath} ${size}\n`);
  };
  const fsyncSync = Segment.prototype.fsyncSync;
  Segment.prototype.fsyncSync = function (this: Segment) {
    const size = this.size;
    fsyncSync.call(this);
    process.stdout.write(`synced ${this.logPath} ${size}\n`);
  };
}
