/**
 * Windowed aggregation through the whole runtime (issue 5, second case): the data of the stateless
 * benchmark (10k keys, JSON values `{amount, kind}`, timestamps rising 1 ms per record with 10% up to
 * 2 s late), a tumbling 60 s count per key (10 s grace, so no record is dropped).
 *
 * 1. tributary: `KafkaStreams` on the embedded durable broker (`fsync: 'commit'`), at-least-once,
 *    `groupByKey().windowedBy(...).count()` into the DSL's default store — persistent (LevelDB),
 *    cached, logged to its changelog — and `toStream().to(...)` with a windowed key; 4 partitions.
 *    The input is produced before `start()`; timed from `start()` until the group's committed input
 *    offsets cover every record. Kafka Streams has no commit-every-N-records setting, so the commit
 *    interval is chosen for roughly 10,000 records per commit at this rate, and the commits made are
 *    printed.
 * 2. anchor: a hand-written hop over the same records pre-encoded as length-prefixed frames (the
 *    encoding is not timed): decode each record, count in a Map per (key, window start), keep a dirty
 *    set, and every 10,000 records JSON-encode every dirty window once, append it to a changelog and
 *    an output buffer, and write a LevelDB chained batch of the dirty windows plus the offsets.
 *
 * Ratio = anchor ms / tributary ms (target >= 0.5). Both sides' counts are checked against each
 * other (tributary's through interactive queries), so neither can skip work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { Consumed } from '../dsl/consumed.js';
import { Materialized } from '../dsl/materialized.js';
import { Produced } from '../dsl/produced.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { TimeWindows } from '../dsl/windows/time-windows.js';
import { Broker } from '../src/broker/broker.js';
import type { ProducedRecord } from '../src/core/record.js';
import { QueryableStoreTypes } from '../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { Serdes } from '../src/serdes/serdes.js';
import { FrameLog } from './frame-log.js';
import { fmtRate, printTable, rate } from './report.js';

const KEYS = 10_000;
const KINDS = ['click', 'view', 'scroll', 'click', 'purchase'];
const PARTITIONS = 4;
const WINDOW_MS = 60_000;
const GRACE_MS = 10_000;
const COMMIT_EVERY = 10_000;
const BASE_TS = 1_700_000_000_000;

interface Event {
  amount: number;
  kind: string;
}

interface Data {
  keys: string[];
  values: Event[];
  timestamps: number[];
}

/** The stateless benchmark's input (same generator, a 32-bit LCG so every key occurs). */
function makeData(n: number): Data {
  const keys = new Array<string>(n);
  const values = new Array<Event>(n);
  const timestamps = new Array<number>(n);
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff) / 0x80000000);
  for (let i = 0; i < n; i++) {
    keys[i] = `user-${i % KEYS}`;
    values[i] = { amount: Math.floor(random() * 10_000) / 100, kind: KINDS[i % KINDS.length]! };
    timestamps[i] = BASE_TS + i - (random() < 0.1 ? Math.floor(random() * 2000) : 0);
  }
  return { keys, values, timestamps };
}

const windowStart = (ts: number) => ts - (ts % WINDOW_MS);

