/**
 * SIGKILL crash harness of `exactly_once_v2` on the durable broker (`fsync: 'commit'`), over the
 * topology of `eos-crash-content.ts` (a repartition, a stream–table left join, a second
 * repartition, a tumbling-window count with grace), run by 1–3 instances per child process (by seed).
 *
 * 1. open the broker in `<dir>/broker`, create the input, table and output topics, feed the users
 *    table, close it; a bootstrap child (one instance, not killed) processes the table and closes
 *    cleanly; then feed `orders` orders (fixed before any killed child runs);
 * 2. `kills` rounds: start a child, which resumes every instance (restoring stores from the
 *    checkpoint plus the committed changelog tail) and prints `ready`; it dies by SIGKILL either at a
 *    seeded random moment 0–`maxDelayMs` after ready, or by its own hand at a seeded commit step
 *    (before the offsets, before / during commitTransaction, after it but before the checkpoint);
 * 3. a final child runs until its window counts cover every order, prints them (via interactive
 *    queries) and closes cleanly;
 * 4. open the broker here and read with `read_committed` consumers:
 *    - each repartition topic carries every order exactly once (the second with the region the
 *      model's join gives it) — no order lost, none from an aborted attempt;
 *    - per output key `<region>@<windowStart>`, the updates are exactly 1, 2, ..., n with n the
 *      model's count (caching is off: each counted order emits one update, so a duplicate or a
 *      loss shows as a repeated or missing number); no key the model lacks;
 *    - the final store equals the model;
 *    - every restart replayed at most the committed changelog records past its checkpoints (the
 *      tail), never the whole changelog once a checkpoint exists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Broker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import { Serdes } from '../../src/serdes/serdes.js';
import {
  EOS_CRASH_BY_REGION,
  EOS_CRASH_BY_USER,
  EOS_CRASH_IN,
  EOS_CRASH_OUT,
  EOS_CRASH_PARTITIONS,
  EOS_CRASH_USERS,
  MAX_ORDERS,
  modelOf,
  orderOf,
  regionOf,
  userRows,
  type Enriched,
  type Order,
} from './eos-crash-content.js';
import { runEosChild } from './eos-crash-run.js';
import { mulberry32 } from './seeded-random.js';

export interface EosCrashHarnessOptions {
  kills: number;
  seed: number;
  orders?: number;
  /** Instances per child process; default 1–3 by seed. */
  instances?: number;
  maxDelayMs?: number;
  dir?: string;
  log?: (line: string) => void;
}

/** One restart: what it replayed against what it had to. */
export interface EosRestart {
  restored: number;
  expectedTail: number;
  wholeChangelog: number;
}

export interface EosCrashHarnessResult {
  kills: number;
  seed: number;
  orders: number;
  instances: number;
  /** How each killed child died: `random <ms>` or its self-kill step. */
  killKinds: string[];
  /** Orders committed when each killed child died (progress: kills should land mid-stream). */
  committedAtKill: number[];
  /** Every child start after the bootstrap (the final child last). */
  restarts: EosRestart[];
  /** Records of aborted transactions in the repartition and output topics (read_uncommitted minus read_committed). */
  abortedRecords: number;
  elapsedMs: number;
}

const SELF_KILL_STEPS = ['before-offsets', 'before-commit', 'during-commit', 'after-commit'] as const;

