/**
 * Child process of the broker crash harness: `broker-crash-child.ts <dataDir> <seed> <firstRecordNumber>`.
 * Opens the durable broker with fsync 'always' (recovering it), creates the topic on the first run,
 * prints `ready`, then sends numbered keyed records in sends of 1..40 as fast as it can, printing
 * `ack <lastNumber>` only after `send` resolved — so every acked record must survive the SIGKILL.
 */
import { Broker } from '../../src/broker/broker.js';
import { CRASH_PARTITIONS, CRASH_SEGMENT_BYTES, CRASH_TOPIC, keyFor, sendSizeAt, valueFor } from './broker-crash-content.js';

const [dataDir, seedArg, firstArg] = process.argv.slice(2);
const seed = Number(seedArg);
let next = Number(firstArg);

process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 60_000).unref();

const broker = await Broker.open({ dataDir: dataDir!, fsync: 'always', onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
if (!(await broker.admin().listTopics()).includes(CRASH_TOPIC)) {
  await broker.admin().createTopics([
    { topic: CRASH_TOPIC, partitions: CRASH_PARTITIONS, config: { 'segment.bytes': String(CRASH_SEGMENT_BYTES) } },
  ]);
}
const producer = broker.producer();
process.stdout.write('ready\n');
for (;;) {
  const n = sendSizeAt(seed, next);
  const records = [];
  for (let i = next; i < next + n; i++) records.push({ topic: CRASH_TOPIC, key: keyFor(i), value: valueFor(seed, i), timestamp: 1_000 + i });
  await producer.send(records);
  next += n;
  process.stdout.write(`ack ${next - 1}\n`);
}