/** Side 1: time KafkaStreams from start() until the committed input offsets cover every record. */
async function streamsRun(data: Data, commitIntervalMs: number): Promise<{ ms: number; total: number; commits: number }> {
  const n = data.keys.length;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-windowed-streams-'));
  const broker = await Broker.open({ dataDir: join(dir, 'broker'), fsync: 'commit' });
  try {
    const admin = broker.admin();
    await admin.createTopics([{ topic: 'events', partitions: PARTITIONS }, { topic: 'counts', partitions: PARTITIONS }]);
    const producer = broker.producer();
    for (let i = 0; i < n; i += 5000) {
      const batch: ProducedRecord[] = [];
      for (let j = i; j < Math.min(n, i + 5000); j++) {
        batch.push({ topic: 'events', key: data.keys[j]!, value: Buffer.from(JSON.stringify(data.values[j])), timestamp: data.timestamps[j]! });
      }
      await producer.send(batch);
    }
    const builder = new StreamsBuilder();
    builder
      .stream('events', Consumed.with(Serdes.string(), Serdes.json<Event>()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
      // Retention past the input's span, so the final check can read every window back.
      .count(Materialized.as<string, number>('counts-store').withRetention(24 * 3600_000))
      .toStream()
      .to('counts', Produced.with(Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long()));
    const app = new KafkaStreams(builder.build(), {
      applicationId: 'windowed-bench', broker, stateDir: join(dir, 'state'), commitIntervalMs, logger: { warn: () => {} },
    });
    const started = performance.now();
    await app.start();
    const committed = async () =>
      (await admin.describeGroup('windowed-bench')).offsets.filter((o) => o.topic === 'events').reduce((s, o) => s + o.committed, 0);
    for (let i = 0; i < 12_000 && (await committed()) < n; i++) await new Promise((r) => setTimeout(r, 10));
    const ms = performance.now() - started;
    const total = app.store('counts-store', QueryableStoreTypes.windowStore<string, number>()).all().reduce((s, e) => s + e.value, 0);
    const commits = app.metrics()['commit-total'] ?? 0;
    await app.close();
    return { ms, total, commits };
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Side 2: the hand-written hop. Returns its time and the sum of its final counts. */
async function anchorRun(input: FrameLog, n: number): Promise<{ ms: number; total: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-windowed-anchor-'));
  const db = new Level<string, string>(join(dir, 'db'));
  await db.open();
  try {
    const counts = new Map<string, Map<number, number>>();
    const dirty = new Map<string, Set<number>>();
    const changelog = new FrameLog();
    const output = new FrameLog();
    let streamTime = -1;
    const commit = async (offset: number) => {
      const batch = db.batch();
      for (const [key, starts] of dirty) {
        const perKey = counts.get(key)!;
        for (const start of starts) {
          const json = JSON.stringify({ key, start, count: perKey.get(start)! });
          changelog.append(json);
          output.append(json);
          batch.put(`${key}@${start}`, json);
        }
      }
      batch.put('offset', String(offset));
      await batch.write();
      dirty.clear();
    };
    const t0 = performance.now();
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const klen = input.buf.readUInt32BE(pos);
      const key = input.buf.toString('utf8', pos + 4, pos + 4 + klen);
      pos += 4 + klen;
      const tlen = input.buf.readUInt32BE(pos);
      const ts = Number(input.buf.toString('latin1', pos + 4, pos + 4 + tlen));
      pos += 4 + tlen;
      const vlen = input.buf.readUInt32BE(pos);
      JSON.parse(input.buf.toString('utf8', pos + 4, pos + 4 + vlen));
      pos += 4 + vlen;
      if (ts > streamTime) streamTime = ts;
      const start = windowStart(ts);
      if (start + WINDOW_MS + GRACE_MS <= streamTime) continue; // late beyond grace: dropped
      let perKey = counts.get(key);
      if (perKey === undefined) counts.set(key, (perKey = new Map()));
      perKey.set(start, (perKey.get(start) ?? 0) + 1);
      let d = dirty.get(key);
      if (d === undefined) dirty.set(key, (d = new Set()));
      d.add(start);
      if ((i + 1) % COMMIT_EVERY === 0) await commit(i + 1);
    }
    await commit(n);
    const ms = performance.now() - t0;
    let total = 0;
    for (const perKey of counts.values()) for (const c of perKey.values()) total += c;
    return { ms, total };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs both sides (2 alternating rounds, best of each) and prints one table.
 * @example
 * await runWindowedStreamsBench({ records: 200_000 });
 */
export async function runWindowedStreamsBench(opts: { records?: number } = {}): Promise<void> {
  const n = opts.records ?? 2_000_000;
  const data = makeData(n);
  const input = new FrameLog();
  for (let i = 0; i < n; i++) {
    input.append(data.keys[i]!);
    input.append(String(data.timestamps[i]!));
    input.append(JSON.stringify(data.values[i]));
  }
  // ~10,000 records per commit at ~100k records/s.
  const commitIntervalMs = 100;
  let best = { streams: Infinity, anchor: Infinity, commits: 0 };
  for (let round = 0; round < 2; round++) {
    const s = await streamsRun(data, commitIntervalMs);
    const a = await anchorRun(input, n);
    if (s.total !== a.total) throw new Error(`windowed streams bench: KafkaStreams counted ${s.total}, the anchor ${a.total}`);
    if (s.ms < best.streams) best = { ...best, streams: s.ms, commits: s.commits };
    best.anchor = Math.min(best.anchor, a.ms);
  }
  printTable(
    ['case', 'tributary', 'anchor (hand-written hop)', 'ratio (anchor ms / tributary ms)'],
    [[`KafkaStreams, durable broker, LevelDB window store, cache + changelog, ALOS, ${n} records`, fmtRate(rate(n, best.streams)), fmtRate(rate(n, best.anchor)), (best.anchor / best.streams).toFixed(2)]],
  );
  console.log(`tributary made ${best.commits} commits (≈ ${Math.round(n / Math.max(1, best.commits))} records each); the anchor commits every ${COMMIT_EVERY}`);
}
