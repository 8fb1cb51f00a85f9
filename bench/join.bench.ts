/**
 * Stream–stream join (issue 5): two 1M-record streams (default; `--records` sets the size of each
 * side), 100k keys, joined with `JoinWindows.ofTimeDifferenceAndGrace(30 s, 5 s)`.
 *
 * Input: each side has one record per ms on average (record i at `T0 + i`), keys drawn at random from
 * 100k, and 10% of records late by up to 2 s (bounded disorder, all within the grace, so no record
 * expires before its partners arrive). A key appears about every 100 s per side, so a record has
 * ≈ 0.6 partners within ±30 s: ≈ 600k joined outputs for 1M × 1M.
 *
 * 1. in-process: the DSL's `join` compiled with `StreamsBuilder`, run through one `TaskExecutor`
 *    with in-memory window stores (the test driver's store factory serves the DSL's persistent
 *    suppliers from memory), no changelog; both sides pushed as objects, alternating.
 * 2. broker: `KafkaStreams` on a durable embedded broker (`fsync: 'commit'`), 4 co-partitioned
 *    partitions per side, default persistent (LevelDB) join stores with changelogs, results written
 *    to an output topic; timed from `start()` until the group's committed offsets cover the input.
 *
 * Each run happens in a child process (`join-child.ts`), which measures its own peak RSS with
 * `process.resourceUsage().maxRSS` and checks the number of joined outputs against the model below;
 * the parent first checks a small in-process run against the same model. records/s counts the input
 * records of both sides.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Consumed } from '../dsl/consumed.js';
import type { KStream } from '../dsl/kstream.js';
import { StreamJoined } from '../dsl/stream-joined.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { JoinWindows } from '../dsl/windows/join-windows.js';
import { Record } from '../src/processor/record.js';
import { TaskExecutor } from '../src/processor/task-executor.js';
import type { Topology } from '../src/processor/topology.js';
import { Serdes } from '../src/serdes/serdes.js';
import { driverStoreFactory } from '../src/testing/driver-stores.js';
import { fmtRate, printTable, rate } from './report.js';
import type { SuiteOptions } from './suites.js';

export const JOIN_KEYS = 100_000;
export const JOIN_DIFFERENCE_MS = 30_000;
export const JOIN_GRACE_MS = 5_000;
const T0 = 1_700_000_000_000;
const S = Serdes.string();

export interface JoinInput {
  readonly left: Record<string, string>[];
  readonly right: Record<string, string>[];
}

/** Both sides, built up front from a fixed seed, so every run (and every child) sees the same records. */
export function makeJoinInput(perSide: number, keys = JOIN_KEYS, msPerRecord = 1): JoinInput {
  const names = Array.from({ length: keys }, (_, i) => `k${i}`);
  // mulberry32 in 32-bit integer arithmetic: an LCG written with plain `*` loses its low bits past
  // 2^53 and cycles early (it would reach only a few thousand distinct keys).
  let seed = 7;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const side = (value: string) => {
    const out: Record<string, string>[] = new Array(perSide);
    for (let i = 0; i < perSide; i++) {
      const late = rand() < 0.1 ? Math.floor(rand() * 2000) : 0;
      out[i] = new Record(names[Math.floor(rand() * keys)]!, value, T0 + Math.max(0, i * msPerRecord - late));
    }
    return out;
  };
  return { left: side('l'), right: side('r') };
}

/**
 * The model: an inner join emits each pair (l, r) with the same key and `r.ts` in `[l.ts - d, l.ts + d]`
 * exactly once — when the later of the two arrives — as long as the earlier is still in its store;
 * with disorder (2 s) below the grace (5 s), it always is.
 */
export function expectedJoins(input: JoinInput, differenceMs = JOIN_DIFFERENCE_MS): number {
  const rightTimes = new Map<string, number[]>();
  for (const r of input.right) {
    const list = rightTimes.get(r.key);
    if (list === undefined) rightTimes.set(r.key, [r.timestamp]);
    else list.push(r.timestamp);
  }
  let pairs = 0;
  for (const l of input.left) {
    for (const ts of rightTimes.get(l.key) ?? []) if (ts >= l.timestamp - differenceMs && ts <= l.timestamp + differenceMs) pairs++;
  }
  return pairs;
}

/** The join as a user writes it; `sink` receives each result (a counter, or `.to(topic)` on a broker). */
export function joinTopology(opts: { loggingEnabled: boolean; sink: (joined: KStream<string, string>) => void }): Topology {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', Consumed.with(S, S));
  const right = builder.stream('right', Consumed.with(S, S));
  const joined = StreamJoined.with(S, S, S).withStoreName('pairs');
  const joinedStream = left.join(right, (l: string, r: string) => l + r, JoinWindows.ofTimeDifferenceAndGrace(JOIN_DIFFERENCE_MS, JOIN_GRACE_MS),
    opts.loggingEnabled ? joined : joined.withLoggingDisabled());
  opts.sink(joinedStream);
  return builder.build();
}

