/**
 * Child process of the log crash harness: `log-crash-child.ts <dir> <seed>`.
 * Opens the log (recovering it), prints `ready <logEndOffset>`, then appends deterministic batches as fast
 * as it can, awaiting `sync()` (fsync) after each one and printing `ack <lastOffset>` only after the
 * sync resolved — so every acked offset must survive the SIGKILL that ends this process.
 */
import { DurablePartitionLog } from '../../src/broker/log/durable-partition-log.js';
import { batchSizeAt, CRASH_LOG_OPTIONS, recordFor } from './log-crash-content.js';

const [dir, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
const log = DurablePartitionLog.open(dir!, { ...CRASH_LOG_OPTIONS, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
process.stdout.write(`ready ${log.logEndOffset}\n`);

// Never outlive the harness: stop when it goes away, and after a generous deadline in any case.
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();
setTimeout(() => process.exit(4), 60_000).unref();

for (;;) {
  const base = log.logEndOffset;
  const n = batchSizeAt(seed, base);
  const records = [];
  for (let o = base; o < base + n; o++) records.push(recordFor(seed, o));
  const { lastOffset } = log.append({ records, producerId: seed, baseSequence: base });
  await log.sync();
  // stdout is a pipe: on Linux this write is synchronous, so the ack is out before the next append.
  process.stdout.write(`ack ${lastOffset}\n`);
}
