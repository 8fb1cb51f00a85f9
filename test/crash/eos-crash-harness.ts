/**
 * SIGKILL crash harness of `exactly_once_v2` on the durable broker (`fsync: 'commit'`).
 *
 * 1. open the broker in `<dir>/broker`, create the input and output topics, feed `records` keyed
 *    inputs (fixed before any child runs), close it;
 * 2. `kills` rounds: start `eos-crash-child.ts`, which resumes the application (restoring its stores
 *    from the checkpoint plus the committed changelog tail) and prints `ready <restored records>`; kill
 *    it with SIGKILL at a seeded random moment 0–`maxDelayMs` (400) after that;
 * 3. a final child runs until its counts cover every input, prints its store (via interactive
 *    queries) and closes cleanly;
 * 4. open the broker here and read the output with a read_committed consumer: per word, the updates
 *    must be exactly 1, 2, ..., n (caching is off, so each input emits one update: a duplicate or a
 *    loss shows as a repeated or missing number), the final store must equal the model.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Broker } from '../../src/broker/broker.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { EOS_CRASH_IN, EOS_CRASH_OUT, EOS_CRASH_PARTITIONS, inputOf, modelOf } from './eos-crash-content.js';
import { runKilledChild } from './run-killed-child.js';
import { mulberry32 } from './seeded-random.js';

export interface EosCrashHarnessOptions {
  kills: number;
  seed: number;
  records?: number;
  maxDelayMs?: number;
  dir?: string;
  log?: (line: string) => void;
}

export interface EosCrashHarnessResult {
  kills: number;
  seed: number;
  records: number;
  /** Input records committed when each killed child died (progress: kills should land mid-stream). */
  committedAtKill: number[];
  /** Changelog records each child replayed at start (the final child last). */
  restoredPerRestart: number[];
  elapsedMs: number;
}

const childFile = fileURLToPath(new URL('./eos-crash-child.ts', import.meta.url));

/** Runs the rounds above; throws, naming the seed and the directory, on the first violation. */
export async function runEosCrashHarness(opts: EosCrashHarnessOptions): Promise<EosCrashHarnessResult> {
  const started = Date.now();
  const records = opts.records ?? 20_000;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-eos-crash-'));
  const random = mulberry32(opts.seed);
  const fail = (what: string): never => {
    throw new Error(`eos crash harness (seed ${opts.seed}, dir ${dir}): ${what}`);
  };
  // Step 1
  const feeder = await Broker.open({ dataDir: path.join(dir, 'broker'), fsync: 'commit' });
  await feeder.admin().createTopics([
    { topic: EOS_CRASH_IN, partitions: EOS_CRASH_PARTITIONS },
    { topic: EOS_CRASH_OUT, partitions: EOS_CRASH_PARTITIONS },
  ]);
  const producer = feeder.producer();
  for (let i = 0; i < records; i += 500) {
    await producer.send(Array.from({ length: Math.min(500, records - i) }, (_, j) => ({ topic: EOS_CRASH_IN, ...inputOf(i + j) })));
  }
  await feeder.close();
  // Step 2
  const restoredPerRestart: number[] = [];
  const committedAtKill: number[] = [];
  for (let round = 1; round <= opts.kills; round++) {
    const delay = Math.floor(random() * (opts.maxDelayMs ?? 400));
    const run = await runKilledChild(childFile, [dir, String(records), '0'], delay);
    if (run.signal !== 'SIGKILL') fail(`round ${round}: the child exited by itself (code ${run.code}): ${run.stderr.trim().slice(-800)}`);
    if (run.readyAt >= 0) restoredPerRestart.push(run.readyAt);
    committedAtKill.push(run.lastAck);
    opts.log?.(`round ${round}: killed ${delay} ms after ready, ${run.lastAck} inputs committed; restored ${run.readyAt} changelog records`);
  }
  // Step 3
  const final = await runFinalChild([dir, String(records), '1']);
  if (final.code !== 0 || final.store === undefined) fail(`final child failed (code ${final.code}): ${final.stderr.trim().slice(-800)}`);
  restoredPerRestart.push(final.restored);
  // Step 4
  const model = modelOf(records);
  const store = new Map(final.store);
  for (const [w, n] of model) if (store.get(w) !== n) fail(`store: "${w}" counted ${store.get(w)}, model ${n}`);
  if (store.size !== model.size) fail(`store has ${store.size} words, model ${model.size}`);
  const updates = await readCommittedOutput(path.join(dir, 'broker'));
  for (const [w, n] of model) {
    const got = updates.get(w) ?? [];
    const ok = got.length === n && got.every((c, i) => c === i + 1);
    if (!ok) fail(`output updates of "${w}": ${JSON.stringify(got.slice(0, 50))} (expected 1..${n})`);
  }
  if (opts.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  return { kills: opts.kills, seed: opts.seed, records, committedAtKill, restoredPerRestart, elapsedMs: Date.now() - started };
}

async function readCommittedOutput(dataDir: string): Promise<Map<string, number[]>> {
  const broker = await Broker.open({ dataDir, fsync: 'commit' });
  const L = Serdes.long();
  const consumer = broker.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
  consumer.assign(Array.from({ length: EOS_CRASH_PARTITIONS }, (_, partition) => ({ topic: EOS_CRASH_OUT, partition })));
  const out = new Map<string, number[]>();
  for (let i = 0, empty = 0; i < 2000 && empty < 5; i++) {
    const got = await consumer.poll({ maxRecords: 10_000, timeoutMs: 20 });
    empty = got.length === 0 ? empty + 1 : 0;
    for (const r of got) {
      const k = r.key!.toString();
      out.set(k, [...(out.get(k) ?? []), Number(L.deserialize(r.value))]);
    }
  }
  await consumer.close();
  await broker.close();
  return out;
}

function runFinalChild(args: string[]): Promise<{ code: number | null; restored: number; store: [string, number][] | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childFile, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n');
      const restored = Number(lines.find((l) => l.startsWith('ready '))?.slice(6) ?? -1);
      const storeLine = lines.find((l) => l.startsWith('store '));
      resolve({ code, restored, store: storeLine === undefined ? undefined : (JSON.parse(storeLine.slice(6)) as [string, number][]), stderr });
    });
  });
}
