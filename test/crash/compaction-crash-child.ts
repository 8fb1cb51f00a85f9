/**
 * Child process of the compaction crash harness: `compaction-crash-child.ts <dir> <seed>`.
 * Opens the log (recovery finishes or discards an interrupted cleaning), prints `ready <logEndOffset>`,
 * then alternates: one compaction pass in small steps, one appended batch fsynced before `ack <lastOffset>`.
 * The harness SIGKILLs it at a random moment, which lands inside a pass most of the time.
 */
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { BATCH, COMPACTION_LOG_OPTIONS, compactionRecordFor } from './compaction-crash-content.js';

const [dir, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
const log = DurablePartitionLog.open(dir!, { ...COMPACTION_LOG_OPTIONS, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
process.stdout.write(`ready ${log.logEndOffset}\n`);

process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 60_000).unref();

// Tombstones never expire here (huge delete.retention.ms), so the latest value of every key, null
// included, must survive any number of passes and crashes.
const compactOpts = { minCompactionLagMs: 0, deleteRetentionMs: 1e12, chunkBytes: 4096 };
for (;;) {
  await log.compact({ now: Date.now(), ...compactOpts });
  const base = log.logEndOffset;
  const records = [];
  for (let o = base; o < base + BATCH; o++) records.push(compactionRecordFor(seed, o));
  const { lastOffset } = log.append({ records });
  await log.sync();
  process.stdout.write(`ack ${lastOffset}\n`);
}