/** Runs the rounds above; throws, naming the seed and the directory, on the first violation. */
export async function runEosCrashHarness(opts: EosCrashHarnessOptions): Promise<EosCrashHarnessResult> {
  const started = Date.now();
  const orders = opts.orders ?? 6_000;
  if (orders > MAX_ORDERS) throw new RangeError(`eos crash harness: at most ${MAX_ORDERS} orders (the input must span less than the grace)`);
  const random = mulberry32(opts.seed);
  const instances = opts.instances ?? 1 + Math.floor(random() * 3);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-eos-crash-'));
  const fail = (what: string): never => {
    throw new Error(`eos crash harness (seed ${opts.seed}, ${instances} instance(s), dir ${dir}): ${what}`);
  };
  const child = { dir, instances, orders };
  // Step 1
  await withBroker(dir, async (broker) => {
    await broker.admin().createTopics([EOS_CRASH_IN, EOS_CRASH_USERS, EOS_CRASH_OUT].map((topic) => ({ topic, partitions: EOS_CRASH_PARTITIONS })));
    await broker.producer().send(userRows().map((r) => ({ topic: EOS_CRASH_USERS, ...r })));
  });
  const boot = await runEosChild({ ...child, mode: 'bootstrap', selfKill: 'none' });
  if (boot.code !== 0) fail(`bootstrap child failed (code ${boot.code}, signal ${boot.signal}): ${boot.stderr.trim().slice(-800)}`);
  await withBroker(dir, async (broker) => {
    const producer = broker.producer();
    const json = Serdes.json<Order>();
    for (let i = 0; i < orders; i += 500) {
      await producer.send(
        Array.from({ length: Math.min(500, orders - i) }, (_, j) => {
          const o = orderOf(i + j);
          return { topic: EOS_CRASH_IN, partition: o.partition, key: o.key, value: json.serialize(o.order), timestamp: o.timestamp };
        }),
      );
    }
  });
  // Step 2
  const restarts: EosRestart[] = [];
  const committedAtKill: number[] = [];
  const killKinds: string[] = [];
  for (let round = 1; round <= opts.kills; round++) {
    const selfKill = random() < 0.5 ? `${SELF_KILL_STEPS[Math.floor(random() * SELF_KILL_STEPS.length)]}:${1 + Math.floor(random() * 6)}` : 'none';
    const delay = Math.floor(random() * (opts.maxDelayMs ?? 600));
    const run = await runEosChild({ ...child, mode: 'run', selfKill, ...(selfKill === 'none' ? { killAfterReadyMs: delay } : { fallbackMs: 2_000 }) });
    if (run.signal !== 'SIGKILL') fail(`round ${round}: the child exited by itself (code ${run.code}): ${run.stderr.trim().slice(-800)}`);
    const kind = selfKill === 'none' ? `random ${delay} ms` : `self ${selfKill}`;
    killKinds.push(kind);
    committedAtKill.push(run.lastAck);
    if (run.restoredAtReady >= 0) restarts.push(checkRestart(run, `round ${round}`, fail));
    opts.log?.(`round ${round}: killed (${kind}), ${run.lastAck} orders committed; restored ${run.restored} changelog records (tail ${run.expectedTail}, whole ${run.wholeChangelog})`);
  }
  // Step 3
  const final = await runEosChild({ ...child, mode: 'final', selfKill: 'none' });
  if (final.code !== 0 || final.store === undefined) fail(`final child failed (code ${final.code}, signal ${final.signal}): ${final.stderr.trim().slice(-800)}`);
  restarts.push(checkRestart(final, 'final child', fail));
  // Step 4
  const model = modelOf(orders);
  const store = new Map(final.store);
  for (const [k, n] of model) if (store.get(k) !== n) fail(`store: window "${k}" counted ${store.get(k)}, model ${n}`);
  if (store.size !== model.size) fail(`store has ${store.size} windows, model ${model.size}`);
  const abortedRecords = await withBroker(dir, async (broker) => {
    let aborted = 0;
    for (const topic of [EOS_CRASH_BY_USER, EOS_CRASH_BY_REGION, EOS_CRASH_OUT]) {
      const committed = await readAll(broker, topic, 'read_committed');
      aborted += (await readAll(broker, topic, 'read_uncommitted')).length - committed.length;
      if (topic === EOS_CRASH_OUT) checkOutput(committed, model, fail);
      else checkRepartition(topic, committed, orders, fail);
    }
    return aborted;
  });
  if (opts.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  return { kills: opts.kills, seed: opts.seed, orders, instances, killKinds, committedAtKill, restarts, abortedRecords, elapsedMs: Date.now() - started };
}

/**
 * A restart must replay the committed changelog tail past its checkpoints and nothing more (fewer
 * only if compaction removed records meanwhile). Restores after `ready` (a later rebalance) would
 * add to the count: they must not happen either, since the group is stable by then.
 */
function checkRestart(run: Awaited<ReturnType<typeof runEosChild>>, what: string, fail: (what: string) => never): EosRestart {
  if (run.expectedTail < 0) fail(`${what}: the child printed no expectation`);
  if (run.restored > run.expectedTail) {
    fail(`${what}: restored ${run.restored} changelog records, but only ${run.expectedTail} committed records lie past the checkpoints (of ${run.wholeChangelog} in the changelogs)`);
  }
  return { restored: run.restored, expectedTail: run.expectedTail, wholeChangelog: run.wholeChangelog };
}

function checkRepartition(topic: string, records: ConsumedRecord[], orders: number, fail: (what: string) => never): void {
  const seen = new Uint8Array(orders);
  const byRegion = topic === EOS_CRASH_BY_REGION;
  for (const r of records) {
    const v = JSON.parse(r.value!.toString()) as Order | Enriched;
    if (!(v.id >= 0 && v.id < orders)) fail(`${topic}: unknown order id ${v.id}`);
    if (seen[v.id]++ !== 0) fail(`${topic}: order ${v.id} appears twice (a duplicate, or the output of an aborted attempt)`);
    if (byRegion && (v as Enriched).region !== regionOf(v.id)) fail(`${topic}: order ${v.id} joined region "${(v as Enriched).region}", model "${regionOf(v.id)}"`);
    if (byRegion && r.key!.toString() !== (v as Enriched).region) fail(`${topic}: order ${v.id} keyed "${r.key!.toString()}"`);
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) fail(`${topic}: order ${missing} is missing (${seen.filter((s) => s === 0).length} in all)`);
}

function checkOutput(records: ConsumedRecord[], model: Map<string, number>, fail: (what: string) => never): void {
  const L = Serdes.long();
  const updates = new Map<string, number[]>();
  for (const r of records) {
    const k = r.key!.toString();
    if (!model.has(k)) fail(`output: window "${k}" is not in the model`);
    let list = updates.get(k);
    if (list === undefined) updates.set(k, (list = []));
    list.push(Number(L.deserialize(r.value)));
  }
  for (const [k, n] of model) {
    const got = updates.get(k) ?? [];
    if (got.length !== n || got.some((c, i) => c !== i + 1)) fail(`output updates of "${k}": ${JSON.stringify(got.slice(0, 60))} (expected 1..${n})`);
  }
}

async function withBroker<T>(dir: string, use: (broker: Broker) => Promise<T>): Promise<T> {
  const broker = await Broker.open({ dataDir: path.join(dir, 'broker'), fsync: 'commit' });
  try {
    return await use(broker);
  } finally {
    await broker.close();
  }
}

async function readAll(broker: Broker, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<ConsumedRecord[]> {
  const desc = await broker.admin().describeTopic(topic);
  const consumer = broker.consumer({ autoOffsetReset: 'earliest', isolationLevel });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  const ends = new Map(desc.partitions.map((p) => [p.partition, isolationLevel === 'read_committed' ? p.lastStableOffset : p.highWatermark]));
  const out: ConsumedRecord[] = [];
  const done = () => desc.partitions.every((p) => consumer.position(topic, p.partition) >= ends.get(p.partition)!);
  for (let i = 0; i < 100_000 && !done(); i++) out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 20 })));
  await consumer.close();
  return out;
}
