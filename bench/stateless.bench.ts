/**
 * Stateless streams throughput (issue 3): 2M records, 10k string keys, JSON values `{amount, kind}`,
 * timestamps increasing with 10% late by up to 2 s. Workload: filter(kind === 'click') →
 * mapValues(new object) → to.
 *
 * (a) the processor graph alone (objects in via `TaskExecutor.pushRecord`, objects out via an
 *     `ObjectCollector`, no serdes) vs a plain loop doing the same filter + map over the array;
 * (b) `KafkaStreams` on `Broker.inMemory()` with JSON serdes end to end (input produced first; timed
 *     from `start()` until the output topic holds every expected record) vs a hand-written "log hop":
 *     JSON-encode + append every record to a length-prefixed buffer, then read, parse, filter, map,
 *     encode and append to an output buffer;
 * (c) the same as (b) on the durable broker.
 * Ratios are anchor time / tributary time (1.0 = as fast as the hand-written code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed } from '../dsl/consumed.js';
import { Produced } from '../dsl/produced.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Broker } from '../src/broker/broker.js';
import type { ProducedRecord } from '../src/core/record.js';
import type { ObjectCollector, RecordCollector } from '../src/processor/record-collector.js';
import { Record } from '../src/processor/record.js';
import { TaskExecutor } from '../src/processor/task-executor.js';
import type { Topology } from '../src/processor/topology.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { Serdes } from '../src/serdes/serdes.js';
import { FrameLog } from './frame-log.js';
import { fmtRate, printTable, rate, timed } from './report.js';

interface Event {
  amount: number;
  kind: string;
}
interface Click {
  amount: number;
  cents: number;
  kind: string;
}

const KEYS = 10_000;
const KINDS = ['click', 'view', 'scroll', 'click', 'purchase'];
const PARTITIONS = 4;
const SEND_BATCH = 5000;

interface Data {
  keys: string[];
  values: Event[];
  timestamps: number[];
}

/** The input: 10k keys, JSON-able values, timestamps rising 1 ms per record with 10% up to 2 s late. */
function makeData(n: number): Data {
  const keys: string[] = new Array<string>(n);
  const values: Event[] = new Array<Event>(n);
  const timestamps: number[] = new Array<number>(n);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff);
  const base = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    keys[i] = `user-${i % KEYS}`;
    values[i] = { amount: Math.floor(random() * 10_000) / 100, kind: KINDS[i % KINDS.length]! };
    timestamps[i] = base + i - (random() < 0.1 ? Math.floor(random() * 2000) : 0);
  }
  return { keys, values, timestamps };
}

const isClick = (_k: string, v: Event) => v.kind === 'click';
const toClick = (v: Event): Click => ({ amount: v.amount, cents: Math.round(v.amount * 100), kind: v.kind });

function buildTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('events', Consumed.with(Serdes.string(), Serdes.json<Event>()))
    .filter(isClick)
    .mapValues(toClick)
    .to('clicks', Produced.with(Serdes.string(), Serdes.json<Click>()));
  return builder.build();
}

/** The input as processor records (what a source would forward). */
const asRecords = (data: Data) => data.values.map((v, i) => new Record<unknown, unknown>(data.keys[i], v, data.timestamps[i]!));

/** (a) tributary: the graph with objects in and out. */
function graphAlone(records: Record<unknown, unknown>[]): { ms: number; out: number } {
  let out = 0;
  const objects: ObjectCollector = { collect: () => void out++ };
  const collector: RecordCollector = { send: () => void out++ };
  const task = new TaskExecutor(buildTopology(), { subtopologyId: 0, partition: 0, applicationId: 'bench', collector, objectCollector: objects });
  task.init();
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) task.pushRecord('events', records[i]!, i);
  const ms = performance.now() - t0;
  void task.close();
  return { ms, out };
}

/** (a) anchor: the same filter and map as a plain loop. */
function plainLoop(data: Data): { ms: number; out: number } {
  const sink: Click[] = [];
  const t0 = performance.now();
  const { keys, values } = data;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isClick(keys[i]!, v)) sink.push(toClick(v));
    if (sink.length === 4096) sink.length = 0;
  }
  const ms = performance.now() - t0;
  return { ms, out: sink.length };
}

/** (b) anchor: one log hop written by hand. Returns the records written to the output log. */
function logHop(data: Data): { ms: number; out: number } {
  const t0 = performance.now();
  const input = new FrameLog();
  for (let i = 0; i < data.values.length; i++) {
    input.append(data.keys[i]!);
    input.append(JSON.stringify(data.values[i]));
  }
  const output = new FrameLog();
  let out = 0;
  for (let pos = 0; pos < input.end; ) {
    const klen = input.buf.readUInt32BE(pos);
    const key = input.buf.toString('utf8', pos + 4, pos + 4 + klen);
    pos += 4 + klen;
    const vlen = input.buf.readUInt32BE(pos);
    const value = JSON.parse(input.buf.toString('utf8', pos + 4, pos + 4 + vlen)) as Event;
    pos += 4 + vlen;
    if (!isClick(key, value)) continue;
    output.append(key);
    output.append(JSON.stringify(toClick(value)));
    out++;
  }
  return { ms: performance.now() - t0, out };
}