/** In-process: one task, in-memory window stores, records pushed as objects. Returns joined outputs. */
export function runJoinInProcess(input: JoinInput): number {
  let outputs = 0;
  const topology = joinTopology({ loggingEnabled: false, sink: (s) => s.foreach(() => void outputs++) });
  const task = new TaskExecutor(topology, {
    subtopologyId: 0, partition: 0, applicationId: 'join-bench', collector: { send: () => {} }, storeFactory: driverStoreFactory,
  });
  task.init();
  const { left, right } = input;
  for (let i = 0; i < left.length; i++) {
    task.pushRecord('left', left[i]!, i);
    task.pushRecord('right', right[i]!, i);
  }
  void task.close();
  return outputs;
}

/** What one child run reports (one JSON line on stdout). */
export interface JoinChildResult {
  mode: 'inprocess' | 'broker';
  perSide: number;
  ms: number;
  outputs: number;
  expected: number;
  /** RSS just before the join starts: in-process with the input objects built, on the broker after feeding it. */
  rssBeforeStartMb: number;
  peakRssMb: number;
}

function child(mode: JoinChildResult['mode'], perSide: number, timeoutMs = 600_000): JoinChildResult {
  const script = fileURLToPath(new URL('./join-child.ts', import.meta.url));
  const out = spawnSync(process.execPath, ['--import', 'tsx', script, mode, String(perSide)], { encoding: 'utf8', timeout: timeoutMs });
  if (out.status !== 0) throw new Error(`join bench: ${mode} child failed (status ${out.status}${out.signal ? `, ${out.signal} after ${timeoutMs / 1000} s` : ''}): ${out.stderr.slice(-800)}`);
  const result = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as JoinChildResult;
  if (result.outputs !== result.expected) throw new Error(`join bench (${mode}): ${result.outputs} joined outputs, the model expects ${result.expected}`);
  return result;
}

/**
 * Runs the join suite: a small model check, then 3 in-process rounds (best kept) and one broker
 * round, each in a child process; prints records/s, joined outputs and peak RSS.
 * @example
 * await runJoinBench({ records: 100_000 });
 */
export async function runJoinBench(opts: SuiteOptions = {}): Promise<void> {
  const perSide = opts.records ?? 1_000_000;
  // Small run first: 1k keys over 200 s, so a record has ~6 partners and many pairs sit near the
  // ±30 s edges — the check is neither about zeros nor about "everything joins".
  const small = makeJoinInput(20_000, 1_000, 10);
  const smallOut = runJoinInProcess(small);
  const smallExpected = expectedJoins(small);
  if (smallOut !== smallExpected) throw new Error(`join bench: small run gave ${smallOut} joined outputs, the model expects ${smallExpected}`);
  console.log(`model check: 20k × 20k records, 1k keys, 200 s -> ${smallOut} joined outputs, as the model predicts\n`);

  let best: JoinChildResult | undefined;
  for (let round = 0; round < 3; round++) {
    const r = child('inprocess', perSide);
    if (best === undefined || r.ms < best.ms) best = r;
  }
  const row = (name: string, r: JoinChildResult) => [
    name, `${r.perSide} × ${r.perSide}`, (r.ms / 1000).toFixed(1), fmtRate(rate(2 * r.perSide, r.ms)), r.outputs, `${r.rssBeforeStartMb} MB`, `${r.peakRssMb} MB`,
  ];
  const brokerCase = 'KafkaStreams, embedded broker, LevelDB stores + changelogs, 4 partitions';
  let brokerRow: (string | number)[];
  try {
    // A run that cannot finish in 5 min says more as a row of the table than as a lost suite.
    brokerRow = row(brokerCase, child('broker', perSide, 300_000));
  } catch (e) {
    if (/model expects/.test(String(e))) throw e;
    brokerRow = [brokerCase, `${perSide} × ${perSide}`, `failed: ${String(e).slice(0, 160).replace(/\n/g, ' ')}`, '', '', '', ''];
  }
  console.log(`${JOIN_KEYS} keys, JoinWindows.ofTimeDifferenceAndGrace(${JOIN_DIFFERENCE_MS / 1000} s, ${JOIN_GRACE_MS / 1000} s), 10% late <= 2 s; outputs checked against the model\n`);
  printTable(
    ['case', 'records', 'seconds', 'records/s (both sides)', 'joined outputs', 'RSS before start', 'peak RSS'],
    [row('in-process (TaskExecutor, in-memory window stores), best of 3', best!), brokerRow],
  );
}
