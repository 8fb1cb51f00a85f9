/**
 * Soak runner for the crash harnesses: many SIGKILL rounds, far more than the test suite runs.
 *
 *   npx tsx scripts/soak.ts [--kills 1000] [--seed S] [--only log[,other]] [--dir /path]
 *
 * Each harness is an entry of `harnesses`; later crash harnesses (broker, streams EOS) are added there.
 * A failure prints the harness, the seed and the error, and exits with code 1.
 */
import { parseArgs } from 'node:util';
import { runBrokerCrashHarness } from '../test/crash/broker-crash-harness.js';
import { runCompactionCrashHarness } from '../test/crash/compaction-crash-harness.js';
import { runLogCrashHarness } from '../test/crash/log-crash-harness.js';
import { runTxnCrashHarness } from '../test/crash/txn-crash-harness.js';
import { runEosCrashHarness } from '../test/crash/eos-crash-harness.js';

/** One named crash harness: runs `kills` rounds from `seed`, returns a one-line summary. */
interface Harness {
  name: string;
  description: string;
  run(opts: { kills: number; seed: number; dir?: string; log: (line: string) => void }): Promise<string>;
}

const harnesses: Harness[] = [
  {
    name: 'compaction',
    description: 'Log cleaner: SIGKILL during compaction passes loses nothing, duplicates nothing; latest value per key kept',
    async run(opts) {
      const r = await runCompactionCrashHarness(opts);
      return `${r.kills} kills, end offset ${r.records}, ${r.stored} stored, ${r.interruptedCleanings} interrupted cleanings recovered, ${(r.elapsedMs / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'log',
    description: 'DurablePartitionLog: fsync-acked appends survive SIGKILL; nothing corrupt is served',
    async run(opts) {
      const r = await runLogCrashHarness(opts);
      return `${r.kills} kills, ${r.records} records, ${r.recoveries} recovery warnings, ${(r.elapsedMs / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'broker',
    description: "Broker with fsync 'always': every acknowledged send survives SIGKILL, in order, once, uncorrupted",
    async run(opts) {
      const r = await runBrokerCrashHarness(opts);
      return `${r.kills} kills, ${r.records} records found, ${r.acked} acknowledged, ${(r.elapsedMs / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'txn',
    description: "Transactions with fsync 'commit': every acknowledged commit survives SIGKILL whole; aborted or open ones never show",
    async run(opts) {
      const r = await runTxnCrashHarness(opts);
      return `${r.kills} kills, ${r.transactions} transactions committed, ${r.acked} acknowledged, ${(r.elapsedMs / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'eos',
    description:
      'KafkaStreams exactly_once_v2 (repartition, stream-table join, windowed count; 1-3 instances): every order counted once in the read_committed outputs and the store; restarts replay only the changelog tail',
    async run(opts) {
      // Epochs of 25 kills on a fresh input: one long input would be fully processed after a few
      // dozen kills, and later kills would no longer land mid-stream.
      const perEpoch = 25;
      let restarts = 0;
      let maxRestored = 0;
      let aborted = 0;
      let elapsed = 0;
      for (let done = 0, epoch = 0; done < opts.kills; done += perEpoch, epoch++) {
        const r = await runEosCrashHarness({ ...opts, kills: Math.min(perEpoch, opts.kills - done), seed: opts.seed + epoch, orders: 50_000, dir: opts.dir === undefined ? undefined : `${opts.dir}/eos-epoch-${epoch}` });
        opts.log(`epoch ${epoch} (seed ${r.seed}, ${r.instances} instance(s)): ${r.kills} kills, restored/tail per restart ${JSON.stringify(r.restarts.map((x) => [x.restored, x.expectedTail]))}`);
        restarts += r.restarts.length;
        maxRestored = Math.max(maxRestored, ...r.restarts.map((x) => x.restored));
        aborted += r.abortedRecords;
        elapsed += r.elapsedMs;
      }
      return `${opts.kills} kills, ${restarts} restarts each replaying only its changelog tail (max ${maxRestored} records), ${aborted} records of aborted transactions never seen, ${(elapsed / 1000).toFixed(1)} s`;
    },
  },
];

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    dir: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('usage: tsx scripts/soak.ts [--kills N] [--seed S] [--only name[,name]] [--dir path]\n');
  for (const h of harnesses) console.log(`  ${h.name.padEnd(8)} ${h.description}`);
  process.exit(0);
}

const kills = Number(values.kills);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(kills) || kills < 1) throw new RangeError(`--kills must be a positive integer, got ${values.kills}`);
if (!Number.isInteger(seed)) throw new RangeError(`--seed must be an integer, got ${values.seed}`);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !harnesses.some((h) => h.name === n)) ?? [];
if (unknown.length > 0) throw new RangeError(`unknown harness ${unknown.join(', ')}; known: ${harnesses.map((h) => h.name).join(', ')}`);
const selected = harnesses.filter((h) => only === undefined || only.includes(h.name));

console.log(`soak: ${kills} kills per harness, seed ${seed}, harnesses ${selected.map((h) => h.name).join(', ')}`);
const summary: string[] = [];
let failed = false;
for (const h of selected) {
  try {
    const line = await h.run({ kills, seed, dir: values.dir, log: (l) => console.log(`  ${l}`) });
    summary.push(`PASS ${h.name}: ${line}`);
  } catch (err) {
    failed = true;
    summary.push(`FAIL ${h.name} (seed ${seed}): ${(err as Error).message}`);
  }
}
console.log(`\nsoak summary (seed ${seed}):\n${summary.map((s) => `  ${s}`).join('\n')}`);
process.exit(failed ? 1 : 0);