/** (b)/(c) tributary: produce the input, then time KafkaStreams from start() until every output is there. */
async function streamsRun(broker: Broker, data: Data, expected: number): Promise<{ ms: number; out: number; commits: number }> {
  const admin = broker.admin();
  await admin.createTopics([{ topic: 'events', partitions: PARTITIONS }, { topic: 'clicks', partitions: PARTITIONS }]);
  const producer = broker.producer();
  for (let i = 0; i < data.values.length; i += SEND_BATCH) {
    const batch: ProducedRecord[] = [];
    for (let j = i; j < Math.min(data.values.length, i + SEND_BATCH); j++) {
      batch.push({ topic: 'events', key: data.keys[j]!, value: Buffer.from(JSON.stringify(data.values[j])), timestamp: data.timestamps[j]! });
    }
    await producer.send(batch);
  }
  const app = new KafkaStreams(buildTopology(), { applicationId: 'stateless-bench', broker, commitIntervalMs: 1000 });
  const outputCount = async () => (await admin.describeTopic('clicks')).partitions.reduce((n, p) => n + p.highWatermark, 0);
  const { ms } = await timed(async () => {
    await app.start();
    while ((await outputCount()) < expected) await new Promise((r) => setTimeout(r, 5));
  });
  const out = await outputCount();
  const commits = app.metrics()['commit-total'] ?? 0;
  await app.close();
  return { ms, out, commits };
}

/** Runs the stateless suite and prints one table of rates and ratios. */
export async function runStatelessBench(opts: { records?: number } = {}): Promise<void> {
  const n = opts.records ?? 2_000_000;
  const data = makeData(n);
  const expected = data.values.filter((v) => v.kind === 'click').length;

  // (a): best of three alternating rounds each, so a major GC or JIT warm-up in one round does not decide.
  const records = asRecords(data);
  let graph = { ms: Infinity, out: 0 };
  let loop = { ms: Infinity, out: 0 };
  for (let round = 0; round < 3; round++) {
    const g = graphAlone(records);
    if (g.out !== expected) throw new Error(`graph wrote ${g.out} records, expected ${expected}`);
    if (g.ms < graph.ms) graph = g;
    const l = plainLoop(data);
    if (l.ms < loop.ms) loop = l;
  }
  records.length = 0;
  logHop(makeData(Math.min(n, 100_000))); // warm-up
  let hop = logHop(data);
  if (hop.out !== expected) throw new Error(`log hop wrote ${hop.out} records, expected ${expected}`);

  const memory = await Broker.inMemory();
  const mem = await streamsRun(memory, data, expected).finally(() => memory.close());

  const dir = mkdtempSync(join(tmpdir(), 'tributary-stateless-bench-'));
  let durable: { ms: number; out: number; commits: number };
  try {
    const broker = await Broker.open({ dataDir: dir });
    durable = await streamsRun(broker, data, expected).finally(() => broker.close());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The anchor again, after the broker runs: keep its better time, so machine noise cannot flatter the ratio.
  const hopAgain = logHop(data);
  if (hopAgain.ms < hop.ms) hop = hopAgain;
  if (mem.out !== expected || durable.out !== expected) {
    throw new Error(`KafkaStreams wrote ${mem.out} (in memory) / ${durable.out} (durable) records, expected ${expected}`);
  }

  printTable(
    ['case', 'tributary', 'anchor', 'ratio (anchor ms / tributary ms)'],
    [
      ['(a) processor graph, objects, vs plain loop', fmtRate(rate(n, graph.ms)), fmtRate(rate(n, loop.ms)), (loop.ms / graph.ms).toFixed(2)],
      ['(b) KafkaStreams, in-memory broker, JSON, vs log hop', fmtRate(rate(n, mem.ms)), fmtRate(rate(n, hop.ms)), (hop.ms / mem.ms).toFixed(2)],
      ['(c) KafkaStreams, durable broker, JSON, vs log hop', fmtRate(rate(n, durable.ms)), fmtRate(rate(n, hop.ms)), (hop.ms / durable.ms).toFixed(2)],
    ],
  );
  console.log(`\n${n} input records, ${expected} clicks out, ${PARTITIONS} partitions; commits: ${mem.commits} (in memory), ${durable.commits} (durable)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const records = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  await runStatelessBench({ records });
}
